import { describe, expect, it } from 'vitest';
import { KubefwdError } from '../contract/errors.js';
import { formatError } from './errors.js';

describe('formatError', () => {
  it('one line: the message, then the fix', () => {
    expect(formatError(new KubefwdError('INVALID_INPUT', 'bad -m', { hint: 'Use a:b.' }))).toBe(
      'kubefwd: bad -m. Use a:b.',
    );
  });
  it('a refused API key names where this command took its key, not an HTTP header', () => {
    const line = formatError(new KubefwdError('UNAUTHORIZED', 'Invalid API key'));
    expect(line).toMatch(/^kubefwd: Invalid API key\. The running kubefwd refused the key this command used/);
    expect(line).not.toContain('Authorization: Bearer');
  });
});
