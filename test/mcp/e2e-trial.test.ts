// What an assistant met over MCP in a trial, against the real daemon and the simulated cluster
// (the fake backend of tools.test.ts assumes the daemon's answers; these are its real ones): a
// service removed twice, a selector-less service whose Endpoints name a pod that is gone, a service
// with neither selector nor Endpoints, a deployment's name given as a pod name, typos.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDaemonLink } from '../../src/mcp/link.js';
import { TOOLS } from '../../src/mcp/tools/index.js';
import { isBuilt, type CliProcess } from '../e2e/cli-process.js';
import { createFixture, type Fixture } from '../e2e/fixture.js';
import { eventually } from '../e2e/net.js';
import { randomIpBase } from '../support/addresses.js';
import { errorOf } from './result-text.js';

const ORPHAN = `apiVersion: v1
kind: Service
metadata:
  name: orphan
  namespace: shop
spec:
  ports:
  - port: 7000
    protocol: TCP
`;

let fx: Fixture;
let kubefwd: CliProcess;
type Result = Awaited<ReturnType<(typeof TOOLS)[number]['call']>>;
let call: (name: string, args?: Record<string, unknown>) => Promise<Result>;
/** The readable summary (the first text block). */
const summary = (r: Result): string => (r.content as { text: string }[])[0]!.text;

describe.skipIf(!isBuilt())('the trial over MCP, against the real daemon', () => {
  beforeAll(async () => {
    fx = await createFixture(randomIpBase());
    await fx.sim.control.apply(ORPHAN);
    kubefwd = fx.start(['-n', 'shop']);
    await kubefwd.waitFor(/API server running at http:\/\/127\.0\.0\.1:\d+/, 45_000);
    const link = createDaemonLink({ env: fx.env, home: fx.home });
    call = (name, args = {}) =>
      TOOLS.find((t) => t.name === name)!.call(args, { backend: link.backend, version: 'test' });
    await eventually(async () => {
      const s = (await call('list_services')).structuredContent as
        { services: { key: string }[] } | undefined;
      return (s?.services.length ?? 0) >= 8;
    }, 30_000);
  }, 60_000);

  afterAll(async () => {
    await fx?.close();
  });

  it('remove_service twice by short name: the second says it is not forwarded, not INVALID_KEY', async () => {
    expect(summary(await call('remove_service', { key: 'kafka' }))).toBe(
      'Stopped forwarding kafka.shop.sim.',
    );
    const again = await call('remove_service', { key: 'kafka' });
    expect(again.isError).not.toBe(true);
    expect(summary(again)).toBe('kafka is not forwarded (nothing to stop).');
  });

  it('a service with neither selector nor Endpoints: marked in list_k8s_services, explained by get_service', async () => {
    expect(summary(await call('list_k8s_services', { namespace: 'shop' }))).toContain(
      '- orphan [ClusterIP] ports 7000 (cannot be forwarded: no selector and no Endpoints naming a pod)',
    );
    expect(errorOf(await call('get_service', { key: 'orphan' })).message).toBe(
      'orphan (namespace shop, context sim) is not forwarded: kubefwd cannot forward it (no selector and no Endpoints naming a pod)',
    );
  });

  it('typos and a deployment name for a pod get the names meant', async () => {
    expect(errorOf(await call('get_service', { key: 'postgress.shop' })).message).toBe(
      'Service not found: postgress.shop (did you mean "postgres.shop.sim"?)',
    );
    expect(summary(await call('find_services', { query: 'postgres in shopp' }))).toContain(
      '"shopp" names nothing forwarded (did you mean "shop"?)',
    );
    expect(
      errorOf(await call('get_connection_info', { service_name: 'postgres', namespace: 'shopp' })),
    ).toMatchObject({ code: 'NAMESPACE_NOT_FOUND', hint: 'Pass namespace "shop".' });
    const pod = errorOf(await call('get_pod_logs', { namespace: 'shop', pod_name: 'api-gateway' }));
    expect(pod.message).toMatch(/\(did you mean "api-gateway-[a-z0-9]+-[a-z0-9]+" or "api-gateway-/);
    expect(pod.message.match(/did you mean/g)).toHaveLength(1);
    const container = errorOf(
      await call('get_pod_logs', { namespace: 'shop', pod_name: 'kafka-0', container: 'nope' }),
    );
    expect(container).toMatchObject({
      field: 'container',
      message: 'pod kafka-0 has no container "nope"; its containers: kafka',
    });
  });

  it('legacy-db (no selector): its pods are those its Endpoints name; once that pod is gone, every answer says so', async () => {
    const live = await call('list_pods', { namespace: 'shop', service_name: 'legacy-db' });
    expect(live.isError, summary(live)).not.toBe(true);
    const named = (live.structuredContent as { pods: { name: string }[] }).pods.map((p) => p.name);
    expect(named).toHaveLength(1);
    expect(named[0]).toMatch(/^postgres-/);
    await fx.sim.control.deletePod('shop', named[0]!);
    const diag = await eventually(async () => {
      const d = (await call('diagnose_errors')).structuredContent as {
        errors: { serviceKey: string; nextStep?: { tool: string; args: Record<string, unknown> } }[];
      };
      return d.errors.find((e) => e.serviceKey === 'legacy-db.shop.sim');
    }, 20_000);
    expect(diag.nextStep).toEqual({
      tool: 'get_endpoints',
      args: { namespace: 'shop', service_name: 'legacy-db' },
    });
    const gone = `Endpoints name pod ${named[0]!}, which no longer exists; the manual Endpoints must be updated`;
    expect(summary(await call('list_pods', { namespace: 'shop', service_name: 'legacy-db' }))).toContain(
      gone,
    );
    expect(summary(await call('get_endpoints', { namespace: 'shop', service_name: 'legacy-db' }))).toContain(
      gone,
    );
  }, 40_000);
});
