// Builds the dashboard (src/web) into dist/web: one minified ES module with Preact inside, the
// stylesheet, the page and its icon. The daemon serves exactly these files; nothing is fetched
// from the network at run time.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src', 'web');
const out = join(root, 'dist', 'web');
mkdirSync(out, { recursive: true });

const result = await build({
  entryPoints: [
    { in: join(src, 'main.tsx'), out: 'app' },
    { in: join(src, 'app.css'), out: 'app' },
  ],
  outdir: out,
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022', 'chrome111', 'firefox113', 'safari16.4'],
  tsconfig: join(src, 'tsconfig.json'),
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});
for (const f of ['index.html', 'icon.svg']) copyFileSync(join(src, f), join(out, f));
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`dashboard built into dist/web (${Math.round(bytes / 1024)} KiB)`);
