// Issue 22 item 3: every field a workload controls reaches the model fenced as untrusted and with its
// control characters escaped, in the text and in structuredContent alike. The test enumerates all
// tools and resources against a backend whose every string carries prompt-injection text and
// terminal escapes; a new tool that passes workload text through unfenced fails here.
import { describe, expect, it } from 'vitest';
import type { KubefwdBackend } from '../../src/mcp/backend.js';
import { RESOURCES, readResource } from '../../src/mcp/resources.js';
import { TOOLS } from '../../src/mcp/tools/index.js';
import { UNTRUSTED_NOTICE, sanitizeLine } from '../../src/mcp/untrusted.js';
import { createFakeBackend } from '../mcp/fake-backend.js';
import { VALID_ARGS } from '../mcp/tool-args.js';
import { ESCAPES, HOSTILE, INJECTION, rawControls } from './corpus.js';

/**
 * Arguments that reach each tool's success path with the fake backend: the shared table, widened where
 * a filter would hide hostile text (every pod, every event, every log level).
 */
const ARGS: Record<string, Record<string, unknown>> = {
  ...VALID_ARGS,
  add_namespace: { namespace: 'shop', context: 'sim' },
  list_pods: { namespace: 'shop' },
  get_events: { namespace: 'shop' },
  get_logs: { level: 'all' },
};

/**
 * Backend calls that return text a workload or a network peer writes, and the fields that carry it.
 * Identity fields (names, keys, IPs) are not here: Kubernetes restricts them to DNS characters.
 * kubefwd's own log and history quote peers and API-server errors, so they count as untrusted too.
 * Forward errors (list_services, diagnose_errors…) are kubefwd's wording of an API-server answer:
 * escaped like everything else (checked below with the escape corpus), not fenced (SECURITY.md).
 */
const UNTRUSTED_CALLS = new Set([
  'k8sEvents',
  'k8sPod',
  'k8sPods',
  'podLogs',
  'serviceHttpTraffic',
  'forwardHttpTraffic',
  'logs',
  'historyEvents',
  'historyErrors',
]);
const UNTRUSTED_FIELDS = new Set([
  'message',
  'reason',
  'error',
  'path',
  'method',
  'topPaths',
  'logs',
  'labels',
  'annotations',
  'status',
  'headers',
]);

/** Appends the hostile text to every string of untrusted fields (and to the keys of their maps). */
const poison = (value: unknown, field = ''): unknown => {
  if (typeof value === 'string') return UNTRUSTED_FIELDS.has(field) ? `${value} ${HOSTILE}` : value;
  if (Array.isArray(value)) return value.map((v) => poison(v, field));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const key =
        field === 'labels' || field === 'annotations' || field === 'topPaths' ? `${k}${HOSTILE}` : k;
      out[key] = poison(v, UNTRUSTED_FIELDS.has(field) ? field : k);
    }
    return out;
  }
  return value;
};

/** Appends only the escape corpus (no injection text) to every string but keys and enums. */
const escapesOnly = (value: unknown, field = ''): unknown => {
  if (typeof value === 'string')
    return ['error', 'reason', 'message', 'hint'].includes(field)
      ? `${value} ${Object.values(ESCAPES).join(' ')}`
      : value;
  if (Array.isArray(value)) return value.map((v) => escapesOnly(v, field));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapesOnly(v, k)]));
  return value;
};

