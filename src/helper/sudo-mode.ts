// `sudo -E kubefwd …`: the root process keeps only the helper and runs everything else — the engine,
// the Kubernetes client and its exec plugins, the API, the MCP link, the TUI — as the user who typed
// the command (SUDO_UID/SUDO_GID, with the user's HOME and KUBECONFIG). Requests come over the
// child's IPC channel; a listening socket goes back as a handle (Node passes the descriptor), so
// the engine's connections never pass through this process. When the engine exits — cleanly,
// crashed or SIGKILLed — its block, aliases and listeners are removed at once, and this process
// exits with the engine's code.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Server } from 'node:net';
import { HELPER_PROTOCOL_VERSION } from '../contract/helper-protocol.js';
import { createHostsFile } from '../os/hosts-file.js';
import { createHelperCore, type HelperCore } from './core.js';
import { errorResponse, okResponse, parseRequest, requestId } from './requests.js';

export interface EngineUser {
  uid: number;
  gid: number;
  name: string | undefined;
  home: string;
}

/** The variable that tells the engine process to use the helper on its IPC channel. */
export const HELPER_ENV = 'KUBEFWD_HELPER';

/** The environment of the engine: the user's, without sudo's variables. */
export const engineEnv = (env: NodeJS.ProcessEnv, user: EngineUser): NodeJS.ProcessEnv => {
  const out: NodeJS.ProcessEnv = { ...env, HOME: user.home, [HELPER_ENV]: 'ipc' };
  if (user.name !== undefined) {
    out.USER = user.name;
    out.LOGNAME = user.name;
  }
  for (const k of ['SUDO_UID', 'SUDO_GID', 'SUDO_USER', 'SUDO_COMMAND', 'SUDO_HOME']) delete out[k];
  return out;
};

/** How to start this same kubefwd again: Node + the launcher, or the single executable. */
export const selfCommand = (argv: readonly string[], isSea: boolean): [string, string[]] =>
  isSea || process.argv[1] === undefined
    ? [process.execPath, [...argv]]
    : [process.execPath, [...process.execArgv, process.argv[1], ...argv]];

export const seaRunning = async (): Promise<boolean> => {
  try {
    const sea = (await import('node:sea')) as { isSea?: () => boolean };
    return sea.isSea?.() === true;
  } catch {
    return false;
  }
};

/** Serves one engine's requests on its IPC channel until it exits. */
export const serveChild = (child: ChildProcess, core: HelperCore): Promise<{ greeted: boolean }> => {
  const session = core.openSession(child.pid);
  let greeted = false;
  child.on('message', (raw: unknown) => {
    greeted = true;
    const id = requestId(raw);
    const reply = (msg: object, server?: Server): void => {
      if (!child.connected) {
        server?.close();
        return;
      }
      child.send(msg, server, () => server?.close());
    };
    void (async () => {
      try {
        const req = parseRequest(raw);
        if (req.op === 'hello') {
          if (req.owner !== undefined) await core.claimOwner(session, req.owner);
          reply(
            okResponse(id, {
              version: HELPER_PROTOCOL_VERSION,
              pid: process.pid,
              hostsPath: core.hostsPath,
              platform: process.platform,
            }),
          );
          return;
        }
        const out = await core.handle(session, req);
        // The engine holds the descriptor now; ours is closed once sent.
        if (out.server && out.listener !== undefined) session.listeners.delete(out.listener);
        reply(okResponse(id, out.result), out.server);
      } catch (err) {
        reply(errorResponse(id, err));
      }
    })();
  });
  return new Promise<{ greeted: boolean }>((resolve) => {
    const end = (): void => {
      void core.closeSession(session).finally(() => resolve({ greeted }));
    };
    child.once('exit', end);
    child.once('error', end);
  });
};

export interface RunEngineOptions {
  argv: readonly string[];
  hostsPath: string;
  user: EngineUser;
  env: NodeJS.ProcessEnv;
  /** Where signals come from (the process). */
  signals?: Pick<NodeJS.Process, 'on' | 'off'>;
}

/** Runs the engine as the user, serves it, and resolves with its exit code. */
export const runEngineAsUser = async (options: RunEngineOptions): Promise<number> => {
  // A hosts file that cannot be written is said now, before anything starts (as without the helper).
  await createHostsFile({ path: options.hostsPath }).checkWritable();
  const core = createHelperCore({ hostsPath: options.hostsPath });
  const [cmd, args] = selfCommand(options.argv, await seaRunning());
  const child = spawn(cmd, args, {
    uid: options.user.uid,
    gid: options.user.gid,
    env: engineEnv(options.env, options.user),
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  });
  const signals = options.signals ?? process;
  // Ctrl-C reaches the engine from the terminal (same process group); a kill of this process is
  // passed on, so the engine stops the way it would have without privilege separation.
  const ignore = (): void => undefined;
  const pass = (sig: NodeJS.Signals) => (): void => {
    child.kill(sig);
  };
  const onTerm = pass('SIGTERM');
  const onHup = pass('SIGHUP');
  signals.on('SIGINT', ignore);
  signals.on('SIGTERM', onTerm);
  signals.on('SIGHUP', onHup);
  let killedBy: NodeJS.Signals | undefined;
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => {
      killedBy = code === null ? (signal ?? undefined) : undefined;
      resolve(code ?? (signal === 'SIGKILL' ? 137 : 1));
    });
    child.once('error', (err) => {
      process.stderr.write(`kubefwd: cannot start the engine as uid ${options.user.uid}: ${err.message}\n`);
      resolve(1);
    });
  });
  try {
    const served = serveChild(child, core);
    const code = await exited;
    const { greeted } = await served;
    // Killed (kill -9, the OOM killer): it said nothing, so this says what happened and what was done.
    if (killedBy !== undefined && greeted)
      process.stderr.write(
        `kubefwd: the engine (pid ${child.pid ?? '?'}) was killed by ${killedBy}; its hosts entries in ${options.hostsPath} were removed.\n`,
      );
    // It never said hello: it did not get as far as kubefwd's own code (its files unreadable to the user?).
    if (!greeted && code !== 0)
      process.stderr.write(
        `kubefwd: the engine (uid ${options.user.uid}) ended before it started. If kubefwd is installed where that user cannot read it, ` +
          'install it where they can (npm install -g), or run everything as root with KUBEFWD_PRIVSEP=0.\n',
      );
    return code;
  } finally {
    signals.off('SIGINT', ignore);
    signals.off('SIGTERM', onTerm);
    signals.off('SIGHUP', onHup);
  }
};
