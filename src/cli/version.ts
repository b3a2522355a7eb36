// The version comes from package.json, found by walking up from this file (src/ in tests, dist/src
// when built), so there is one place to change it. The standalone executable has no package.json
// around it: its bundler writes the version in place of __KUBEFWD_VERSION__.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

declare const __KUBEFWD_VERSION__: string | undefined;

let cached: string | undefined;

export const kubefwdVersion = (): string => {
  if (cached !== undefined) return cached;
  if (typeof __KUBEFWD_VERSION__ === 'string') return (cached = __KUBEFWD_VERSION__);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'kubefwd' && typeof pkg.version === 'string') return (cached = pkg.version);
    } catch {
      // keep walking
    }
    dir = dirname(dir);
  }
  return (cached = '0.0.0');
};
