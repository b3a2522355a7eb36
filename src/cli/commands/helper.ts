// `kubefwd helper install|status|uninstall` (and `serve`, which the service runs): the privileged
// helper as a system service, so that after one `sudo kubefwd helper install` the user runs
// kubefwd with no sudo. `--service-dir` writes the unit somewhere else and does not touch the init
// system (tests, packagers).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { KubefwdError, errorMessage } from '../../contract/errors.js';
import { defaultHelperSocket, openMachine, socketChannel } from '../../daemon/helper-client.js';
import { seaRunning, selfCommand } from '../../helper/sudo-mode.js';
import {
  defaultServiceDir,
  serveArgs,
  serviceFileName,
  serviceFileText,
  serviceKindFor,
  startCommands,
  stopCommands,
  type ServiceKind,
} from '../../helper/service-files.js';
import { serveHelperSocket } from '../../helper/socket-server.js';
import { isRoot } from '../../os/privilege.js';
import { setUpCommand } from '../command-setup.js';
import { reportError } from '../errors.js';
import type { CliIo } from '../io.js';

interface HelperFlags {
  serviceDir?: string;
  socket?: string;
  hostsPath?: string;
  user?: string;
  uid?: string;
  gid?: string;
  start?: boolean;
}

const buildHelperCommand = (): Command =>
  new Command('helper')
    .description(
      'The privileged helper: the only part of kubefwd that runs as root (hosts file block, loopback aliases, low ports).\n' +
        'install: run it as a system service for one user, so kubefwd needs no sudo; status; uninstall.',
    )
    .argument('<action>', 'install | status | uninstall | serve')
    .option('--user <name|uid>', 'install: the user the helper serves (default: the one who ran sudo)')
    .option('--socket <path>', 'the helper socket (default /run/kubefwd/helper.sock; macOS /var/run/…)')
    .option('--hosts-path <file>', 'install/serve: the hosts file the helper manages', '/etc/hosts')
    .option(
      '--service-dir <dir>',
      'install/status/uninstall: where the unit/plist goes; a non-default dir is not started',
    )
    .option('--no-start', 'install: write the service file only')
    .option('--uid <uid>', 'serve: the uid allowed to connect')
    .option('--gid <gid>', 'serve: the group of the socket file');

const lookupUser = (spec: string): { uid: number; gid: number; name: string } => {
  let passwd = '';
  try {
    passwd = readFileSync('/etc/passwd', 'utf8');
  } catch {
    // No passwd file: only numeric ids work.
  }
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f.length < 7) continue;
    if (f[0] === spec || f[2] === spec) return { uid: Number(f[2]), gid: Number(f[3]), name: f[0] ?? spec };
  }
  if (/^\d+$/.test(spec)) return { uid: Number(spec), gid: Number(spec), name: spec };
  throw new KubefwdError('INVALID_INPUT', `no user ${spec}`, {
    field: '--user',
    hint: 'Name an existing user or uid.',
  });
};

const needRoot = (what: string): void => {
  if (!isRoot())
    throw new KubefwdError('NOT_ROOT', `kubefwd helper ${what} needs root`, {
      hint: `Run it with: sudo kubefwd helper ${what}`,
    });
};

const kindHere = (): ServiceKind => {
  const kind = serviceKindFor(process.platform);
  if (!kind)
    throw new KubefwdError('INVALID_INPUT', `no helper service for ${process.platform} yet`, {
      hint: 'Run kubefwd from a terminal opened with "Run as administrator".',
    });
  return kind;
};

const run = (argv: string[]): { ok: boolean; text: string } => {
  const r = spawnSync(argv[0] ?? '', argv.slice(1), { encoding: 'utf8', timeout: 30_000 });
  return { ok: r.status === 0, text: `${r.stderr ?? ''}${r.error ? r.error.message : ''}`.trim() };
};

/**
 * The service runs these files as root: whoever may change them gets root. Said at install, so a
 * kubefwd in a user-writable place (a per-user Node manager) is moved or installed as root first.
 */
const writableByOthers = async (files: readonly string[]): Promise<string[]> => {
  const out: string[] = [];
  for (const f of files) {
    const st = await stat(f).catch(() => undefined);
    if (st && (st.uid !== 0 || (st.mode & 0o022) !== 0))
      out.push(`${f} (owner uid ${st.uid}, mode ${(st.mode & 0o777).toString(8)})`);
  }
  return out;
};

