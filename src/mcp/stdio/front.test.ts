import { describe, expect, it } from 'vitest';
import type { McpCatalog } from './catalog.js';
import { REPLAY_ID, createFront } from './front.js';

const catalog: McpCatalog = {
  versions: ['2025-11-25', '2025-06-18'],
  initialize: { capabilities: { tools: {} }, serverInfo: { name: 'kubefwd' }, instructions: 'hi' },
  lists: {
    'tools/list': { tools: [{ name: 't' }] },
    'prompts/list': { prompts: [] },
    'resources/list': { resources: [] },
    'resources/templates/list': { resourceTemplates: [] },
  },
};

const init = (id: number | string, protocolVersion = '2025-06-18') =>
  JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion, capabilities: {}, clientInfo: { name: 'c', version: '1' } },
  });
const req = (id: number, method: string, params?: object) =>
  JSON.stringify({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) });
const note = (method: string) => JSON.stringify({ jsonrpc: '2.0', method });

const setUp = () => {
  const answers: Record<string, unknown>[] = [];
  const wants: boolean[] = [];
  const front = createFront({
    catalog: () => catalog,
    serverVersion: '9.9.9',
    answer: (line) => answers.push(JSON.parse(line) as Record<string, unknown>),
    wantSdk: (now) => wants.push(now),
  });
  const fed: string[] = [];
  return { front, answers, wants, fed, attach: () => front.attach((l) => fed.push(l)) };
};

describe('the stdio front', () => {
  it('answers the handshake from the catalog: the requested version, or the first it supports', () => {
    const t = setUp();
    t.front.line(init(1));
    t.front.line(note('notifications/initialized'));
    t.front.line(req(2, 'tools/list'));
    t.front.line(req(3, 'ping'));
    t.front.line(req(4, 'resources/templates/list', { _meta: {} }));
    expect(t.answers).toEqual([
      {
        jsonrpc: '2.0',
        id: 1,
        result: {
          protocolVersion: '2025-06-18',
          capabilities: { tools: {} },
          serverInfo: { name: 'kubefwd', version: '9.9.9' },
          instructions: 'hi',
        },
      },
      { jsonrpc: '2.0', id: 2, result: { tools: [{ name: 't' }] } },
      { jsonrpc: '2.0', id: 3, result: {} },
      { jsonrpc: '2.0', id: 4, result: { resourceTemplates: [] } },
    ]);
    // Nothing waited for the SDK: it is loaded when the client goes quiet.
    expect(t.wants.every((now) => !now)).toBe(true);

    const u = setUp();
    u.front.line(init('a', '1999-01-01'));
    expect((u.answers[0]?.result as { protocolVersion: string }).protocolVersion).toBe('2025-11-25');
  });

  it('holds what only the SDK answers, asks for it at once, and replays the handshake first', () => {
    const t = setUp();
    t.front.line(init(1));
    t.front.line(note('notifications/initialized'));
    expect(t.wants).toEqual([false]);
    const call = req(2, 'tools/call', { name: 'get_quick_status', arguments: {} });
    t.front.line(call);
    t.front.line(req(3, 'tools/list', { cursor: 'x' }));
    t.front.line('not json');
    expect(t.wants).toEqual([false, true, true]);
    expect(t.answers).toHaveLength(1);

    t.attach();
    expect(t.fed.map((l) => (l.startsWith('{') ? JSON.parse(l) : l))).toEqual([
      { ...JSON.parse(init(1)), id: REPLAY_ID },
      JSON.parse(note('notifications/initialized')),
      JSON.parse(call),
      JSON.parse(req(3, 'tools/list', { cursor: 'x' })),
      'not json',
    ]);
    // Attached: every line goes to the SDK, lists included.
    t.front.line(req(4, 'tools/list'));
    expect(t.fed.at(-1)).toBe(req(4, 'tools/list'));
    expect(t.answers).toHaveLength(1);
  });

  it('leaves a session that does not start with a plain initialize to the SDK entirely', () => {
    for (const first of [
      req(1, 'server/discover'),
      req(1, 'initialize', { protocolVersion: '2025-06-18', capabilities: {} }),
      req(1, 'tools/list'),
    ]) {
      const t = setUp();
      t.front.line(first);
      t.front.line(init(2));
      t.front.line(req(3, 'ping'));
      expect(t.answers).toEqual([]);
      expect(t.wants[0]).toBe(true);
      t.attach();
      expect(t.fed).toEqual([first, init(2), req(3, 'ping')]);
    }
  });

  it('a second initialize goes to the SDK, which answers it as it would', () => {
    const t = setUp();
    t.front.line(init(1));
    t.front.line(init(2));
    expect(t.answers).toHaveLength(1);
    expect(t.wants).toEqual([false, true]);
  });
});
