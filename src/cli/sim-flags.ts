// `kubefwd sim`'s flags as one table: its hand-written parser (commands/sim.ts) looks flags up
// here and shell completion lists them from here, so the two cannot drift apart. Kept apart from
// commands/sim.ts so completion does not load the simulated cluster.

export interface SimFlag {
  readonly long: string;
  readonly short?: string;
  /** Whether the flag takes a value; `path` = a file or directory the shell can complete. */
  readonly value?: 'path' | 'text';
}

export const SIM_FLAGS = [
  { long: '--help', short: '-h' },
  { long: '--dir', value: 'path' },
  { long: '--filename', short: '-f', value: 'path' },
  { long: '--port', value: 'text' },
  { long: '--ready-delay', value: 'text' },
  { long: '--context', value: 'text' },
  { long: '--no-tunnel' },
  { long: '--no-spdy' },
  { long: '--no-websocket' },
  { long: '--kubelet-upstream', value: 'text' },
  { long: '--fin-grace', value: 'text' },
] as const satisfies readonly SimFlag[];

export type SimFlagName = (typeof SIM_FLAGS)[number]['long'];

/** The flag spelled `arg` (long or short form), if sim has one. */
export const findSimFlag = (arg: string): (typeof SIM_FLAGS)[number] | undefined =>
  SIM_FLAGS.find((f) => f.long === arg || ('short' in f && f.short === arg));
