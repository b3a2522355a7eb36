import { createServer } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { KubefwdError } from '../contract/errors.js';
import { listenApi, listenApiOrFallback, type ApiListener } from './api-listener.js';

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

/** A real address held by another program. */
const taken = async (): Promise<number> => {
  const s = createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  open.push({ close: () => new Promise((r) => s.close(r)) });
  return (s.address() as { port: number }).port;
};

const listen = async (host: string, port: number): Promise<ApiListener> => {
  const api = await listenApi(host, port);
  open.push(api);
  return api;
};

describe('listenApiOrFallback', () => {
  it('the well-known address taken (another kubefwd): a free loopback port instead, said once', async () => {
    const port = await taken();
    const said: string[] = [];
    const { api, wellKnown } = await listenApiOrFallback(
      listen,
      { host: '127.0.0.1', port, wellKnown: true },
      (m) => said.push(m),
    );
    expect(wellKnown).toBe(false);
    expect(api.port).not.toBe(port);
    expect(said).toEqual([
      expect.stringMatching(
        new RegExp(
          `^127\\.0\\.0\\.1:${port} \\(kubefwd\\.internal\\) is taken, most likely by another kubefwd: this one's REST API listens on http://127\\.0\\.0\\.1:${api.port} instead`,
        ),
      ),
    ]);
  });

  it('an address given with --api-listen is refused when taken, not moved', async () => {
    const port = await taken();
    const err = await listenApiOrFallback(
      listen,
      { host: '127.0.0.1', port, wellKnown: false },
      () => undefined,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubefwdError);
    expect(err).toMatchObject({ code: 'PORT_IN_USE', field: '--api-listen' });
  });
});
