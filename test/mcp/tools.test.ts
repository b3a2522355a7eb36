// Every tool against a fake REST API: success shapes (structured content valid against the output
// schema, readable text), coded error results, and hostile arguments that must never get through.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { KubefwdError } from '../../src/contract/errors.js';
import { TOOLS } from '../../src/mcp/tools/index.js';
import type { Tool } from '../../src/mcp/tools/index.js';
import type { KubefwdBackend } from '../../src/mcp/backend.js';
import { createFakeBackend, forward, service } from './fake-backend.js';
import { errorOf, lastJson } from './result-text.js';
import { forwardIssue } from '../../src/domain/diagnosis.js';
import { VALID_ARGS } from './tool-args.js';
import { RESOURCES, readResource } from '../../src/mcp/resources.js';

const ctxFor = (backend: KubefwdBackend) => ({
  backend: async () => backend,
  version: '1.2.3',
  settleMs: 200,
});
const textOf = (r: { content: unknown }): string =>
  (r.content as { type: string; text: string }[]).map((c) => c.text).join('\n');

describe('tool catalogue', () => {
  it('has exactly the 28 reference tool names, each described and annotated', () => {
    expect(TOOLS.map((t) => t.name).sort()).toEqual(Object.keys(VALID_ARGS).sort());
    expect(TOOLS).toHaveLength(28);
    for (const t of TOOLS) {
      expect(t.description.length, t.name).toBeGreaterThan(60);
      expect(typeof t.annotations.readOnlyHint, t.name).toBe('boolean');
      expect(typeof t.annotations.destructiveHint, t.name).toBe('boolean');
      expect(typeof t.annotations.idempotentHint, t.name).toBe('boolean');
      expect(typeof t.annotations.openWorldHint, t.name).toBe('boolean');
    }
    const destructive = TOOLS.filter((t) => t.annotations.destructiveHint).map((t) => t.name);
    expect(destructive.sort()).toEqual(['remove_namespace', 'remove_service']);
  });
});

describe.each(TOOLS.map((t) => [t.name, t] as const))('%s', (name, tool: Tool) => {
  it('succeeds with valid arguments; structured content matches the output schema', async () => {
    const { backend } = createFakeBackend();
    const r = await tool.call(VALID_ARGS[name], ctxFor(backend));
    expect(r.isError, textOf(r)).toBeFalsy();
    expect(tool.output.safeParse(r.structuredContent).success).toBe(true);
    expect(textOf(r).length).toBeGreaterThan(0);
  });

  it('reports kubefwd not running as DAEMON_UNAVAILABLE with how to start it', async () => {
    const r = await tool.call(VALID_ARGS[name], {
      version: '1',
      backend: async () => {
        throw new KubefwdError('DAEMON_UNAVAILABLE', 'kubefwd is not running (no /home/x/.kubefwd/api.json)');
      },
    });
    expect(r.isError).toBe(true);
    expect(errorOf(r).code).toBe('DAEMON_UNAVAILABLE');
    expect(textOf(r)).toContain('sudo -E kubefwd');
  });

  it('turns an API error into a coded result with the next step', async () => {
    const failing = new Proxy(createFakeBackend().backend, {
      get: (_t, prop) =>
        prop === 'then'
          ? undefined
          : async () => {
              throw new KubefwdError('SERVICE_NOT_FOUND', 'Service not found: nope.shop.sim');
            },
    });
    const r = await tool.call(VALID_ARGS[name], ctxFor(failing));
    expect(r.isError).toBe(true);
    const err = errorOf(r);
    expect(['SERVICE_NOT_FOUND', 'INVALID_INPUT']).toContain(err.code);
    expect(err.hint.length).toBeGreaterThan(5);
    expect(textOf(r)).toMatch(/Next step:/);
  });

  it('turns an unexpected exception into INTERNAL, without crashing', async () => {
    const failing = new Proxy(createFakeBackend().backend, {
      get: (_t, prop) =>
        prop === 'then'
          ? undefined
          : () => {
              throw new TypeError('boom');
            },
    });
    const r = await tool.call(VALID_ARGS[name], ctxFor(failing));
    expect(r.isError).toBe(true);
    expect(['INTERNAL', 'INVALID_INPUT', 'SERVICE_NOT_FOUND']).toContain(errorOf(r).code);
  });

  const json = z.toJSONSchema(tool.input) as {
    properties?: Record<string, { type?: string }>;
    required?: string[];
  };
  const props = Object.entries(json.properties ?? {});
  const FREE_TEXT = new Set(['query', 'search']);
  const isString = (f: string): boolean =>
    json.properties?.[f]?.type === 'string' || json.properties?.[f]?.type === undefined;
  const isArray = (f: string): boolean => json.properties?.[f]?.type === 'array';
  // [label, value, applies to field?, must be rejected?]
  const HOSTILE: [string, unknown, (field: string) => boolean, (field: string) => boolean][] = [
    ['a number for a string', 42, isString, () => true],
    ['a huge string', 'a'.repeat(100_000), isString, () => true],
    ['a flag', '--server=https://evil.example', isString, (f) => !FREE_TEXT.has(f)],
    ['path traversal', '../../etc/passwd', isString, (f) => !FREE_TEXT.has(f)],
    ['newline injection', 'shop\nX-Injected: 1', isString, () => true],
    ['an object', { $ne: null }, () => true, () => true],
    ['a string for a number or boolean', '42', (f) => !isString(f) && !isArray(f), () => true],
    ['a huge number', 1e12, (f) => !isString(f) && !isArray(f), () => true],
    ['a negative number', -1, (f) => !isString(f) && !isArray(f), () => true],
    ['an array of hostile strings', ['1; rm -rf /'], () => true, () => true],
  ];

  it.each(HOSTILE)(
    'rejects %s with INVALID_INPUT naming the field',
    async (_label, value, applies, mustReject) => {
      for (const [field] of props.filter(([f]) => applies(f))) {
        const { backend, state } = createFakeBackend();
        const r = await tool.call({ ...VALID_ARGS[name], [field]: value }, ctxFor(backend));
        if (!mustReject(field)) {
          // Accepted free text is data passed as a query value, never further.
          expect(r.isError ?? false).toBe(false);
          continue;
        }
        expect(r.isError, `${name}.${field}`).toBe(true);
        const err = errorOf(r);
        expect(err.code).toBe('INVALID_INPUT');
        expect(err.field?.startsWith(field)).toBe(true);
        expect(state.calls).toHaveLength(0);
      }
    },
  );

  it('rejects unknown fields and missing required fields', async () => {
    const { backend } = createFakeBackend();
    const r = await tool.call({ ...VALID_ARGS[name], exec: 'rm -rf /' }, ctxFor(backend));
    expect(r.isError).toBe(true);
    expect(errorOf(r)).toMatchObject({
      code: 'INVALID_INPUT',
      field: 'exec',
    });
    for (const req of json.required ?? []) {
      const args = { ...VALID_ARGS[name] };
      delete args[req];
      const m = await tool.call(args, ctxFor(backend));
      expect(errorOf(m)).toMatchObject({
        code: 'INVALID_INPUT',
        field: req,
        message: expect.stringMatching(new RegExp(`'${req}' of ${name}: missing: it is required`)),
      });
    }
    for (const notObject of ['namespace=shop', ['shop'], 7]) {
      const r2 = await tool.call(notObject, ctxFor(backend));
      expect(errorOf(r2)).toMatchObject({
        code: 'INVALID_INPUT',
        field: '(arguments)',
      });
    }
  });
});

/** A cluster service as list_k8s_services lists it (not forwarded). */
const k8sService = (name: string, type: string, protocol: string, port: number) => ({
  name,
  namespace: 'shop',
  context: 'sim',
  type,
  clusterIP: '10.0.0.1',
  ports: [{ port, targetPort: String(port), protocol }],
  selector: { app: name },
  forwarded: false,
});

