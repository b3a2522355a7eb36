// The layering of ARCHITECTURE.md, enforced: each folder may import only the folders listed for it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

/** Layer → the layers it may import (itself is always allowed). */
export const ALLOWED: Record<string, readonly string[]> = {
  contract: [],
  // The rules written once (keys, names, reservations, selectors, the error classifier): ground floor.
  domain: ['contract'],
  wire: ['contract', 'domain'],
  os: ['contract', 'domain'],
  kube: ['contract', 'domain', 'wire'],
  sim: ['contract', 'domain', 'wire'],
  engine: ['contract', 'domain'],
  state: ['contract', 'domain', 'engine'],
  'api/client': ['contract', 'domain'],
  'api/server': ['contract', 'domain', 'state', 'engine'],
  mcp: ['contract', 'domain', 'api/client'],
  tui: ['contract', 'domain', 'state', 'engine', 'api/client'],
  // The dashboard runs in the browser: contract types and the registry's hints, and the TUI's pure
  // row model and formatting (so both filter and sort alike) — see TUI_FOR_WEB.
  web: ['contract', 'domain', 'tui'],
  // The privileged helper: small and root, so it leans on no Kubernetes, traffic or API code — only
  // the machine adapters, the rules of domain/ and the engine's pure hosts-block (ENGINE_FOR_HELPER).
  helper: ['contract', 'domain', 'os', 'engine'],
  daemon: [
    'contract',
    'domain',
    'wire',
    'os',
    'kube',
    'engine',
    'state',
    'api/server',
    'api/client',
    'tui',
    'sim',
  ],
  cli: [
    'contract',
    'domain',
    'wire',
    'os',
    'kube',
    'sim',
    'engine',
    'state',
    'api/server',
    'api/client',
    'mcp',
    'tui',
    'daemon',
    'helper',
  ],
};

/** The engine's modules the helper shares: pure rules, no cluster, no traffic. */
const ENGINE_FOR_HELPER = ['hosts-block'];

/** The TUI's modules the dashboard shares: pure, browser-safe (no ink, no node:). */
const TUI_FOR_WEB = ['rows', 'format', 'connect-strings'];

const layerOf = (file: string): string | undefined => {
  const parts = relative(src, file).split(sep);
  if (parts[0] === 'api')
    return parts[1] === 'server' || parts[1] === 'client' ? `api/${parts[1]}` : undefined;
  return parts[0];
};

const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : /\.tsx?$/.test(name) ? [p] : [];
  });

const importsOf = (text: string): string[] => {
  const found: string[] = [];
  const re =
    /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) found.push((m[1] ?? m[2] ?? m[3])!);
  return found;
};

export const violations = (): string[] => {
  const out: string[] = [];
  for (const file of walk(src)) {
    const from = layerOf(file);
    if (from === undefined) {
      out.push(`${relative(root, file)} is outside every layer`);
      continue;
    }
    const allowed = ALLOWED[from];
    if (!allowed) {
      out.push(`${relative(root, file)}: unknown layer "${from}"`);
      continue;
    }
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(src + sep)) {
        out.push(`${relative(root, file)} imports ${spec} outside src/`);
        continue;
      }
      const to = layerOf(target);
      if (
        from === 'web' &&
        to === 'tui' &&
        !TUI_FOR_WEB.includes(relative(join(src, 'tui'), target).replace(/\.js$/, ''))
      )
        out.push(
          `${relative(root, file)} (web) imports ${spec}: only ${TUI_FOR_WEB.join(', ')} of tui/ run in a browser`,
        );
      if (
        from === 'helper' &&
        to === 'engine' &&
        !ENGINE_FOR_HELPER.includes(relative(join(src, 'engine'), target).replace(/\.js$/, ''))
      )
        out.push(
          `${relative(root, file)} (helper) imports ${spec}: only ${ENGINE_FOR_HELPER.join(', ')} of engine/ are the helper's`,
        );
      if (to === undefined || (to !== from && !allowed.includes(to))) {
        out.push(`${relative(root, file)} (${from}) imports ${spec} (${to ?? '?'})`);
      }
    }
  }
  return out;
};

describe('layer boundaries', () => {
  it('every import follows the dependency direction of ARCHITECTURE.md', () => {
    expect(violations()).toEqual([]);
  });

  it('the checker itself catches an upward import', () => {
    expect(importsOf(`import { x } from '../kube/thing.js';\nimport type { Y } from "./y.js";`)).toEqual([
      '../kube/thing.js',
      './y.js',
    ]);
    expect(ALLOWED.engine).not.toContain('kube');
    expect(ALLOWED.mcp).not.toContain('engine');
    expect(ALLOWED.domain).toEqual(['contract']);
  });
});
