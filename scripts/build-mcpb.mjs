#!/usr/bin/env node
// Builds the Claude Desktop bundle (`.mcpb`, server type "node") of `kubefwd mcp` from dist/:
// only the MCP server's own module graph (src/mcp → api/client → contract) and the npm packages it
// imports, a tiny entry point, and a manifest whose tools and prompts are read from the built server
// itself (so the bundle can never list other tools than the server registers). The manifest is
// validated and the bundle packed with the official `mcpb` CLI.
//
// Usage: node scripts/build-mcpb.mjs [--out <dir>] [--no-pack]   (npm run mcpb builds dist/ first)
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const outArg = argv.indexOf('--out');
const outDir = outArg >= 0 && argv[outArg + 1] ? resolve(argv[outArg + 1]) : join(root, 'dist', 'mcpb');
const pack = !argv.includes('--no-pack');

const fail = (msg) => {
  console.error(`build-mcpb: ${msg}`);
  process.exit(1);
};

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const entry = join(root, 'dist', 'src', 'mcp', 'index.js');
if (!existsSync(entry))
  fail(`${relative(root, entry)} is missing; run \`npm run build\` (or \`npm run mcpb\`) first`);

const stage = join(outDir, 'kubefwd');
const server = join(stage, 'server');
rmSync(stage, { recursive: true, force: true });
mkdirSync(server, { recursive: true });

// ---------------------------------------------------------------- our modules (relative import graph)
const IMPORT =
  /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;
const bare = new Set();
const seen = new Set();
const walk = (file) => {
  if (seen.has(file)) return;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec.startsWith('.')) walk(resolve(dirname(file), spec));
    else if (!spec.startsWith('node:'))
      bare.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
  }
};
walk(entry);
for (const file of seen) {
  const dest = join(server, relative(root, file));
  mkdirSync(dirname(dest), { recursive: true });
  cpSync(file, dest);
}

// ---------------------------------------------------------------- npm packages (transitive)
const copied = new Set();
const copyPackage = (name, fromDir) => {
  // Node resolution: the nearest node_modules up from the requiring package.
  let src;
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) {
      src = candidate;
      break;
    }
    if (dir === root || dir === dirname(dir)) break;
  }
  if (!src) return false;
  const rel = relative(root, src);
  if (copied.has(rel)) return true;
  copied.add(rel);
  cpSync(src, join(server, rel), { recursive: true, dereference: true });
  const meta = JSON.parse(readFileSync(join(src, 'package.json'), 'utf8'));
  const deps = { ...meta.dependencies, ...meta.optionalDependencies, ...meta.peerDependencies };
  for (const dep of Object.keys(deps)) {
    const ok = copyPackage(dep, src);
    if (!ok && meta.dependencies?.[dep]) fail(`${dep} (needed by ${meta.name}) is not installed`);
  }
  return true;
};
for (const name of bare) if (!copyPackage(name, root)) fail(`package ${name} is not installed`);

writeFileSync(
  join(server, 'package.json'),
  `${JSON.stringify({ type: 'module', private: true }, null, 2)}\n`,
);
writeFileSync(
  join(server, 'main.js'),
  `#!/usr/bin/env node
// Entry point of the kubefwd MCP bundle: the same server as \`kubefwd mcp\`, over stdio.
import { runMcpServer } from './dist/src/mcp/run.js';

const args = process.argv.slice(2);
const value = (flag) => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
const code = await runMcpServer({
  version: ${JSON.stringify(pkg.version)},
  apiUrl: value('--api-url'),
  apiKey: value('--api-key'),
  verbose: args.includes('-v') || args.includes('--verbose'),
});
process.exit(code);
`,
);

// ---------------------------------------------------------------- manifest
const mcp = await import(pathToFileURL(entry).href);
const manifest = JSON.parse(readFileSync(join(root, 'mcpb', 'manifest.json'), 'utf8'));
manifest.version = pkg.version;
manifest.tools = mcp.TOOLS.map((t) => ({ name: t.name, description: t.description }));
const noBackend = async () => {
  throw new Error('not connected');
};
manifest.prompts = mcp.buildPrompts(noBackend).map((p) => {
  const names = Object.keys(p.args.shape);
  const placeholders = Object.fromEntries(names.map((n) => [n, `\${arguments.${n}}`]));
  return { name: p.name, description: p.description, arguments: names, text: p.render(placeholders).text };
});
writeFileSync(join(stage, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
if (manifest.tools.length !== 28) fail(`expected 28 tools, the server registers ${manifest.tools.length}`);

// ---------------------------------------------------------------- validate and pack (official CLI)
const cli = join(root, 'node_modules', '@anthropic-ai', 'mcpb', 'dist', 'cli', 'cli.js');
const mcpbCli = existsSync(cli) ? cli : undefined;
if (!mcpbCli) {
  console.error('build-mcpb: @anthropic-ai/mcpb is not installed; skipping validation and packing');
  process.exit(pack ? 1 : 0);
}
execFileSync(process.execPath, [mcpbCli, 'validate', join(stage, 'manifest.json')], { stdio: 'inherit' });
if (pack) {
  const file = join(outDir, `kubefwd-${pkg.version}.mcpb`);
  rmSync(file, { force: true });
  execFileSync(process.execPath, [mcpbCli, 'pack', stage, file], { stdio: 'inherit' });
  console.log(
    `build-mcpb: ${relative(process.cwd(), file)} (${manifest.tools.length} tools, ${manifest.prompts.length} prompts)`,
  );
} else {
  console.log(`build-mcpb: staged ${relative(process.cwd(), stage)} (${manifest.tools.length} tools)`);
}
