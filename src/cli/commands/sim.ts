// `kubefwd sim`: run the simulated Kubernetes cluster until SIGINT/SIGTERM. Writes DIR/kubeconfig
// and prints one JSON line {"kubeconfig","apiUrl","controlUrl"} once it serves.
import { escapeTerminal } from '../../contract/terminal-text.js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createSimCluster } from '../../sim/index.js';
import type { SimOptions } from '../../sim/index.js';
import { findSimFlag, type SimFlagName } from '../sim-flags.js';

export interface SimIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

export const SIM_USAGE = `Usage: kubefwd sim [--dir DIR] [-f FILE.yaml ...] [--port N] [--ready-delay MS]
                   [--no-tunnel] [--no-spdy] [--no-websocket] [--context NAME]
                   [--kubelet-upstream URL] [--fin-grace MS]

Runs a simulated Kubernetes cluster (API server over HTTPS, pods backed by local sockets,
port-forward in all three protocols) until interrupted. Without -f it loads the sample scenario
(namespaces shop, analytics, sandbox). Writes DIR/kubeconfig and prints one JSON line:
{"kubeconfig": "...", "apiUrl": "...", "controlUrl": "...", "token": "..."}

--kubelet-upstream URL  serve SPDY and tunnel port-forward through a kubelet-like server at
                        http://127.0.0.1:PORT (e.g. test/spdystream/server on moby/spdystream)
--fin-grace MS          end SPDY port-forward connections as containerd does: FINs up to MS late
`;

class UsageError extends Error {}

// One pass over the `kubefwd sim` flags, each a few lines.
export function parseSimArgs(argv: readonly string[]): {
  options: SimOptions;
  help: boolean;
  files: string[];
} {
  const options: SimOptions = {};
  const files: string[] = [];
  const protocols: { tunnel?: boolean; spdy?: boolean; websocket?: boolean } = {};
  let help = false;
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || (v.startsWith('-') && v !== '-')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  const int = (text: string, flag: string, min: number, max: number): number => {
    if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max)
      throw new UsageError(`${flag}: "${text}" is not a whole number from ${min} to ${max}`);
    return Number(text);
  };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]!;
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1;
    const arg = eq > 0 ? raw.slice(0, eq) : raw;
    const inline = eq > 0 ? raw.slice(eq + 1) : undefined;
    const take = (): string => {
      if (inline !== undefined) return inline;
      const v = value(i, arg);
      i++;
      return v;
    };
    const flag = findSimFlag(arg);
    if (flag === undefined) throw new UsageError(`unknown flag "${raw}"`);
    const name: SimFlagName = flag.long;
    switch (name) {
      case '--help':
        help = true;
        break;
      case '--dir':
        options.dir = resolve(take());
        break;
      case '--filename':
        files.push(take());
        break;
      case '--port':
        options.port = int(take(), '--port', 0, 65535);
        break;
      case '--ready-delay':
        options.readyDelayMs = int(take(), '--ready-delay', 0, 600_000);
        break;
      case '--context':
        options.contextName = take();
        break;
      case '--kubelet-upstream': {
        const url = take();
        if (!/^http:\/\/[^/]+:\d+\/?$/.test(url))
          throw new UsageError(`--kubelet-upstream: "${url}" is not http://HOST:PORT`);
        options.kubeletUpstream = url;
        break;
      }
      case '--fin-grace':
        options.finGraceMs = int(take(), '--fin-grace', 0, 60_000);
        break;
      case '--no-tunnel':
        protocols.tunnel = false;
        break;
      case '--no-spdy':
        protocols.spdy = false;
        break;
      case '--no-websocket':
        protocols.websocket = false;
        break;
      default: {
        // Every flag of the table has a case above; this fails to compile when one is added without.
        const unhandled: never = name;
        throw new UsageError(`unhandled flag "${String(unhandled)}"`);
      }
    }
  }
  if (Object.keys(protocols).length > 0) options.protocols = protocols;
  if (files.length > 0) options.scenario = 'empty';
  return { options, help, files };
}

/** Runs until SIGINT/SIGTERM (or `signal` aborts); returns the exit code. */
export async function runSimCommand(
  argv: readonly string[],
  io: SimIo = { stdout: process.stdout, stderr: process.stderr },
  signal?: AbortSignal,
): Promise<number> {
  let parsed: ReturnType<typeof parseSimArgs>;
  try {
    parsed = parseSimArgs(argv);
  } catch (err) {
    io.stderr.write(
      `kubefwd sim: ${escapeTerminal(err instanceof Error ? err.message : String(err))}\n\n${SIM_USAGE}`,
    );
    return 2;
  }
  if (parsed.help) {
    io.stdout.write(SIM_USAGE);
    return 0;
  }
  const manifests: string[] = [];
  for (const f of parsed.files) {
    try {
      manifests.push(f === '-' ? readFileSync(0, 'utf8') : readFileSync(f, 'utf8'));
    } catch (err) {
      io.stderr.write(
        `kubefwd sim: cannot read -f ${f}: ${escapeTerminal(err instanceof Error ? err.message : String(err))}\n`,
      );
      return 2;
    }
  }
  let sim;
  try {
    sim = await createSimCluster({ ...parsed.options, manifests });
  } catch (err) {
    io.stderr.write(`kubefwd sim: ${escapeTerminal(err instanceof Error ? err.message : String(err))}\n`);
    return 1;
  }
  io.stdout.write(
    JSON.stringify({
      kubeconfig: sim.kubeconfigPath,
      apiUrl: sim.apiUrl,
      controlUrl: sim.controlUrl,
      token: sim.token,
    }) + '\n',
  );
  await new Promise<void>((resolveWait) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      signal?.removeEventListener('abort', done);
      resolveWait();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
    signal?.addEventListener('abort', done);
    if (signal?.aborted) done();
  });
  await sim.stop();
  return 0;
}
