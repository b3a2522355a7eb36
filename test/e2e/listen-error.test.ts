// Issue 20 item 8: a forward port that cannot listen is reported once, as the forward's Error with
// why and the fix; the forward's INFO success line names only the ports that listen (before, an
// `ERRO … cannot listen on ip:port` was followed by `INFO svc → ip:port → pod … (tunnel)`).
import { createServer, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isBuilt } from './cli-process.js';
import { createFixture, type Fixture } from './fixture.js';
import { randomIpBase } from '../support/addresses.js';

// A service with two ports on the reports pod: one is held by another program, the other listens.
const DUAL = `
apiVersion: v1
kind: Service
metadata:
  name: dual
  namespace: analytics
spec:
  selector: { app: reports }
  ports:
    - { name: free, port: 8080, targetPort: 8080 }
    - { name: held, port: 8081, targetPort: 8080 }`;

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

let fx: Fixture;

describe.skipIf(!isBuilt())('a forward port that cannot listen (real process)', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    fx = await createFixture(randomIpBase(), { manifests: [DUAL] });
  }, 30_000);
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(fx.output());
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('logs one Error line with why and the fix, and no success line for that port', async () => {
    // Another random base than the fixture's, reserved for dual so kubefwd cannot move away from it.
    const ip = randomIpBase();
    const blocker: Server = createServer();
    await new Promise<void>((resolve, reject) => {
      blocker.once('error', reject);
      blocker.listen(8081, ip, resolve);
    });
    try {
      const p = fx.start(['-n', 'analytics', '-r', `dual:${ip}`]);
      // The success line comes after the session to the pod is up, i.e. after both binds were tried.
      const ok = await p.waitFor(
        new RegExp(`INFO.*dual\\.analytics → ${esc(ip)}:[\\d,]+ → pod \\S+ \\(\\w+\\)`),
        60_000,
      );
      const log = p.stdout() + p.stderr();
      expect(ok[0]).toContain(`${ip}:8080 → pod`);
      expect(ok[0]).not.toContain('8081');
      const errors = log.split('\n').filter((l) => l.includes(`${ip}:8081`));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(
        new RegExp(
          `ERRO.*dual\\.analytics is in Error: ${esc(ip)}:8081 is already in use by another program; ` +
            'stop the program that holds it, or map the port elsewhere with -m 8081:<free port>',
        ),
      );
      p.kill('SIGTERM');
      expect((await p.exited).code).toBe(0);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});
