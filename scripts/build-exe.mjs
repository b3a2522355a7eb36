#!/usr/bin/env node
// `npm run build:exe [-- <platform>]`: the standalone executable, a Node single executable
// application (SEA) that needs no Node on the machine.
//   1. esbuild bundles dist/src/cli/bin.js (built by `npm run build`) and every npm package it
//      imports into one ES module (ink and yoga use top-level await, so ESM, not CommonJS);
//   2. a small CommonJS main (what SEA runs) imports that module from the executable's own assets,
//      through a data: URL, so nothing is unpacked to disk;
//   3. `node --experimental-sea-config` makes the blob and postject injects it into a copy of the
//      Node running this script.
// Platforms: linux-x64, linux-arm64, darwin-arm64, darwin-x64, win-x64. SEA injects into the Node
// binary of the machine that builds, so each platform is built on that platform (the default is
// the current one). On macOS the copy's signature is removed before injection and the result is
// signed ad hoc (`codesign --sign -`), which is what Apple Silicon requires to run it; to ship it,
// sign it with a Developer ID instead: `codesign --sign "Developer ID Application: …" --options
// runtime <file>` and notarize (`xcrun notarytool submit … --wait`). On Windows the copy of node.exe
// keeps Node's Authenticode signature invalidated by the injection; sign it with `signtool sign`.
// Usage: node scripts/build-exe.mjs [platform] [--out DIR]  (default dist/exe/).
// The last line printed is the executable's path.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PLATFORMS = ['linux-x64', 'linux-arm64', 'darwin-arm64', 'darwin-x64', 'win-x64'];
const here = `${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;

const fail = (msg) => {
  console.error(`build-exe: ${msg}`);
  process.exit(1);
};

const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const outArg = outAt >= 0 ? args.splice(outAt, 2)[1] : undefined;
const target = args[0] ?? here;
if (!PLATFORMS.includes(target)) fail(`unknown platform "${target}"; one of ${PLATFORMS.join(', ')}`);
if (target !== here)
  fail(`${target} is built on ${target} (SEA injects into the Node that runs this script; this is ${here})`);
const [major] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && process.versions.node < '20.12'))
  fail(`Node ${process.versions.node} cannot build it: SEA assets need Node 20.12 or newer`);
const entry = join(root, 'dist', 'src', 'cli', 'bin.js');
if (!existsSync(entry)) fail('dist/ is missing; run `npm run build` first (npm run build:exe does)');

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const out = outArg ? resolve(outArg) : join(root, 'dist', 'exe');
mkdirSync(out, { recursive: true });
const bundle = join(out, 'kubefwd.cjs');

// ---------------------------------------------------------------- 1. one CommonJS file
// SEA runs CommonJS, and V8's code cache (useCodeCache) makes it start fast. Three modules use
// top-level await, which CommonJS cannot have; each is rewritten here, and the build fails if the
// text it rewrites is not found (a new version of the package then needs a look):
// - our bin.js: the entry below calls main() instead;
// - ink's reconciler awaits React DevTools and its package.json only when DEV=true: the executable
//   has no DevTools, so it reports them missing, as ink does when react-devtools-core is absent;
// - yoga-layout awaits its WebAssembly: compiled synchronously here instead, through the Emscripten
//   module's instantiateWasm hook (it then initialises in the same tick).
const { build } = await import('esbuild');
const yogaBinary = readFileSync(
  join(root, 'node_modules', 'yoga-layout', 'dist', 'binaries', 'yoga-wasm-base64-esm.js'),
  'utf8',
);
const wasm = /"data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)"/.exec(yogaBinary)?.[1];
if (!wasm) fail('yoga-layout: its embedded WebAssembly was not found');
const rewrites = {
  'ink/build/reconciler.js': [
    [
      "await import('./devtools.js');",
      "throw Object.assign(new Error('no React DevTools in the executable'), { code: 'ERR_MODULE_NOT_FOUND' });",
    ],
    ['? await loadPackageJson()', '? { name: undefined, version: undefined }'],
  ],
  'yoga-layout/dist/src/index.js': [
    [
      'const Yoga = wrapAssembly(await loadYoga());',
      `const yogaModule = {
  instantiateWasm(imports, done) {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(${JSON.stringify(wasm)}, 'base64')), imports);
    done(instance);
    return instance.exports;
  },
};
loadYoga(yogaModule);
const Yoga = wrapAssembly(yogaModule);`,
    ],
  ],
};
/** Modules the executable does without, replaced by a module saying so when something imports it. */
const absent = {
  // ink's DevTools hook (never loaded, see above).
  'react-devtools-core': 'module.exports = {};',
  // 54 MB, only for kubeconfig auth-providers (oidc, azure, gcp); src/kube/auth/connection.ts turns
  // this into an error saying to use an exec plugin or the npm package.
  '@kubernetes/client-node':
    "throw Object.assign(new Error('@kubernetes/client-node is not part of the standalone executable'), { code: 'MODULE_NOT_FOUND' });",
};
// The entry. There is no start-up snapshot: V8's code cache (below) spares compiling the bundle, and
// the commands started again and again load little (`kubefwd mcp` answers the MCP handshake before
// the SDK loads; see src/mcp/stdio). Measured on linux-x64, a snapshot made every command slower
// (version 154 vs 124 ms, the MCP handshake 156 vs 139 ms): deserializing it costs more than it saves.
const entrySource =
  "import { main } from './dist/src/cli/main.js';\nvoid main(process.argv.slice(2)).then((code) => process.exit(code));\n";
await build({
  stdin: {
    contents: entrySource,
    resolveDir: root,
    sourcefile: 'exe-entry.js',
  },
  outfile: bundle,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  legalComments: 'none',
  logLevel: 'error',
  define: { __KUBEFWD_VERSION__: JSON.stringify(pkg.version) },
  plugins: [
    {
      name: 'executable',
      setup(b) {
        const filter = new RegExp(
          `^(${Object.keys(absent)
            .map((n) => n.replace(/[/.]/g, '\\$&'))
            .join('|')})$`,
        );
        b.onResolve({ filter }, (a) => ({ path: a.path, namespace: 'absent' }));
        b.onLoad({ filter: /.*/, namespace: 'absent' }, (a) => ({ contents: absent[a.path], loader: 'js' }));
        b.onLoad(
          {
            filter:
              /node_modules[\\/](ink[\\/]build[\\/]reconciler|yoga-layout[\\/]dist[\\/]src[\\/]index)\.js$/,
          },
          (a) => {
            const key = Object.keys(rewrites).find((k) => a.path.replace(/\\/g, '/').endsWith(k));
            let text = readFileSync(a.path, 'utf8');
            for (const [from, to] of rewrites[key]) {
              if (!text.includes(from)) fail(`${key}: "${from}" not found; the rewrite needs updating`);
              text = text.replace(from, to);
            }
            return { contents: text, loader: 'js' };
          },
        );
      },
    },
  ],
});

// ---------------------------------------------------------------- 2. the SEA configuration
const main = bundle;
// ---------------------------------------------------------------- 3. blob, inject, sign
const blob = join(out, 'sea.blob');
writeFileSync(
  join(out, 'sea-config.json'),
  JSON.stringify({
    main,
    output: blob,
    disableExperimentalSEAWarning: true,
    useCodeCache: true,
  }),
);
execFileSync(process.execPath, ['--experimental-sea-config', join(out, 'sea-config.json')], {
  stdio: 'inherit',
});

const exe = join(out, `kubefwd-${pkg.version}-${target}${target.startsWith('win') ? '.exe' : ''}`);
rmSync(exe, { force: true });
copyFileSync(process.execPath, exe);
const mac = target.startsWith('darwin');
if (mac) execFileSync('codesign', ['--remove-signature', exe], { stdio: 'inherit' });
const postject = join(root, 'node_modules', 'postject', 'dist', 'cli.js');
execFileSync(
  process.execPath,
  [
    postject,
    exe,
    'NODE_SEA_BLOB',
    blob,
    '--sentinel-fuse',
    'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
    ...(mac ? ['--macho-segment-name', 'NODE_SEA'] : []),
  ],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
if (mac) execFileSync('codesign', ['--sign', '-', exe], { stdio: 'inherit' });
const mib = (p) => `${(statSync(p).size / 1048576).toFixed(1)} MiB`;
console.error(`build-exe: bundle ${mib(bundle)}, executable ${mib(exe)} (${relative(process.cwd(), exe)})`);
console.log(exe);
