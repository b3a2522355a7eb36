import { describe, expect, it } from 'vitest';
import { commandForSudo } from './sudo-command.js';

// A file system of links: path → real path.
const fs =
  (links: Record<string, string>) =>
  (p: string): string | undefined =>
    links[p];
const PKG = '/home/u/.nvm/versions/node/v20.20.2/lib/node_modules/kubefwd/bin/kubefwd';

describe('commandForSudo', () => {
  it('is plain kubefwd when sudo’s secure_path reaches this same kubefwd', () => {
    const real = fs({ [PKG]: PKG, '/usr/local/bin/kubefwd': PKG });
    expect(commandForSudo(PKG, '/usr/local/bin:/usr/bin', real)).toBe('kubefwd');
  });
  it('names the npm bin link on the user’s PATH when sudo would not find it (nvm, a user prefix)', () => {
    const link = '/home/u/.nvm/versions/node/v20.20.2/bin/kubefwd';
    const real = fs({ [PKG]: PKG, [link]: PKG });
    expect(commandForSudo(PKG, `/home/u/.nvm/versions/node/v20.20.2/bin:/usr/bin`, real)).toBe(link);
  });
  it('names itself when another kubefwd is on the secure path, or none is on PATH (a checkout)', () => {
    const other = fs({
      '/src/kubefwd/bin/kubefwd': '/src/kubefwd/bin/kubefwd',
      '/usr/local/bin/kubefwd': '/opt/go/kubefwd',
    });
    expect(commandForSudo('/src/kubefwd/bin/kubefwd', '/usr/local/bin:/usr/bin', other)).toBe(
      '/src/kubefwd/bin/kubefwd',
    );
    expect(commandForSudo('/x/kubefwd', '', fs({}))).toBe('/x/kubefwd');
  });
});
