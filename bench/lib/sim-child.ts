// The simulated cluster in its own process, so the bench measures our forwarder, not the server.
// Sends {apiUrl, kubeconfigPath, token} once ready; answers {id, cmd: 'latency'|'apply'|'waitReady'|
// 'counters'} requests over IPC. Its one optional argument is the URL of a kubelet upstream that
// serves SPDY port-forward in place of the sim's own server (SimOptions.kubeletUpstream).
import { CA_CERT, createSimCluster } from '../../src/sim/index.js';

interface Request {
  id: number;
  cmd: 'latency' | 'apply' | 'waitReady' | 'counters';
  ms?: number;
  yaml?: string;
  namespace?: string;
}

const main = async (): Promise<void> => {
  const kubeletUpstream = process.argv[2];
  const sim = await createSimCluster({
    scenario: 'empty',
    readyDelayMs: 10,
    ...(kubeletUpstream ? { kubeletUpstream } : {}),
  });
  const send = (m: unknown): void => {
    process.send?.(m);
  };
  process.on('message', (raw) => {
    const req = raw as Request;
    void (async () => {
      try {
        let result: unknown;
        if (req.cmd === 'latency') sim.control.setLatency(req.ms ?? 0);
        else if (req.cmd === 'apply') await sim.control.apply(req.yaml ?? '');
        else if (req.cmd === 'waitReady')
          result = (await sim.control.waitForPodsReady(req.namespace ?? 'default')).length;
        else if (req.cmd === 'counters') result = sim.control.counters();
        send({ id: req.id, ok: true, result });
      } catch (err) {
        send({ id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) });
      }
    })();
  });
  const stop = (): void => {
    void sim.stop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
  send({ apiUrl: sim.apiUrl, kubeconfigPath: sim.kubeconfigPath, token: sim.token, ca: CA_CERT });
};

void main();
