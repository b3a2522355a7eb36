// What MCP hosts see of the tools and prompts, checked as hosts check it: every regular expression
// in a tool's JSON Schema compiles in Python's `re` (hosts written in Python validate schemas with
// it, and reject a tool whose pattern it cannot read, e.g. `\p{Cc}`), and every argument a model
// fills in has a description.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { McpCatalog } from '../../src/mcp/stdio/catalog.js';
import { CATALOG_JSON } from '../../src/mcp/stdio/catalog-data.generated.js';

const catalog = JSON.parse(CATALOG_JSON) as McpCatalog;
interface Schema {
  properties?: Record<string, Schema & { description?: string }>;
  pattern?: string;
  [k: string]: unknown;
}
const tools = (
  catalog.lists['tools/list'] as { tools: { name: string; inputSchema: Schema; outputSchema?: Schema }[] }
).tools;
const prompts = (
  catalog.lists['prompts/list'] as {
    prompts: { name: string; arguments?: { name: string; description?: string }[] }[];
  }
).prompts;

/** Every `pattern` in a schema, wherever it is nested. */
const patterns = (node: unknown, out: string[] = []): string[] => {
  if (Array.isArray(node)) for (const n of node) patterns(n, out);
  else if (node && typeof node === 'object')
    for (const [k, v] of Object.entries(node)) {
      if (k === 'pattern' && typeof v === 'string') out.push(v);
      else patterns(v, out);
    }
  return out;
};

const hasPython = spawnSync('python3', ['-c', 'pass']).status === 0;

describe('the tool and prompt catalog, as MCP hosts read it', () => {
  it.skipIf(!hasPython)('every pattern compiles in Python re (python3 from the machine)', () => {
    const all = [...new Set(tools.flatMap((t) => patterns([t.inputSchema, t.outputSchema])))];
    expect(all.length).toBeGreaterThan(3);
    const r = spawnSync(
      'python3',
      [
        '-c',
        'import json, re, sys\nfor p in json.load(sys.stdin):\n    try:\n        re.compile(p)\n    except re.error as e:\n        print(p, e)',
      ],
      { input: JSON.stringify(all), encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
  });

  it('every tool argument and every prompt argument has a description', () => {
    const missing = [
      ...tools.flatMap((t) =>
        Object.entries(t.inputSchema.properties ?? {})
          .filter(([, p]) => !p.description)
          .map(([name]) => `${t.name}.${name}`),
      ),
      ...prompts.flatMap((p) =>
        (p.arguments ?? []).filter((a) => !a.description).map((a) => `${p.name}.${a.name}`),
      ),
    ];
    expect(missing).toEqual([]);
  });
});
