// LoopbackGateway of engine/ports. macOS routes only 127.0.0.1 to lo0, so every other 127.x address
// needs `ifconfig lo0 alias`; Linux and Windows route all of 127.0.0.0/8 to the loopback interface, so
// nothing is needed there.
import { execFile } from 'node:child_process';
import { KubefwdError, errorMessage } from '../contract/errors.js';

export type Exec = (cmd: string, args: string[]) => Promise<string>;

export interface Loopback {
  ensure(ip: string): Promise<void>;
  release(ip: string): Promise<void>;
  /** Addresses this process added and has not released. */
  held(): string[];
}

export const execCommand: Exec = (cmd, args) =>
  new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 10_000 }, (err, stdout) =>
      err ? reject(new Error(err.message)) : resolve(stdout),
    );
  });

/** True when the platform needs an alias for a 127.x address other than 127.0.0.1. */
export const needsAlias = (platform: NodeJS.Platform, ip: string): boolean =>
  platform === 'darwin' && ip !== '127.0.0.1';

export const createLoopback = (options: { platform?: NodeJS.Platform; exec?: Exec } = {}): Loopback => {
  const platform = options.platform ?? process.platform;
  const exec = options.exec ?? execCommand;
  // Reference counts: several forwards (ports) share one IP; the alias goes when the last one does.
  const refs = new Map<string, number>();
  const added = new Set<string>();

  return {
    async ensure(ip) {
      refs.set(ip, (refs.get(ip) ?? 0) + 1);
      if (!needsAlias(platform, ip) || added.has(ip)) return;
      const current = await exec('ifconfig', ['lo0']).catch(() => '');
      if (new RegExp(`inet ${ip.replace(/\./g, '\\.')}\\s`).test(current)) return;
      try {
        await exec('ifconfig', ['lo0', 'alias', ip, 'up']);
        added.add(ip);
      } catch (err) {
        refs.set(ip, (refs.get(ip) ?? 1) - 1);
        throw new KubefwdError('INTERNAL', `cannot ifconfig lo0 alias ${ip} up: ${errorMessage(err)}`, {
          cause: err,
          field: ip,
          hint: 'kubefwd needs root to add loopback aliases on macOS: run `sudo -E kubefwd ...`.',
        });
      }
    },
    async release(ip) {
      const n = (refs.get(ip) ?? 0) - 1;
      if (n > 0) {
        refs.set(ip, n);
        return;
      }
      refs.delete(ip);
      if (!added.delete(ip)) return;
      await exec('ifconfig', ['lo0', '-alias', ip]).catch(() => undefined);
    },
    held: () => [...added],
  };
};