const hostileBackend = (): KubefwdBackend => {
  const { backend } = createFakeBackend();
  const extra: Partial<KubefwdBackend> = {
    k8sEvents: async () => [
      {
        type: 'Warning',
        reason: 'BackOff',
        message: 'Back-off restarting failed container',
        objectKind: 'Pod',
        objectName: 'postgres-0',
        source: 'kubelet',
        count: 3,
        firstTimestamp: '2026-01-01T10:00:00Z',
        lastTimestamp: '2026-01-01T10:00:00Z',
      },
    ],
    k8sPod: async (namespace, name) =>
      ({
        name,
        namespace,
        context: 'sim',
        phase: 'Running',
        status: 'Running',
        message: 'container terminated',
        labels: { app: 'postgres' },
        annotations: { note: 'hello' },
        containers: [
          {
            name: 'db',
            image: 'postgres:16',
            ready: false,
            started: false,
            restartCount: 3,
            state: 'Terminated',
            stateReason: 'Error',
            stateMessage: 'exit 1',
            ports: [],
          },
        ],
        conditions: [
          { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'db not ready' },
        ],
        volumes: [],
        isForwarded: false,
      }) as never,
    logs: async () => ({
      logs: [{ timestamp: '2026-01-01T10:00:00Z', level: 'warn', message: 'GET /x failed: forbidden' }],
      totalCount: 1,
    }),
    historyEvents: async () => [
      {
        id: 1,
        type: 'ForwardError',
        timestamp: '2026-01-01T10:00:00Z',
        message: 'failed',
        data: { error: 'denied' },
      },
    ],
  };
  return new Proxy(backend, {
    get(target, prop: string) {
      const fn =
        (extra as Record<string, unknown>)[prop] ?? (target as unknown as Record<string, unknown>)[prop];
      if (typeof fn !== 'function') return fn;
      return async (...args: unknown[]) => {
        const out = await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
        return UNTRUSTED_CALLS.has(prop) ? poison(out) : escapesOnly(out);
      };
    },
  });
};

const ctx = () => {
  const backend = hostileBackend();
  return { backend: async () => backend, version: '1.2.3' };
};

/** The text outside every fence `<<<MARKER … MARKER>>>`. */
const outsideFences = (text: string): string => {
  const lines = text.split('\n');
  const out: string[] = [];
  let marker: string | undefined;
  for (const l of lines) {
    if (marker === undefined) {
      const m = /^<<<(UNTRUSTED-[0-9a-f]+)$/.exec(l);
      if (m) marker = m[1];
      else out.push(l);
    } else if (l === `${marker}>>>`) marker = undefined;
  }
  expect(marker, 'every fence is closed').toBeUndefined();
  return out.join('\n');
};

describe('MCP: workload text is fenced and escaped in every tool', () => {
  it('the argument table covers every tool', () => {
    expect(Object.keys(ARGS).sort()).toEqual(TOOLS.map((t) => t.name).sort());
  });

  for (const tool of TOOLS) {
    it(`${tool.name}: no raw control character; injection text only inside a fence`, async () => {
      const result = await tool.call(ARGS[tool.name], ctx());
      expect(rawControls(result), tool.name).toEqual([]);
      const text = (result.content as { type: string; text: string }[]).map((c) => c.text).join('\n');
      expect(outsideFences(text), `${tool.name} text outside fences`).not.toContain(INJECTION);
      const structured = JSON.stringify(result.structuredContent ?? {});
      if (structured.includes(INJECTION)) {
        expect(
          (result.structuredContent as Record<string, unknown>).untrusted,
          `${tool.name} structuredContent carries workload text, so it says so`,
        ).toBe(UNTRUSTED_NOTICE);
      }
    });
  }

  it('the fields the issue names are checked for real (events, pod status, topPaths, logs)', async () => {
    const call = async (name: string) => {
      const tool = TOOLS.find((t) => t.name === name)!;
      const r = await tool.call(ARGS[name], ctx());
      return { text: (r.content as { text: string }[])[0]!.text, data: JSON.stringify(r.structuredContent) };
    };
    for (const name of ['get_events', 'get_pod', 'get_http_traffic', 'get_pod_logs', 'list_pods']) {
      const { text, data } = await call(name);
      expect(text, name).toContain(INJECTION); // present, as data, inside the fence
      expect(text, name).toMatch(/\\{1,2}x1b\]0;pwned\\{1,2}x07/); // escaped visibly
      expect(data, name).toContain(INJECTION);
    }
    expect((await call('get_http_traffic')).data).toContain('\\\\x9b31m'); // C1 in summary.topPaths
  });

  for (const res of RESOURCES) {
    it(`resource ${res.uri}: no raw control character`, async () => {
      const body = await readResource(res, async () => hostileBackend(), '1.2.3');
      expect(rawControls(body)).toEqual([]);
    });
  }

  it('sanitizeLine escapes every entry of the corpus, C1 included', () => {
    for (const [name, s] of Object.entries(ESCAPES)) expect(rawControls(sanitizeLine(s)), name).toEqual([]);
    expect(sanitizeLine('\u009b2J')).toBe('\\x9b2J');
    expect(sanitizeLine('\x1b[31mred\x1b[0m')).toBe('red');
  });
});
