import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellQuote } from './shell-quote.js';

describe('shellQuote', () => {
  it('leaves plain words bare and quotes the rest so that sh reads them back unchanged', () => {
    expect(shellQuote('/tmp/kubefwd-demo-a1/kubeconfig')).toBe('/tmp/kubefwd-demo-a1/kubeconfig');
    expect(shellQuote('-n')).toBe('-n');
    for (const word of ['/tmp/my dir/kubeconfig', "it's", '$HOME', 'a;b', '', '*', '"x"'])
      expect(execFileSync('sh', ['-c', `printf %s ${shellQuote(word)}`], { encoding: 'utf8' })).toBe(word);
  });
});
