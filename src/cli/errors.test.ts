import { describe, expect, it } from 'vitest';
import { KubefwdError } from '../contract/errors.js';
import { formatError, reportError } from './errors.js';

describe('formatError', () => {
  it('one line: the message, then the fix', () => {
    expect(formatError(new KubefwdError('INVALID_INPUT', 'bad -m', { hint: 'Use a:b.' }))).toBe(
      'kubefwd: bad -m. Use a:b.',
    );
  });
  it('a question keeps its mark, with no period after it', () => {
    expect(
      formatError(
        new KubefwdError('INVALID_INPUT', 'which user should the helper serve?', { hint: 'Pass --user.' }),
      ),
    ).toBe('kubefwd: which user should the helper serve? Pass --user.');
  });
  it('a refused API key names where this command took its key, not an HTTP header', () => {
    const line = formatError(new KubefwdError('UNAUTHORIZED', 'Invalid API key'));
    expect(line).toMatch(/^kubefwd: Invalid API key\. The running kubefwd refused the key this command used/);
    expect(line).not.toContain('Authorization: Bearer');
  });
});

describe('reportError', () => {
  it('keeps the lines of a multi-line message readable (indented), escaping every other control', () => {
    let out = '';
    const io = { stdout: { write: () => true }, stderr: { write: (t: string) => (out += t) }, env: {} };
    const err = new KubefwdError(
      'AUTH_FAILED',
      'exec credential plugin corp-login failed (exit code 1): token expired\nhint: run corp-login\r\u001b]0;x\u0007',
      { hint: 'Run it by hand.' },
    );
    expect(reportError(io, err)).toBe(1);
    expect(out).toBe(
      'kubefwd: exec credential plugin corp-login failed (exit code 1): token expired\n  hint: run corp-login\\x0d\\x1b]0;x\\x07. Run it by hand.\n',
    );
  });
});
