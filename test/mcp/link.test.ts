// How the MCP server finds kubefwd (mcp/link): a pinned address (--api-url, KUBEFWD_API_URL) where
// nothing listens, while ~/.kubefwd/api.json names a kubefwd that runs, is told as that — not as
// "start kubefwd", which would start a second one.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDaemonLink } from '../../src/mcp/link.js';
import { TOOLS } from '../../src/mcp/tools/index.js';
import { errorOf } from './result-text.js';

/** A loopback port nothing listens on (bound, then closed). */
const deadPort = async (): Promise<number> => {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
};

describe('a pinned API URL where nothing listens', () => {
  let home: string;
  let pinned: string;
  const running = 'http://127.0.0.1:41999';
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'kubefwd-link-'));
    await mkdir(join(home, '.kubefwd'));
    await writeFile(
      join(home, '.kubefwd', 'api.json'),
      JSON.stringify({ url: running, key: 'k'.repeat(32), pid: 4242 }),
    );
    pinned = `http://127.0.0.1:${await deadPort()}`;
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  const listServices = async (link: ReturnType<typeof createDaemonLink>) =>
    TOOLS.find((t) => t.name === 'list_services')!.call({}, { backend: link.backend, version: '1' });

  for (const how of ['--api-url', 'KUBEFWD_API_URL'] as const)
    it(`by ${how}: names the kubefwd that runs and the override to remove, not a start`, async () => {
      const link = createDaemonLink({
        home,
        env: how === 'KUBEFWD_API_URL' ? { KUBEFWD_API_URL: pinned } : {},
        ...(how === '--api-url' ? { apiUrl: pinned } : {}),
        probes: { isAlive: (pid) => pid === 4242 },
      });
      const err = errorOf(await listServices(link));
      expect(err.code).toBe('DAEMON_UNAVAILABLE');
      expect(err.message).toBe(
        `kubefwd runs at ${running} (pid 4242), but this MCP server is pinned to ${pinned} by ${how}, where it cannot reach it`,
      );
      expect(err.cause).toMatch(/nothing listens there/);
      expect(err.hint).toContain(`Remove ${how} from the MCP client configuration`);
      expect(err.hint).toContain(`or set it to ${running}`);
      expect(err.hint).not.toContain('sudo -E kubefwd');
      // No tool helps (each gives this error until the configuration changes), nor does a retry.
      expect(err.suggestedActions).toEqual([]);
      expect(err.retryable).toBe(false);
    });

  it('the file names a pid that is gone: the usual "start kubefwd"', async () => {
    const link = createDaemonLink({ home, env: {}, apiUrl: pinned, probes: { isAlive: () => false } });
    const err = errorOf(await listServices(link));
    expect(err.message).toMatch(/^cannot reach the kubefwd API at .*nothing listens there/);
    expect(err.hint).toContain('sudo -E kubefwd');
    // A check, but only once started: called now it gives this same error.
    expect(err.suggestedActions).toEqual([
      {
        tool: 'get_quick_status',
        why: 'only after the user has started kubefwd: until then every tool gives this same error',
      },
    ]);
    expect(err.retryable).toBe(true);
  });
});
