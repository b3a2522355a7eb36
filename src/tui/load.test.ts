import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The built module (Node 20 cannot import .ts in a child, and React must be loaded fresh with the
// environment of a real run); `npm test` builds first.
const builtLoad = fileURLToPath(new URL('../../dist/src/tui/load.js', import.meta.url));

/** Which React reconciler build a child process loads through loadTui, with `env`. */
const reconcilerBuild = (env: NodeJS.ProcessEnv): string => {
  const code = `import { createRequire } from 'node:module';
    const { loadTui } = await import(${JSON.stringify(builtLoad)});
    await loadTui();
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    console.log(loaded.some((k) => /react-reconciler[\\/\\\\]cjs[\\/\\\\].*production/.test(k)) ? 'production' : loaded.some((k) => /react-reconciler[\\/\\\\]cjs[\\/\\\\].*development/.test(k)) ? 'development' : 'none');
    console.log(process.env.NODE_ENV ?? '(unset)');`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.stderr).toBe('');
  return r.stdout.trim();
};

describe.skipIf(!existsSync(builtLoad))('loadTui', () => {
  const base = { PATH: process.env.PATH ?? '' };
  it("loads React's production build when NODE_ENV is unset, and leaves NODE_ENV as it was", () => {
    // The development build profiles every commit and made a frame 10-30x slower (issue 18).
    expect(reconcilerBuild(base)).toBe('production\n(unset)');
  });
  it('respects an explicit NODE_ENV', () => {
    expect(reconcilerBuild({ ...base, NODE_ENV: 'development' })).toBe('development\ndevelopment');
  });
});