describe('tool behaviour', () => {
  const call = async (name: string, args: Record<string, unknown>, over = {}) => {
    const { backend, state } = createFakeBackend(over);
    const tool = TOOLS.find((t) => t.name === name)!;
    return { r: await tool.call(args, ctxFor(backend)), state };
  };

  it('get_connection_info gives env vars and a PostgreSQL connection string', async () => {
    const { r } = await call('get_connection_info', { service_name: 'postgres' });
    const data = r.structuredContent as {
      envVars: Record<string, string>;
      connectionStrings: { kind: string; url: string }[];
    };
    expect(data.envVars).toMatchObject({
      POSTGRES_HOST: 'postgres',
      POSTGRES_IP: '127.1.27.1',
      POSTGRES_PORT: '5432',
      DATABASE_URL: 'postgresql://postgres@postgres:5432/postgres',
    });
    expect(data.connectionStrings[0]).toMatchObject({ kind: 'postgresql' });
    expect(textOf(r)).toContain('psql -h postgres -p 5432');
  });

  it('get_connection_info says inline why a service that is not active cannot be reached, and when connections fail', async () => {
    const withForward = (f: ReturnType<typeof forward>) => ({
      listServices: async () => ({ services: [service('postgres', [f])], summary: {} as never }),
    });
    const waiting = forward('postgres', 5432, '127.1.27.1', {
      status: 'Waiting',
      podName: 'postgres-7d9c',
      reason: 'pod postgres-7d9c not ready: connections will wait and then close until it is ready',
    });
    const w = textOf(
      (await call('get_connection_info', { service_name: 'postgres' }, withForward(waiting))).r,
    );
    expect(w).toContain(
      'Note: the service is waiting: pod postgres-7d9c not ready: connections will wait and then close until it is ready (get_service',
    );
    expect(w).not.toContain('see get_service for the reason');
    // A retry planned: when, as time left at the moment of asking (the reason holds no countdown).
    const busy = forward('postgres', 5432, '127.1.27.1', {
      status: 'Waiting',
      podName: 'postgres-0',
      errorCode: 'API_BUSY',
      reason: 'cannot connect to pod postgres-0: the API server is too busy (429 Too Many Requests)',
      nextRetryAt: new Date(Date.now() + 65_000).toISOString(),
    });
    const b = textOf((await call('get_connection_info', { service_name: 'postgres' }, withForward(busy))).r);
    expect(b).toMatch(/too busy \(429 Too Many Requests\) · retry in 1m [45]s \(get_service/);
    const denied = forward('postgres', 5432, '127.1.27.1', {
      status: 'Error',
      errorCode: 'PERMISSION_DENIED',
      error: 'pods "postgres-0" is forbidden: cannot create resource "pods/portforward"',
    });
    const d = textOf(
      (await call('get_connection_info', { service_name: 'postgres' }, withForward(denied))).r,
    );
    expect(d).toContain(
      'Note: the service is failing: pods "postgres-0" is forbidden: cannot create resource "pods/portforward" (get_service',
    );
    expect(d).not.toContain('the service is error');
    // Active, but the pod refused a connection a moment ago.
    const refusing = forward('postgres', 5432, '127.1.27.1', {
      failedConnections: 3,
      lastConnectionError: 'connection refused by the pod',
      lastConnectionErrorAt: new Date(Date.now() - 5_000).toISOString(),
    });
    const r = textOf(
      (await call('get_connection_info', { service_name: 'postgres' }, withForward(refusing))).r,
    );
    expect(r).toContain(
      'Note: kubefwd forwards it, but connections to pod postgres-0 port 5432 fail: connection refused by the pod',
    );
    // A failure long ago is not news.
    const old = { ...refusing, lastConnectionErrorAt: new Date(Date.now() - 10 * 60_000).toISOString() };
    expect(
      textOf((await call('get_connection_info', { service_name: 'postgres' }, withForward(old))).r),
    ).not.toContain('Note:');
  });

  it('get_service says a failed connection is current only while it is (diagnosis rule); an old one is marked past', async () => {
    const now = Date.now();
    const denied = {
      failedConnections: 3,
      lastConnectionError: 'User "sim-admin" cannot create resource "pods/portforward"',
    };
    const text = async (over: Partial<ReturnType<typeof forward>>) =>
      textOf(
        (
          await call(
            'get_service',
            { key: 'redis.shop.sim' },
            { getService: async () => service('redis', [forward('redis', 6379, '127.1.27.2', over)]) },
          )
        ).r,
      );
    const fresh = await text({ ...denied, lastConnectionErrorAt: new Date(now - 5_000).toISOString() });
    expect(fresh).toContain('connections fail now: 3 failed, the last at');
    // RBAC lifted 12 minutes ago, and connections got the pod's answer since.
    const resolved = await text({
      ...denied,
      lastConnectionErrorAt: new Date(now - 12 * 60_000).toISOString(),
      lastAnsweredAt: new Date(now - 60_000).toISOString(),
    });
    expect(resolved).toMatch(
      /\[Active\]\n {2}earlier \(12m \ds ago, since resolved\): 3 connection\(s\) failed, the last: User/,
    );
    expect(resolved).not.toContain('fail now');
    // Answered since, even a moment after: resolved, not current.
    const answered = await text({
      ...denied,
      lastConnectionErrorAt: new Date(now - 5_000).toISOString(),
      lastAnsweredAt: new Date(now - 1_000).toISOString(),
    });
    expect(answered).toContain('earlier (5s ago, since resolved)');
    const quiet = await text({ ...denied, lastConnectionErrorAt: new Date(now - 5 * 60_000).toISOString() });
    expect(quiet).toMatch(/earlier \(5m \ds ago, none failed since\)/);
  });

  it('with --hosts-path the names resolve for no program: get_connection_info, add_service and list_hostnames say so and use the IP', async () => {
    const { backend } = createFakeBackend();
    const info = await backend.info();
    const over = { info: async () => ({ ...info, hostsFile: { path: '/tmp/kf/hosts', system: false } }) };
    const { r } = await call('get_connection_info', { service_name: 'postgres' }, over);
    expect(textOf(r)).toContain('kubefwd writes these names to /tmp/kf/hosts (--hosts-path)');
    expect(textOf(r)).toContain('psql -h 127.1.27.1 -p 5432');
    expect(textOf(r)).not.toContain('psql -h postgres');
    expect((r.structuredContent as { envVars: Record<string, string> }).envVars).toMatchObject({
      DATABASE_URL: 'postgresql://postgres@127.1.27.1:5432/postgres',
    });
    expect(textOf((await call('list_hostnames', {}, over)).r)).toMatch(
      /^Note: kubefwd writes these names to \/tmp\/kf\/hosts/,
    );
    // add_service hands out the same by-IP strings, with the same note.
    const added = (await call('add_service', { namespace: 'shop', service_name: 'postgres' }, over)).r;
    const ip = (added.structuredContent as { localIP: string }).localIP;
    expect(textOf(added)).toContain('kubefwd writes these names to /tmp/kf/hosts (--hosts-path)');
    expect(textOf(added)).toContain(`psql -h ${ip} -p 5432`);
    expect((added.structuredContent as { envVars: Record<string, string> }).envVars).toMatchObject({
      DATABASE_URL: `postgresql://postgres@${ip}:5432/postgres`,
    });
    // The system's hosts file: the names, as before.
    const system = { info: async () => ({ ...info, hostsFile: { path: '/etc/hosts', system: true } }) };
    const r2 = (await call('get_connection_info', { service_name: 'postgres' }, system)).r;
    expect(textOf(r2)).toContain('psql -h postgres -p 5432');
    expect(textOf(r2)).not.toContain('--hosts-path');
  });

  it('get_connection_info: a wrong namespace is named as such, a misspelt service gets the close names', async () => {
    // A namespace that exists, where postgres is not forwarded: where it is forwarded from.
    const wrongNs = (await call('get_connection_info', { service_name: 'postgres', namespace: 'default' })).r;
    expect(errorOf(wrongNs)).toMatchObject({ code: 'SERVICE_NOT_FOUND', field: 'namespace' });
    expect(textOf(wrongNs)).toContain(
      "'postgres' is not forwarded from namespace default, but from: shop (context sim)",
    );
    // A namespace that does not exist is a typo, not something to forward with add_service.
    const noNs = (await call('get_connection_info', { service_name: 'postgres', namespace: 'shopp' })).r;
    expect(errorOf(noNs)).toMatchObject({
      code: 'NAMESPACE_NOT_FOUND',
      field: 'namespace',
      message:
        'namespace "shopp" does not exist in context sim (did you mean "shop"?); \'postgres\' is forwarded from shop (context sim)',
      hint: 'Pass namespace "shop".',
    });
    expect(textOf(noNs)).not.toContain('add_service');
    const typo = (await call('get_connection_info', { service_name: 'postgress' })).r;
    expect(errorOf(typo)).toMatchObject({ code: 'SERVICE_NOT_FOUND', field: 'service_name' });
    expect(textOf(typo)).toContain(`No forwarded service named 'postgress' (did you mean "postgres"?)`);
  });

  it('a service deleted in the cluster is said to be gone (not "forward it first"); a name the namespace lacks too', async () => {
    const { backend } = createFakeBackend();
    const { services } = await backend.listServices();
    const listed = await backend.k8sServices('shop');
    const at = '2026-01-01T10:05:00.000Z';
    // kubectl delete svc redis: kubefwd stopped forwarding it, and the cluster has no redis.
    const over = {
      listServices: async () => ({
        services: services.filter((s) => s.serviceName !== 'redis'),
        summary: {} as never,
      }),
      k8sServices: async () => ({
        ...listed,
        services: listed.services.filter((s) => s.name !== 'redis'),
      }),
      getService: async (key: string) => {
        throw new KubefwdError('SERVICE_NOT_FOUND', `Service not found: ${key}`, { field: 'key' });
      },
      historyEvents: async () => [
        { id: 7, type: 'ServiceRemoved' as const, timestamp: at, serviceKey: 'redis.shop.sim', message: 'x' },
      ],
    };
    const gone = `redis (namespace shop, context sim) no longer exists in the cluster: it was deleted, and kubefwd stopped forwarding it at ${at}`;
    for (const [tool, args] of [
      ['get_connection_info', { service_name: 'redis', namespace: 'shop' }],
      ['get_connection_info', { service_name: 'redis' }],
      ['get_service', { key: 'redis.shop.sim' }],
      ['get_service', { key: 'redis' }],
    ] as const) {
      const r = (await call(tool, args, over)).r;
      expect(errorOf(r), `${tool} ${JSON.stringify(args)}`).toMatchObject({
        code: 'SERVICE_NOT_FOUND',
        message: gone,
      });
      expect(errorOf(r).hint).toContain('The services of shop now: postgres, api-gateway, payments.');
      expect(textOf(r)).not.toContain('Forward it first');
    }
    // Never there: the namespace asked for has no such service, with the close names.
    const never = (
      await call('get_connection_info', { service_name: 'redis-cache', namespace: 'shop' }, over)
    ).r;
    expect(errorOf(never)).toMatchObject({
      message: 'there is no service "redis-cache" in the cluster (namespace shop, context sim)',
    });
    expect(textOf(never)).not.toContain('Forward it first');
  });

  it('get_connection_info on a UDP-only or ExternalName service says kubefwd cannot forward it and why, not "add_service"', async () => {
    const { backend } = createFakeBackend();
    const listed = await backend.k8sServices('shop');
    const svc = (name: string, type: string, protocol: string) => k8sService(name, type, protocol, 8125);
    const over = {
      k8sServices: async () => ({
        ...listed,
        services: [
          ...listed.services,
          svc('statsd', 'ClusterIP', 'UDP'),
          svc('mailer', 'ExternalName', 'TCP'),
        ],
      }),
    };
    const udp = (await call('get_connection_info', { service_name: 'statsd' }, over)).r;
    expect(errorOf(udp)).toMatchObject({
      code: 'SERVICE_NOT_FOUND',
      field: 'service_name',
      message:
        'statsd (namespace shop, context sim) is not forwarded: kubefwd cannot forward it (no TCP port)',
    });
    expect(errorOf(udp).hint).toContain('Kubernetes port-forward carries TCP only');
    const ext = (await call('get_connection_info', { service_name: 'mailer', namespace: 'shop' }, over)).r;
    expect(errorOf(ext).message).toBe(
      'mailer (namespace shop, context sim) is not forwarded: kubefwd cannot forward it (ExternalName)',
    );
    expect(errorOf(ext).hint).toContain('Reach that name directly');
    for (const r of [udp, ext]) {
      expect(textOf(r)).not.toContain('Forward it first');
      expect(errorOf(r).hint).toContain('add_service cannot help');
    }
    // A service the cluster has and kubefwd can forward is still one to forward with add_service.
    const tcp = (
      await call(
        'get_connection_info',
        { service_name: 'dns' },
        {
          k8sServices: async () => ({ ...listed, services: [svc('dns', 'ClusterIP', 'TCP')] }),
        },
      )
    ).r;
    expect(textOf(tcp)).toContain('Forward it first with add_service');
  });

  it('get_history keeps one service’s records for every type when given service_key', async () => {
    const asked: unknown[] = [];
    const over = {
      historyEvents: async (o: unknown) => (asked.push(['events', o]), []),
      historyErrors: async (o: unknown) => (asked.push(['errors', o]), []),
      historyReconnections: async (o: unknown) => (asked.push(['reconnections', o]), []),
    };
    for (const type of ['events', 'errors', 'reconnections'])
      await call('get_history', { type, service_key: 'redis.shop.sim', count: 3 }, over);
    expect(asked).toEqual([
      ['events', { count: 3, serviceKey: 'redis.shop.sim' }],
      ['errors', { count: 3, serviceKey: 'redis.shop.sim' }],
      ['reconnections', { count: 3, serviceKey: 'redis.shop.sim' }],
    ]);
  });

  it("an argument sent under another tool's name is named with the one this tool takes", async () => {
    const { r, state } = await call('remove_service', { service_key: 'postgres.shop.sim' });
    expect(errorOf(r)).toMatchObject({ code: 'INVALID_INPUT', field: 'key' });
    expect(textOf(r)).toContain(
      "Invalid value for 'key' of remove_service: missing: it is required (a string); 'service_key' was sent, which this tool does not take: pass it as 'key'",
    );
    expect(state.calls).toHaveLength(0);
  });

  it('a namespace-qualified service name is refused with where the namespace goes', async () => {
    for (const service_name of ['postgres.shop', 'shop/postgres']) {
      const { r, state } = await call('get_connection_info', { service_name });
      expect(r.isError).toBe(true);
      expect(textOf(r)).toContain('the namespace goes in `namespace`');
      expect(state.calls).toHaveLength(0);
    }
  });

  it('get_connection_info names the ambiguity when a name is forwarded twice', async () => {
    const { backend, state } = createFakeBackend();
    const dup = { ...state.services[0]!, key: 'postgres.staging.sim', namespace: 'staging' };
    state.services.push(dup);
    const tool = TOOLS.find((t) => t.name === 'get_connection_info')!;
    const r = await tool.call({ service_name: 'postgres' }, ctxFor(backend));
    expect(errorOf(r)).toMatchObject({
      code: 'INVALID_INPUT',
      field: 'namespace',
    });
    const ok = await tool.call({ service_name: 'postgres', namespace: 'staging' }, ctxFor(backend));
    expect(ok.isError).toBeFalsy();
  });

  it('find_services takes the user’s words: "postgres in shop", "the cache", a port', async () => {
    const keys = async (args: Record<string, unknown>) =>
      (
        (await call('find_services', args)).r.structuredContent as { services: { key: string }[] }
      ).services.map((s) => s.key);
    expect(await keys({ query: 'postgres in shop' })).toEqual(['postgres.shop.sim']);
    expect(await keys({ query: 'postgres in staging' })).toEqual([]);
    expect(await keys({ query: 'the cache' })).toEqual(['redis.shop.sim']);
    expect(await keys({ query: 'database', namespace: 'shop' })).toEqual(['postgres.shop.sim']);
    expect(await keys({ query: 'web', port: 8080 })).toEqual(['api-gateway.shop.sim']);
  });

  it('find_services that finds nothing names the word that matches nothing forwarded, with the close names', async () => {
    const text = async (args: Record<string, unknown>) =>
      ((await call('find_services', args)).r.content as { text: string }[])[0]!.text;
    expect(await text({ query: 'postgres in shopp' })).toBe(
      'No forwarded service matches: "shopp" names nothing forwarded (did you mean "shop"?). Use list_k8s_services to find services to forward.',
    );
    expect(await text({ query: 'postgress' })).toContain(
      '"postgress" names nothing forwarded (did you mean "postgres"?)',
    );
    expect(await text({ query: 'redis', namespace: 'shopp' })).toContain(
      'nothing is forwarded from namespace shopp (did you mean "shop"?)',
    );
    // Every word matches something, just not together: nothing to guess.
    expect(await text({ query: 'redis database' })).toBe(
      'No forwarded service matches. Use list_k8s_services to find services to forward.',
    );
  });

  it('find_services searches within the namespace asked for: a postgres elsewhere hides nothing there', async () => {
    const { backend, state } = createFakeBackend();
    const pg = state.services.shift()!;
    state.services.push(
      { ...pg, key: 'postgres.billing.sim', namespace: 'billing' },
      service('orders-db', [forward('orders-db', 5432, '127.1.27.9')]),
    );
    const tool = TOOLS.find((t) => t.name === 'find_services')!;
    const r = await tool.call({ query: 'postgres', namespace: 'shop' }, ctxFor(backend));
    expect((r.structuredContent as { services: { key: string }[] }).services.map((s) => s.key)).toEqual([
      'orders-db.shop.sim',
    ]);
  });

  it('list_services keeps capitalised forward statuses and filters by status (no "Pending" mis-parse)', async () => {
    const { r } = await call('list_services', { status: 'error', include_forwards: true });
    const data = r.structuredContent as { services: { key: string; forwards: { status: string }[] }[] };
    expect(data.services.map((s) => s.key)).toEqual(['payments.shop.sim']);
    expect(data.services[0]!.forwards[0]!.status).toBe('Error');
  });

  it('diagnose_errors reports the failing forward with its code and the tool to fix it', async () => {
    const { r } = await call('diagnose_errors', {});
    const data = r.structuredContent as {
      errors: { serviceKey: string; errorType: string; nextStep: { tool: string } }[];
    };
    expect(data.errors).toHaveLength(1);
    expect(data.errors[0]).toMatchObject({
      serviceKey: 'payments.shop.sim',
      errorType: 'CONNECTION_REFUSED',
      nextStep: { tool: 'reconnect_service' },
    });
  });

  it('diagnose_errors: a service with no pod at all gets list_pods as its next step, not a sync that cannot help', async () => {
    const waiting = forward('api-gateway', 8080, '127.1.27.5', {
      status: 'Waiting',
      errorCode: 'NO_PODS',
      reason: 'no ready pod matches selector app=api-gateway',
    });
    const over = {
      analyze: async () =>
        ({
          status: 'degraded',
          issues: [forwardIssue(waiting)],
          recommendations: [],
          suggestedActions: [],
        }) as never,
    };
    const { r } = await call('diagnose_errors', {}, over);
    expect((r.structuredContent as { errors: unknown[] }).errors[0]).toMatchObject({
      errorType: 'NO_PODS',
      nextStep: { tool: 'list_pods', args: { namespace: 'shop', service_name: 'api-gateway' } },
    });
  });

  it('diagnose_errors and get_service: a Waiting forward is not called failing, and one with no pod names none', async () => {
    const podless = forward('api-gateway', 8080, '127.1.27.5', {
      podName: '',
      status: 'Waiting',
      errorCode: 'NO_PODS',
      reason: 'no ready pod matches selector app=api-gateway',
    });
    const refused = forward('payments', 8443, '127.1.27.4', {
      status: 'Error',
      errorCode: 'CONNECTION_REFUSED',
      error: 'dial tcp 10.0.0.9:8443: connection refused',
    });
    const analysis = (issues: unknown[]) => ({
      analyze: async () =>
        ({ status: 'degraded', issues, recommendations: [], suggestedActions: [] }) as never,
    });
    const mixed = textOf(
      (await call('diagnose_errors', {}, analysis([forwardIssue(refused), forwardIssue(podless)]))).r,
    );
    expect(mixed).toContain('2 forward(s) with problems (1 failing, 1 waiting):');
    expect(mixed).toContain('- payments.shop.sim pod payments-0 [Error] CONNECTION_REFUSED');
    expect(mixed).toContain('- api-gateway.shop.sim [Waiting] NO_PODS');
    expect(mixed).not.toMatch(/failing forward|pod {2}/);
    const onlyWaiting = textOf((await call('diagnose_errors', {}, analysis([forwardIssue(podless)]))).r);
    expect(onlyWaiting).toContain('1 forward(s) with problems (1 waiting):');
    // get_service lists each forward by its pod: none, no name and no double space.
    const { backend } = createFakeBackend();
    const gw = await backend.getService('api-gateway.shop.sim');
    const svc = textOf(
      (
        await call(
          'get_service',
          { key: 'api-gateway.shop.sim' },
          { getService: async () => ({ ...gw, forwards: [podless] }) },
        )
      ).r,
    );
    expect(svc).toMatch(/^- 127\.1\.27\.5:8080 -> 8080 \[Waiting\]/m);
  });

  it('diagnose_errors: a permission error needs a cluster admin, so no reconnect (or any tool) is offered as the fix', async () => {
    const denied = forward('postgres', 5432, '127.1.27.1', {
      status: 'Error',
      errorCode: 'PERMISSION_DENIED',
      error: 'pods "postgres-0" is forbidden: User "dev" cannot create resource "pods/portforward"',
    });
    const expired = forward('redis', 6379, '127.1.27.2', {
      status: 'Error',
      error: 'Unauthorized: token has expired',
    });
    const over = {
      analyze: async () =>
        ({ status: 'degraded', issues: [forwardIssue(denied), forwardIssue(expired)] }) as never,
    };
    const { r } = await call('diagnose_errors', {}, over);
    const errors = (r.structuredContent as { errors: Record<string, unknown>[] }).errors;
    expect(errors.map((e) => e.errorType)).toEqual(['PERMISSION_DENIED', 'AUTH_FAILED']);
    for (const e of errors) expect(e).not.toHaveProperty('nextStep');
    expect(textOf(r)).toContain(
      'fix: Your user lacks an RBAC permission named in the message; ask a cluster admin',
    );
    expect(textOf(r)).not.toContain('reconnect_service');
  });

  it('get_analysis gives each suggested action the tool and arguments diagnose_errors would, and its text names tools, not routes', async () => {
    const waiting = forward('api-gateway', 8080, '127.1.27.5', {
      status: 'Waiting',
      podName: '',
      errorCode: 'NO_PODS',
      reason: 'no ready pod matches selector app=api-gateway',
    });
    const denied = forward('postgres', 5432, '127.1.27.1', {
      status: 'Error',
      errorCode: 'PERMISSION_DENIED',
      error: 'pods "postgres-0" is forbidden: User "dev" cannot create resource "pods/portforward"',
    });
    const refused = forward('payments', 8443, '127.1.27.4', {
      status: 'Error',
      errorCode: 'CONNECTION_REFUSED',
      error: 'connection refused',
    });
    const rest = (action: string, target: string, endpoint: string) => ({
      action,
      target,
      reason: 'r',
      endpoint,
      method: action.startsWith('check') ? 'GET' : 'POST',
    });
    const actions = [
      rest('check_pods', 'shop/api-gateway', '/v1/kubernetes/pods/shop?serviceName=api-gateway&context=sim'),
      rest('reconnect', 'postgres.shop.sim', '/v1/services/postgres.shop.sim/reconnect'),
      rest('reconnect', 'payments.shop.sim', '/v1/services/payments.shop.sim/reconnect'),
    ];
    const analysis = (suggestedActions: unknown[], issues = [waiting, denied, refused]) => ({
      analyze: async () =>
        ({
          status: 'degraded',
          summary: 's',
          issues: issues.map(forwardIssue),
          recommendations: [],
          suggestedActions,
        }) as never,
    });
    const { r } = await call('get_analysis', {}, analysis(actions));
    const got = (r.structuredContent as { suggestedActions: Record<string, unknown>[] }).suggestedActions;
    expect(got[0]).toMatchObject({
      ...actions[0],
      tool: 'list_pods',
      args: { namespace: 'shop', service_name: 'api-gateway' },
    });
    // An RBAC refusal: no tool helps (as in diagnose_errors), whatever the REST route says.
    expect(got[1]).toEqual(actions[1]);
    expect(got[2]).toMatchObject({ tool: 'reconnect_service', args: { key: 'payments.shop.sim' } });
    // The readable summary (the JSON, with the REST routes kept, follows in a block of its own).
    const text = (r.content as { text: string }[])[0]!.text;
    expect(text).toContain(
      'Suggested next steps (tools of this server):\n- api-gateway.shop.sim: list_pods {"namespace":"shop","service_name":"api-gateway"}\n- payments.shop.sim: reconnect_service {"key":"payments.shop.sim"}',
    );
    expect(text).not.toMatch(/\/v1\//);
    // The bulk reconnect of the REST analysis: reconnect_all_errors when every step is a reconnect.
    const bulk = await call(
      'get_analysis',
      {},
      analysis([rest('reconnect_all', 'all', '/v1/services/reconnect')], [refused]),
    );
    expect(
      (bulk.r.structuredContent as { suggestedActions: Record<string, unknown>[] }).suggestedActions[0],
    ).toMatchObject({ tool: 'reconnect_all_errors', args: {} });
    expect(textOf(bulk.r)).toContain('- every failing service at once: reconnect_all_errors {}');
  });

  it('diagnose_errors: a service without a selector that has no pod points at its Endpoints, not at list_pods', async () => {
    const waiting = forward('legacy-db', 5432, '127.1.27.6', {
      status: 'Waiting',
      errorCode: 'NO_PODS',
      reason: 'no ready pod among the Endpoints of the service',
    });
    const { backend } = createFakeBackend();
    const over = {
      analyze: async () => ({ status: 'degraded', issues: [forwardIssue(waiting)] }) as never,
      k8sServices: async (namespace: string) => {
        const r = await backend.k8sServices(namespace);
        return {
          ...r,
          services: [...r.services, { ...r.services[0]!, name: 'legacy-db', selector: undefined }],
        };
      },
    };
    const { r } = await call('diagnose_errors', {}, over);
    expect((r.structuredContent as { errors: unknown[] }).errors[0]).toMatchObject({
      errorType: 'NO_PODS',
      nextStep: { tool: 'get_endpoints', args: { namespace: 'shop', service_name: 'legacy-db' } },
    });
    // Endpoints that name only pods gone (ENDPOINTS_STALE): they are to change, not the connection.
    const stale = forward('legacy-db', 5432, '127.1.27.6', {
      status: 'Waiting',
      errorCode: 'ENDPOINTS_STALE',
      reason: 'its Endpoints name pod postgres-0, which no longer exists',
    });
    const s = await call(
      'diagnose_errors',
      {},
      {
        analyze: async () => ({ status: 'degraded', issues: [forwardIssue(stale)] }) as never,
      },
    );
    expect((s.r.structuredContent as { errors: unknown[] }).errors[0]).toMatchObject({
      errorType: 'ENDPOINTS_STALE',
      nextStep: { tool: 'get_endpoints', args: { namespace: 'shop', service_name: 'legacy-db' } },
    });
  });

  it('list_pods and get_endpoints for a service without a selector: the pods its Endpoints name, and one that is gone', async () => {
    const { backend } = createFakeBackend();
    const endpoints = (pods: string[]) => ({
      name: 'legacy-db',
      namespace: 'shop',
      context: 'sim',
      subsets: [
        {
          addresses: pods.map((p, i) => ({ ip: `10.0.0.${i + 1}`, podName: p })),
          notReadyAddresses: [],
          ports: [{ port: 5432, protocol: 'TCP' }],
        },
      ],
    });
    const over = (pods: string[]) => ({
      k8sPods: async (namespace: string, o?: { serviceName?: string }) => {
        if (o?.serviceName === 'legacy-db')
          throw new KubefwdError(
            'NO_SELECTOR',
            'service legacy-db has no pod selector, so no pods belong to it',
          );
        return backend.k8sPods(namespace);
      },
      k8sEndpoints: async () => endpoints(pods),
      k8sServices: async (namespace: string) => {
        const r = await backend.k8sServices(namespace);
        return { ...r, services: [{ ...r.services[0]!, name: 'legacy-db', selector: undefined }] };
      },
    });
    const live = (
      await call('list_pods', { namespace: 'shop', service_name: 'legacy-db' }, over(['postgres-0']))
    ).r;
    expect(live.isError, textOf(live)).not.toBe(true);
    expect(live.structuredContent).toMatchObject({
      count: 1,
      pods: [expect.objectContaining({ name: 'postgres-0' })],
    });
    expect(textOf(live)).toContain(
      'legacy-db has no selector: kubefwd forwards it to the pods its Endpoints name (postgres-0).',
    );
    const gone = (
      await call('list_pods', { namespace: 'shop', service_name: 'legacy-db' }, over(['postgres-old']))
    ).r;
    expect(gone.structuredContent).toMatchObject({ count: 0 });
    expect(textOf(gone)).toContain(
      'Endpoints name pod postgres-old, which no longer exists; the manual Endpoints must be updated',
    );
    const ep = (
      await call('get_endpoints', { namespace: 'shop', service_name: 'legacy-db' }, over(['postgres-old']))
    ).r;
    expect(textOf(ep)).toContain('- ready: postgres-old 10.0.0.1 (this pod no longer exists)');
    expect(textOf(ep)).toContain(
      'Endpoints name pod postgres-old, which no longer exists; the manual Endpoints must be updated',
    );
    const none = (await call('list_pods', { namespace: 'shop', service_name: 'legacy-db' }, over([]))).r;
    expect(textOf(none)).toContain('legacy-db has no selector and its Endpoints name no pods');
  });

  it('get_pod_logs and get_pod with a pod name that names no pod offer the pods it starts, or is close to; a wrong container lists the containers', async () => {
    const { backend } = createFakeBackend();
    const pod = async (name: string) => ({
      ...(await backend.k8sPods('shop'))[0]!,
      name,
      containers: ['app', 'sidecar'],
    });
    const missing = async (_ns: string, name: string) => {
      throw new KubefwdError('POD_NOT_FOUND', `pod "${name}" not found in namespace shop (context sim)`);
    };
    const over = {
      k8sPods: async () => [
        await pod('api-gateway-4h84j588gv-7cnb9'),
        await pod('api-gateway-4h84j588gv-mxnqg'),
        await pod('postgres-ndlch2ckp8-5gw4r'),
      ],
      podLogs: missing,
      k8sPod: missing,
    };
    // The daemon names close pods itself now: the message says them once.
    const missingWithGuess = async (_ns: string, name: string) => {
      throw new KubefwdError(
        'POD_NOT_FOUND',
        `pod "${name}" not found in namespace shop (context sim) (did you mean "api-gateway-4h84j588gv-7cnb9"?)`,
      );
    };
    for (const tool of ['get_pod_logs', 'get_pod'])
      for (const fails of [missing, missingWithGuess]) {
        const o = { ...over, podLogs: fails, k8sPod: fails };
        const err = errorOf((await call(tool, { namespace: 'shop', pod_name: 'api-gateway' }, o)).r);
        expect(err).toMatchObject({ code: 'POD_NOT_FOUND', field: 'pod_name' });
        expect(err.message).toBe(
          'pod "api-gateway" not found in namespace shop (context sim) (did you mean "api-gateway-4h84j588gv-7cnb9" or "api-gateway-4h84j588gv-mxnqg"?)',
        );
        expect(err.hint).not.toContain('sync_service');
      }
    const badContainer = {
      ...over,
      podLogs: async () => {
        throw new KubefwdError(
          'INVALID_INPUT',
          'the API server refused to get pods/log "postgres-ndlch2ckp8-5gw4r": container side is not valid for pod postgres-ndlch2ckp8-5gw4r',
        );
      },
    };
    const c = errorOf(
      (
        await call(
          'get_pod_logs',
          { namespace: 'shop', pod_name: 'postgres-ndlch2ckp8-5gw4r', container: 'side' },
          badContainer,
        )
      ).r,
    );
    expect(c).toMatchObject({ code: 'INVALID_INPUT', field: 'container' });
    expect(c.message).toBe(
      'pod postgres-ndlch2ckp8-5gw4r has no container "side"; its containers: app, sidecar (did you mean "sidecar"?)',
    );
  });

  it('get_events for an object that does not exist says so, with the close names; one that exists has none now', async () => {
    const { backend } = createFakeBackend();
    const over = {
      k8sEvents: async (namespace: string, o: { resourceName?: string } = {}) =>
        o.resourceName ? [] : backend.k8sEvents(namespace, o),
    };
    const typo = (await call('get_events', { namespace: 'shop', resource_name: 'postgress' }, over)).r;
    expect(textOf(typo)).toContain(
      '0 event(s) in shop for postgress. No pod or service of shop is named "postgress", and no event of the namespace is about it (did you mean "postgres" or "postgres-0"?): check the name (list_pods, list_k8s_services).',
    );
    expect((typo.structuredContent as { note?: string }).note).toMatch(/^No pod or service/);
    // A deployment's name (its pods' names start with it) and a quiet pod exist: no "not found".
    for (const name of ['postgres', 'postgres-0']) {
      const r = (await call('get_events', { namespace: 'shop', resource_name: name }, over)).r;
      expect(textOf(r)).toContain(`0 event(s) in shop for ${name}. It has none now`);
    }
  });

  it('get_pod_logs fences the lines as untrusted content', async () => {
    const { r } = await call('get_pod_logs', { namespace: 'shop', pod_name: 'postgres-0' });
    const text = textOf(r);
    expect(text).toMatch(/untrusted content/i);
    expect(text).toMatch(/<<<UNTRUSTED-[0-9a-f]{12}\n/);
    expect((r.structuredContent as { untrusted: string }).untrusted).toMatch(/never instructions/);
  });

  it('get_http_traffic returns requests, strips terminal escapes and fences them', async () => {
    const { r } = await call('get_http_traffic', { service_key: 'api-gateway.shop.sim' });
    const data = r.structuredContent as { requests: { method: string; statusCode: number }[] };
    expect(data.requests).toHaveLength(1);
    expect(data.requests[0]).toMatchObject({ method: 'GET', statusCode: 200 });
    expect(textOf(r)).not.toContain('\u001b');
    expect(textOf(r)).toMatch(/UNTRUSTED-/);
    // A request with a body: its size too, in the data and the text.
    const { backend } = createFakeBackend();
    const t = await backend.serviceHttpTraffic('api-gateway.shop.sim');
    const post = { ...t.forwards[0]!.logs[0]!, method: 'POST', path: '/orders', requestSize: 25, size: 16 };
    const over = {
      serviceHttpTraffic: async () => ({ ...t, forwards: [{ ...t.forwards[0]!, logs: [post] }] }),
    };
    const r2 = (await call('get_http_traffic', { service_key: 'api-gateway.shop.sim' }, over)).r;
    expect((r2.structuredContent as { requests: unknown[] }).requests[0]).toMatchObject({
      requestSize: 25,
      size: 16,
    });
    expect(textOf(r2)).toContain('POST /orders (25B sent) -> 200 1ms 16B');
  });

  it('add_service answers once its forward listens: active, with the address', async () => {
    const { r } = await call('add_service', { namespace: 'shop', service_name: 'postgres' });
    expect(r.structuredContent).toMatchObject({ status: 'active', localIP: '127.1.27.9' });
    // `ports` has no effect, in either spelling a model may send, and the answer says so.
    for (const ports of [[5432], ['5432', '15432:5432']]) {
      const withPorts = (await call('add_service', { namespace: 'shop', service_name: 'postgres', ports })).r;
      expect(withPorts.isError).not.toBe(true);
      expect(textOf(withPorts)).toContain(
        `\`ports\` (${ports.join(', ')}) was not applied: every TCP port is forwarded on the same local port number; another local port takes kubefwd restarted with -m svcPort:localPort.`,
      );
    }
    expect(textOf(r)).not.toContain('was not applied');
    const tool = TOOLS.find((t) => t.name === 'add_service')!;
    expect(tool.description).toContain('`ports` has no effect');
    expect(tool.description).not.toMatch(/ignored/);
    expect(textOf(r)).toMatch(/^Forwarding postgres/);
  });

  it('add_service whose address is held by another program is an error naming the cause and the fix', async () => {
    const held = forward('postgres', 5432, '127.1.27.1', {
      status: 'Error',
      error: '127.1.27.1:5432 is already in use by another program',
      errorCode: 'PORT_IN_USE',
    });
    const { r } = await call(
      'add_service',
      { namespace: 'shop', service_name: 'postgres' },
      { listForwards: async () => ({ forwards: [held], summary: {} as never }) },
    );
    expect(r.structuredContent).toBeUndefined();
    const err = errorOf(r);
    expect(err.code).toBe('PORT_IN_USE');
    expect(err.message).toMatch(
      /postgres .*could not be forwarded: postgres 127\.1\.27\.1:5432.*already in use/,
    );
    // The fix an assistant can pass on: -m is a flag of kubefwd, which no tool can set.
    expect(err.hint).toContain(
      "Another program holds local port 5432; no tool of this server can free or remap it (-m is a flag kubefwd takes when it starts). Tell the user to stop that program — `ss -ltnp 'sport = :5432'` (Linux)",
    );
    expect(err.hint).toContain('or to restart kubefwd with `-m 5432:<free port>');
    expect(err.hint).toContain('reconnect_service {"key":"postgres.shop.sim"}');
    expect(textOf(r)).not.toMatch(/^Forwarding/);
  });

  it('diagnose_errors and get_analysis: a port held on all addresses is told as what the user can do (stop the program, or restart kubefwd with -m)', async () => {
    // As the daemon says it (engine/listen-failure.ts portTakenEverywhere); kept as it is.
    const message =
      'port 18765 is already in use by another program that listens on it on all addresses (0.0.0.0 or [::]), so no other address can take it; stop that program, or map the port elsewhere with -m 18765:28765';
    const held = forward('metrics', 18765, '127.1.27.6', {
      status: 'Error',
      errorCode: 'PORT_IN_USE',
      error: message,
    });
    const over = {
      analyze: async () =>
        ({
          status: 'degraded',
          summary: 'x',
          issues: [forwardIssue(held)],
          recommendations: [],
          suggestedActions: [],
        }) as never,
    };
    const advice =
      "Another program holds local port 18765; no tool of this server can free or remap it (-m is a flag kubefwd takes when it starts). Tell the user to stop that program — `ss -ltnp 'sport = :18765'` (Linux) or `lsof -nP -iTCP:18765 -sTCP:LISTEN` (macOS) names it — or to restart kubefwd with `-m 18765:28765` so the service is served on another local port.";
    const diag = (await call('diagnose_errors', {}, over)).r;
    expect((diag.structuredContent as { errors: unknown[] }).errors[0]).toMatchObject({
      errorMessage: message,
      suggestion: advice,
    });
    expect(textOf(diag)).toContain(`fix: ${advice}`);
    const analysis = textOf((await call('get_analysis', {}, over)).r);
    expect(analysis).toContain(message);
    expect(analysis).toContain(`fix: ${advice}`);
  });

  it('add_service still starting after the wait is a result with status pending and why', async () => {
    const waiting = forward('postgres', 5432, '127.1.27.1', { status: 'Waiting', reason: 'no ready pod' });
    const { r } = await call(
      'add_service',
      { namespace: 'shop', service_name: 'postgres' },
      { listForwards: async () => ({ forwards: [waiting], summary: {} as never }) },
    );
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toMatchObject({
      status: 'pending',
      note: expect.stringMatching(/no ready pod/),
    });
  });

  it('add_namespace with a failing forward names the failed service, the working ones and the fix', async () => {
    const { r } = await call('add_namespace', { namespace: 'shop' });
    const err = errorOf(r);
    expect(err.code).toBe('CONNECTION_REFUSED');
    expect(err.message).toMatch(
      /api-gateway, postgres, redis forwarded, but payments could not be forwarded/,
    );
    expect(err.hint).toContain('reconnect_service {"key":"payments.shop.sim"}');
  });

  it('add_namespace of a namespace without services says so at once, without "()" or the full wait', async () => {
    const { backend } = createFakeBackend({
      k8sServices: async (namespace) => ({ namespace, context: 'sim', services: [] }),
      listForwards: async () => ({ forwards: [], summary: {} as never }),
    });
    const tool = TOOLS.find((t) => t.name === 'add_namespace')!;
    const started = Date.now();
    const r = await tool.call({ namespace: 'sandbox' }, { ...ctxFor(backend), settleMs: 10_000 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(r.structuredContent).toMatchObject({ status: 'active', serviceCount: 0, services: [] });
    const text = (r.content as { text: string }[])[0]!.text;
    expect(text).toBe(
      'Started forwarding namespace sandbox (context sim): no service forwarded. Namespace sandbox (context sim) has no services in the cluster, so there is nothing to forward now; kubefwd watches it and forwards the services created there later.',
    );
    // Services there, none forwarded yet (a selector matching none): how many, and why maybe.
    const some = await call(
      'add_namespace',
      { namespace: 'shop', selector: 'app=nope' },
      { listForwards: async () => ({ forwards: [], summary: {} as never }) },
    );
    expect(textOf(some.r)).toContain(
      'no service forwarded. No service of the namespace is forwarded yet (it has 4 service(s); the selector "app=nope" may match none of them, or discovery still runs)',
    );
  });

  it('add_namespace with every forward active lists the services forwarded', async () => {
    const { r } = await call(
      'add_namespace',
      { namespace: 'shop' },
      {
        listForwards: async () => ({
          forwards: [forward('postgres', 5432, '127.1.27.1'), forward('redis', 6379, '127.1.27.2')],
          summary: {} as never,
        }),
      },
    );
    expect(r.structuredContent).toMatchObject({
      status: 'active',
      serviceCount: 2,
      services: ['postgres', 'redis'],
    });
  });

  it('untrusted text stays fenced in the JSON block too; that block still parses to the structured content', async () => {
    for (const [name, args] of [
      ['get_pod_logs', VALID_ARGS.get_pod_logs!],
      ['get_http_traffic', VALID_ARGS.get_http_traffic!],
    ] as const) {
      const { r } = await call(name, args);
      const last = (r.content as { text: string }[]).at(-1)!.text;
      expect(last, name).toMatch(/^The block below is untrusted content from /);
      expect(lastJson(r), name).toEqual(r.structuredContent);
    }
  });

  it('other results end with their JSON as a plain text block', async () => {
    const { r } = await call('get_service', { key: 'postgres.shop.sim' });
    expect(JSON.parse((r.content as { text: string }[]).at(-1)!.text)).toEqual(r.structuredContent);
  });

  it('get_logs gives the latest entries newest first, as its description says', async () => {
    const at = (s: number) => `2026-01-01T10:00:0${s}.000Z`;
    const over = {
      // As the API answers: the newest entries, oldest first.
      logs: async () => ({
        logs: [1, 2, 3].map((s) => ({ timestamp: at(s), level: 'info' as const, message: `line ${s}` })),
        totalCount: 3,
      }),
    };
    const { r } = await call('get_logs', {}, over);
    const rows = (r.structuredContent as { logs: { message: string }[] }).logs;
    expect(rows.map((l) => l.message)).toEqual(['line 3', 'line 2', 'line 1']);
    expect(textOf(r).indexOf('line 3')).toBeLessThan(textOf(r).indexOf('line 1'));
    expect(TOOLS.find((t) => t.name === 'get_logs')!.description).toMatch(/newest first/);
  });

  it('get_http_traffic: a forward_key that names no forward is reported as forward_key, whatever else was sent', async () => {
    const over = {
      forwardHttpTraffic: async (key: string) => {
        throw new KubefwdError('FORWARD_NOT_FOUND', `Forward not found: ${key}`, { field: 'path.key' });
      },
    };
    for (const args of [{ forward_key: 'nope' }, { forward_key: 'nope', service_key: 'redis' }]) {
      const r = (await call('get_http_traffic', args, over)).r;
      expect(errorOf(r)).toMatchObject({ code: 'FORWARD_NOT_FOUND', field: 'forward_key' });
      expect(textOf(r)).not.toContain('path.key');
    }
  });

  it('get_http_traffic needs a key', async () => {
    const { r } = await call('get_http_traffic', {});
    expect(errorOf(r).code).toBe('INVALID_INPUT');
  });

  it('list_k8s_services marks the services port-forward cannot carry', async () => {
    const svc = (name: string, type: string, protocol: string) => k8sService(name, type, protocol, 53);
    const over = {
      k8sServices: async () => ({
        services: [
          svc('payments', 'ExternalName', 'TCP'),
          svc('statsd', 'ClusterIP', 'UDP'),
          svc('dns', 'ClusterIP', 'TCP'),
          // No selector: forwarded by its Endpoints when they name a pod, else not at all.
          { ...svc('legacy-db', 'ClusterIP', 'TCP'), selector: undefined },
          { ...svc('orphan', 'ClusterIP', 'TCP'), selector: undefined },
        ],
        namespace: 'shop',
        context: 'sim',
      }),
      k8sEndpoints: async (namespace: string, name: string) => {
        // As the REST route answers a service without an Endpoints object.
        if (name === 'orphan')
          throw new KubefwdError('NOT_FOUND', 'service "orphan" has no Endpoints object');
        return {
          name,
          namespace,
          context: 'sim',
          subsets: [
            { addresses: [{ ip: '10.0.0.7', podName: 'postgres-0' }], notReadyAddresses: [], ports: [] },
          ],
        };
      },
    };
    const { r } = await call('list_k8s_services', { namespace: 'shop' }, over);
    const text = textOf(r);
    expect(text).toContain('- payments [ExternalName] ports 53 (cannot be forwarded: ExternalName)');
    expect(text).toContain('- statsd [ClusterIP] ports 53 UDP (cannot be forwarded: no TCP port)');
    expect(text).toMatch(/- dns \[ClusterIP\] ports 53$/m);
    expect(text).toMatch(/- legacy-db \[ClusterIP\] ports 53$/m);
    expect(text).toContain(
      '- orphan [ClusterIP] ports 53 (cannot be forwarded: no selector and no Endpoints naming a pod)',
    );
    const data = r.structuredContent as { services: { name: string; cannotForward?: string }[] };
    expect(data.services.find((s) => s.name === 'orphan')?.cannotForward).toBe(
      'no selector and no Endpoints naming a pod',
    );
  });

  it('get_service for a service kubefwd skips says why: no selector and no Endpoints; a misspelt key gets the close keys', async () => {
    const { backend } = createFakeBackend();
    const over = {
      getService: async (key: string) => {
        throw new KubefwdError('SERVICE_NOT_FOUND', `Service not found: ${key}`, { field: 'path.key' });
      },
      k8sServices: async (namespace: string) => {
        const r = await backend.k8sServices(namespace);
        const orphan = { ...r.services[0]!, name: 'orphan', selector: undefined, forwarded: false };
        return { ...r, services: [...r.services, orphan] };
      },
      k8sEndpoints: async () => {
        throw new KubefwdError('NOT_FOUND', 'service "orphan" has no Endpoints object');
      },
    };
    for (const key of ['orphan', 'orphan.shop', 'orphan.shop.sim']) {
      const err = errorOf((await call('get_service', { key }, over)).r);
      expect(err.code).toBe('SERVICE_NOT_FOUND');
      expect(err.message).toBe(
        'orphan (namespace shop, context sim) is not forwarded: kubefwd cannot forward it (no selector and no Endpoints naming a pod)',
      );
      expect(err.hint).toMatch(/no pod selector and no Endpoints naming a pod/);
    }
    const typo = errorOf((await call('get_service', { key: 'postgress.shop' }, over)).r);
    expect(typo.message).toBe('Service not found: postgress.shop (did you mean "postgres.shop.sim"?)');
    expect(typo.field).toBe('key');
    const notFound = async (key: string) => {
      throw new KubefwdError('SERVICE_NOT_FOUND', `Service not found: ${key}`, { field: 'path.key' });
    };
    const sync = errorOf(
      (await call('sync_service', { key: 'postgress' }, { ...over, syncService: notFound })).r,
    );
    expect(sync.message).toContain('(did you mean "postgres.shop.sim"?)');
  });

  it('remove_namespace is idempotent: nothing forwarded from the namespace is a result, not an error', async () => {
    const over = {
      removeNamespace: async () => {
        throw new KubefwdError(
          'NAMESPACE_NOT_FOUND',
          'nothing of namespace shop is forwarded in context sim',
        );
      },
    };
    const { r } = await call('remove_namespace', { namespace: 'shop' }, over);
    expect(r.isError).not.toBe(true);
    expect(textOf(r)).toMatch(/^Nothing of this namespace was forwarded; nothing to stop/);
  });

  it('remove_service is idempotent: a service already removed, by short name or key, is a result, not an error', async () => {
    // As the daemon answers a second removal: a short name it cannot resolve is "not a service
    // key", a full key "not forwarded".
    const over = {
      removeService: async (key: string) => {
        throw key.split('.').length < 3
          ? new KubefwdError(
              'INVALID_KEY',
              `"${key}" is not a service key (expected service.namespace.context)`,
            )
          : new KubefwdError('SERVICE_NOT_FOUND', `service ${key} is not forwarded`);
      },
    };
    for (const key of ['kafka', 'kafka.shop', 'kafka.shop.sim']) {
      const { r } = await call('remove_service', { key }, over);
      expect(r.isError, textOf(r)).not.toBe(true);
      expect(r.structuredContent).toMatchObject({ success: true, removed: false, key });
      expect(textOf(r)).toMatch(new RegExp(`^${key} is not forwarded \\(nothing to stop\\)\\.`));
    }
    // A misspelt name of a service that is forwarded: said, with the one meant.
    const typo = (await call('remove_service', { key: 'postgress' }, over)).r;
    expect(textOf(typo)).toContain('Still forwarded with a close name: postgres.shop.sim.');
    // A short name naming several services is still an error listing them.
    const ambiguous = {
      removeService: async () => {
        throw new KubefwdError(
          'INVALID_KEY',
          'service key "postgres" is ambiguous: it names a, b; pass one of them',
        );
      },
      listServices: async () => ({
        services: [
          service('postgres', []),
          { ...service('postgres', []), key: 'postgres.billing.sim', namespace: 'billing' },
        ],
        summary: {} as never,
      }),
    };
    expect(errorOf((await call('remove_service', { key: 'postgres' }, ambiguous)).r).code).toBe(
      'INVALID_KEY',
    );
    const done = (await call('remove_service', { key: 'postgres' })).r;
    expect(done.structuredContent).toMatchObject({ removed: true, key: 'postgres' });
  });

  it('counts agree or say what they count: headless pods in add_namespace and get_health, a filtered list_services, failing connections in kubefwd://errors', async () => {
    // kafka is headless: forwarded as kafka and once per pod (kafka-0.kafka, kafka-1.kafka).
    const pod = (p: string) =>
      forward('kafka', 9092, `127.1.27.${p === 'kafka-0' ? 7 : 8}`, {
        key: `${p}.kafka.shop.sim.${p}.9092`,
        serviceKey: `${p}.kafka.shop.sim`,
        registryKey: 'kafka.shop.sim',
        serviceName: `${p}.kafka`,
        headless: true,
        podName: p,
      });
    const kafka = forward('kafka', 9092, '127.1.27.6', { headless: true });
    const forwards = [forward('postgres', 5432, '127.1.27.1'), kafka, pod('kafka-0'), pod('kafka-1')];
    const added = (
      await call(
        'add_namespace',
        { namespace: 'shop' },
        { listForwards: async () => ({ forwards, summary: {} as never }) },
      )
    ).r;
    expect(added.structuredContent).toMatchObject({
      serviceCount: 2,
      services: ['kafka', 'postgres'],
      podEntries: ['kafka-0.kafka', 'kafka-1.kafka'],
    });
    expect(textOf(added)).toContain(
      '2 service(s) forwarded (kafka, postgres). list_services and get_health count 4: headless kafka is also forwarded per pod (kafka-0.kafka, kafka-1.kafka).',
    );
    const { backend, state } = createFakeBackend();
    state.services = [
      service('postgres', [forwards[0]!]),
      { ...service('kafka', [kafka]), headless: true },
      ...[pod('kafka-0'), pod('kafka-1')].map((f) => ({
        ...service(f.serviceName, [f]),
        key: f.serviceKey,
        headless: true,
      })),
    ];
    const tool = (name: string) => TOOLS.find((t) => t.name === name)!;
    const health = await tool('get_health').call({}, ctxFor(backend));
    expect(textOf(health)).toContain(
      '4/4 services active (2 Kubernetes services; 2 of the entries are pods of headless services, each forwarded on its own)',
    );
    // A filter's summary counts what it lists.
    const listed = await tool('list_services').call({ namespace: 'analytics' }, ctxFor(backend));
    expect(textOf(listed)).toMatch(/^0 service\(s\) \(0 active, 0 forward error\(s\)\); 4 forwarded in all:/);
    // An active forward whose connections the pod refuses is an error of kubefwd://errors, as
    // kubefwd://status counts it.
    state.services[0] = service('postgres', [
      forward('postgres', 5432, '127.1.27.1', {
        failedConnections: 2,
        lastConnectionError: 'connect ECONNREFUSED 10.0.0.5:5432',
        lastConnectionErrorAt: new Date(Date.now() - 1000).toISOString(),
      }),
    ]);
    const errors = (await readResource(
      RESOURCES.find((r) => r.uri === 'kubefwd://errors')!,
      async () => backend,
      '1',
    )) as { errorCount: number; errors: Record<string, unknown>[] };
    expect(errors.errorCount).toBe(1);
    expect(errors.errors[0]).toMatchObject({
      serviceKey: 'postgres.shop.sim',
      status: 'Active',
      errorCode: 'CONNECTION_REFUSED',
      error: 'connections fail: connect ECONNREFUSED 10.0.0.5:5432',
      failedConnections: 2,
    });
  });

  it('get_health names the namespaces and contexts forwarded now', async () => {
    const { r } = await call('get_health', {});
    expect(r.structuredContent).toMatchObject({ namespaces: ['shop'], contexts: ['sim'] });
  });

  it('get_health reports the daemon version and its own separately', async () => {
    const { r } = await call('get_health', {});
    expect(r.structuredContent).toMatchObject({ version: '9.9.9', mcpVersion: '1.2.3', status: 'degraded' });
  });

  it('get_health counts errors as quick status does (failing connections and re-dials included)', async () => {
    const quickStatus = async () => ({
      status: 'issues' as const,
      message: 'x',
      errorCount: 3,
      waitingCount: 1,
    });
    const { r } = await call('get_health', {}, { quickStatus });
    expect(r.structuredContent).toMatchObject({ errorCount: 3 });
    expect(textOf(r)).toContain(', 3 forward error(s).');
  });

  it('get_metrics leads with the services using the most traffic, then the JSON', async () => {
    const row = (key: string, totalBytesIn: number, totalBytesOut: number, rateIn = 0, rateOut = 0) => ({
      key,
      serviceName: key.split('.')[0]!,
      namespace: 'shop',
      context: 'sim',
      totalBytesIn,
      totalBytesOut,
      rateIn,
      rateOut,
      portForwards: [],
    });
    const over = {
      serviceMetricsList: async () => [
        row('redis.shop.sim', 100, 200),
        row('api-gateway.shop.sim', 2048, 10 * 1024 * 1024, 512, 4096),
        row('postgres.shop.sim', 0, 0),
        row('kafka.shop.sim', 5000, 0, 0, 2048),
      ],
    };
    for (const scope of [undefined, 'by_service'] as const) {
      const { r } = await call('get_metrics', scope ? { scope } : {}, over);
      const content = r.content as { text: string }[];
      expect(content).toHaveLength(2);
      expect(content[0]!.text).toContain(
        'Most traffic so far (bytes in + out):\n1. api-gateway.shop.sim 10.0 MB (2.0 KB in, 10.0 MB out)\n2. kafka.shop.sim 4.9 KB (4.9 KB in, 0 B out)\n3. redis.shop.sim 300 B (100 B in, 200 B out)',
      );
      expect(content[0]!.text).toContain(
        'Busiest now:\n1. api-gateway.shop.sim 4.5 KB/s (512 B/s in, 4.0 KB/s out)\n2. kafka.shop.sim',
      );
      expect(content[0]!.text).not.toContain('postgres');
      expect(JSON.parse(content[1]!.text)).toEqual(r.structuredContent);
    }
  });

  it('get_metrics service_detail needs service_key', async () => {
    const { r } = await call('get_metrics', { scope: 'service_detail' });
    expect(errorOf(r).field).toBe('service_key');
  });

  it('paths reach the client as parameters only (keys are passed whole, never split or shelled)', async () => {
    const { state } = await call('reconnect_service', {
      key: 'postgres.shop.arn:aws:eks:eu-west-1:1:cluster/x',
    });
    expect(state.calls.at(-1)).toEqual({
      method: 'reconnectService',
      args: ['postgres.shop.arn:aws:eks:eu-west-1:1:cluster/x'],
    });
  });
});