const install = async (o: HelperFlags, io: CliIo): Promise<number> => {
  const kind = kindHere();
  if (o.serviceDir === undefined) needRoot('install');
  const who = o.user ?? io.env.SUDO_UID;
  if (who === undefined)
    throw new KubefwdError('INVALID_INPUT', 'which user should the helper serve?', {
      field: '--user',
      hint: 'Run it through sudo from your own account (sudo kubefwd helper install), or pass --user <name>.',
    });
  const user = lookupUser(who);
  if (user.uid === 0)
    throw new KubefwdError('INVALID_INPUT', 'the helper serves a user, not root', {
      field: '--user',
      hint: 'Root runs kubefwd directly; install the helper for your own user.',
    });
  const socketPath = o.socket ?? defaultHelperSocket();
  const hostsPath = o.hostsPath ?? '/etc/hosts';
  // The service refuses to start on a hosts file that is not there, and the init system would
  // restart it every second: say so now.
  if (!(await stat(hostsPath).catch(() => undefined))?.isFile())
    throw new KubefwdError('INVALID_INPUT', `hosts file ${hostsPath} does not exist or is not a file`, {
      field: '--hosts-path',
      hint: `Create it first (touch ${hostsPath}), or name another one with --hosts-path.`,
    });
  const [cmd, args] = selfCommand(
    serveArgs({ socketPath, hostsPath, uid: user.uid, gid: user.gid }),
    await seaRunning(),
  );
  const dir = o.serviceDir ?? defaultServiceDir(kind);
  const file = join(dir, serviceFileName(kind));
  await mkdir(dir, { recursive: true });
  await writeFile(
    file,
    serviceFileText(kind, { command: [cmd, ...args], socketPath, hostsPath, uid: user.uid, gid: user.gid }),
    { mode: 0o644 },
  );
  const risky = await writableByOthers([
    cmd,
    ...args.filter((a) => a.startsWith('/') && a.endsWith('kubefwd')),
  ]);
  if (risky.length > 0)
    io.stderr.write(
      `kubefwd: warning: the service runs ${risky.join(', ')} as root, and someone other than root may change it; ` +
        'install kubefwd and Node where only root can write (e.g. `sudo npm install -g kubefwd` with a system Node) before relying on the helper.\n',
    );
  io.stdout.write(
    `Wrote ${file}: the helper serves ${user.name} (uid ${user.uid}) on ${socketPath}, hosts file ${hostsPath}.\n`,
  );
  if (o.serviceDir !== undefined || o.start === false) {
    io.stdout.write(
      `Not started (${o.serviceDir !== undefined ? '--service-dir' : '--no-start'}); its command: ${[cmd, ...args].join(' ')}\n`,
    );
  } else {
    for (const step of startCommands(kind, file)) {
      const r = run(step);
      if (!r.ok)
        throw new KubefwdError(
          'HELPER_UNAVAILABLE',
          `\`${step.join(' ')}\` failed: ${r.text || 'no output'}`,
          {
            hint: `Start the service with your init system, or run its command as root: ${[cmd, ...args].join(' ')}`,
          },
        );
    }
    io.stdout.write('Started. Run kubefwd without sudo now, e.g. `kubefwd -n <namespace>`.\n');
  }
  if (socketPath !== defaultHelperSocket())
    io.stdout.write(`The socket is not the default one: export KUBEFWD_HELPER_SOCKET=${socketPath}\n`);
  return 0;
};

const uninstall = async (o: HelperFlags, io: CliIo): Promise<number> => {
  const kind = kindHere();
  if (o.serviceDir === undefined) needRoot('uninstall');
  const file = join(o.serviceDir ?? defaultServiceDir(kind), serviceFileName(kind));
  const installed = (await stat(file).catch(() => undefined)) !== undefined;
  if (o.serviceDir === undefined) for (const step of stopCommands(kind, file)) run(step);
  await rm(file, { force: true });
  await rm(o.socket ?? defaultHelperSocket(), { force: true });
  io.stdout.write(
    installed
      ? `Removed ${file}; kubefwd needs sudo -E again (or a new \`sudo kubefwd helper install\`).\n`
      : `No helper service installed (${file} does not exist); nothing to remove.\n`,
  );
  return 0;
};

const status = async (o: HelperFlags, io: CliIo): Promise<number> => {
  const kind = serviceKindFor(process.platform);
  const file = kind ? join(o.serviceDir ?? defaultServiceDir(kind), serviceFileName(kind)) : undefined;
  const text = file ? await readFile(file, 'utf8').catch(() => undefined) : undefined;
  const fromFile = text ? /--socket"?\s*(?:<\/string>\s*<string>)?"?([^"\s<]+)/.exec(text)?.[1] : undefined;
  const socketPath = o.socket ?? io.env.KUBEFWD_HELPER_SOCKET ?? fromFile ?? defaultHelperSocket();
  io.stdout.write(
    `Service file: ${text !== undefined ? file : `not installed${file ? ` (${file})` : ''}`}\n`,
  );
  try {
    const channel = await socketChannel(socketPath);
    try {
      const m = await openMachine(channel, { socketPath });
      io.stdout.write(
        `Helper: running (pid ${m.helperPid}) on ${socketPath}, hosts file ${m.hostsPath}; kubefwd needs no sudo.\n`,
      );
    } finally {
      channel.close();
    }
    return 0;
  } catch (err) {
    io.stdout.write(`Helper: not reachable on ${socketPath} (${errorMessage(err)}).\n`);
    return 1;
  }
};

const serve = async (o: HelperFlags, io: CliIo): Promise<number> => {
  needRoot('serve');
  const uid = Number(o.uid);
  if (o.uid === undefined || !Number.isInteger(uid))
    throw new KubefwdError('INVALID_INPUT', '--uid is required', {
      field: '--uid',
      hint: 'kubefwd helper install writes it.',
    });
  const helper = await serveHelperSocket({
    socketPath: o.socket ?? defaultHelperSocket(),
    uid,
    gid: o.gid !== undefined ? Number(o.gid) : uid,
    hostsPath: o.hostsPath ?? '/etc/hosts',
    log: (line) => io.stderr.write(`${line}\n`),
  });
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await helper.close();
  return 0;
};

export const runHelperCommand = async (argv: readonly string[], io: CliIo): Promise<number> => {
  const cmd = setUpCommand(buildHelperCommand(), io);
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof Error && 'code' in err && String(err.code).startsWith('commander.help')) return 0;
    return reportError(io, err, 'helper');
  }
  const o = cmd.opts<HelperFlags>();
  try {
    switch (cmd.args[0]) {
      case 'install':
        return await install(o, io);
      case 'uninstall':
        return await uninstall(o, io);
      case 'status':
        return await status(o, io);
      case 'serve':
        return await serve(o, io);
      default:
        throw new KubefwdError('INVALID_INPUT', `unknown helper action ${cmd.args[0] ?? ''}`, {
          field: 'action',
          hint: 'Use kubefwd helper install | status | uninstall.',
        });
    }
  } catch (err) {
    return reportError(io, err);
  }
};
