// Wires engine + state + API (filled in as those parts land).
import { KubefwdError } from '../contract/errors.js';
import type { ClusterProvider } from '../engine/ports.js';
import type { HostsFile } from '../os/hosts-file.js';
import type { InvokingUser } from '../os/privilege.js';
import type { DaemonConfig } from './config.js';
import type { DaemonLogger } from './logger.js';
import type { Plan } from './preflight.js';

export interface ComposeInput {
  config: DaemonConfig;
  logger: DaemonLogger;
  clusters: ClusterProvider;
  hosts: HostsFile;
  user: InvokingUser;
  plan: Plan | undefined;
}

export interface Composed {
  apiUrl: string | undefined;
  /** Resolves when the daemon should stop on its own (the TUI quit). */
  ended: Promise<void>;
  shutdown(): Promise<void>;
  forceCleanup(): Promise<void>;
}

export const compose = async (_input: ComposeInput): Promise<Composed> => {
  throw new KubefwdError('INTERNAL', 'the forwarding engine is not built yet');
};
