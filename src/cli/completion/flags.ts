// The flags each command accepts, as completion needs them: spellings, whether a value follows,
// and what kind of value. Read from the command definitions the CLI parses with (commander
// Commands, sim's flag table), so completion offers exactly what the parser accepts.
import type { Command, Option } from 'commander';
import { buildMcpCommand } from '../mcp-options.js';
import { SIM_FLAGS } from '../sim-flags.js';
import { buildSvcCommand } from '../svc-options.js';
import { buildTuiCommand } from '../tui-options.js';
import { buildOpenCommand } from '../open-options.js';

/** What completes a flag's value: nothing, the shell's paths, kubeconfig data, or fixed words. */
export type ValueKind = 'none' | 'files' | 'contexts' | 'namespaces' | { choices: readonly string[] };

export interface FlagSpec {
  long?: string;
  short?: string;
  /** `optional`: a value follows only when the next word does not start with `-` (commander's `[x]`). */
  value: 'none' | 'required' | 'optional';
  kind: ValueKind;
}

/** The commands whose flags completion knows; aliases (services, svcs) map to svc. */
export type FlagCommand = 'svc' | 'demo' | 'mcp' | 'tui' | 'open' | 'sim' | 'completion';

// Every command accepts these (commander adds them; sim's table and `completion` handle them too).
const HELP: FlagSpec = { long: '--help', short: '-h', value: 'none', kind: 'none' };

/** The TUI colours; the flag is free text (an unknown theme falls back to dark), so not commander choices. */
const THEMES: ValueKind = { choices: ['dark', 'light'] };

const fromOption = (o: Option, kinds: Readonly<Record<string, ValueKind>>): FlagSpec => {
  const value = o.required ? 'required' : o.optional ? 'optional' : 'none';
  const kind: ValueKind =
    value === 'none'
      ? 'none'
      : o.argChoices !== undefined
        ? { choices: o.argChoices }
        : ((o.long !== undefined ? kinds[o.long] : undefined) ??
          // A `<file>` placeholder is the definition's own statement that the value is a path.
          (/<file>/.test(o.flags) ? 'files' : 'none'));
  return {
    ...(o.long !== undefined ? { long: o.long } : {}),
    ...(o.short !== undefined ? { short: o.short } : {}),
    value,
    kind,
  };
};

/** The visible options of `cmd` (hidden ones, such as the `--no-…` spellings, are not offered). */
const fromCommand = (cmd: Command, kinds: Readonly<Record<string, ValueKind>> = {}): FlagSpec[] => [
  ...cmd.options.filter((o) => !o.hidden).map((o) => fromOption(o, kinds)),
  HELP,
];

const fromSimTable = (): FlagSpec[] =>
  SIM_FLAGS.map((f) => ({
    long: f.long,
    ...('short' in f ? { short: f.short } : {}),
    value: 'value' in f ? 'required' : 'none',
    kind: 'value' in f && f.value === 'path' ? 'files' : 'none',
  }));

const cache = new Map<FlagCommand, FlagSpec[]>();

export const flagsOf = (command: FlagCommand): FlagSpec[] => {
  const hit = cache.get(command);
  if (hit) return hit;
  let specs: FlagSpec[];
  switch (command) {
    case 'svc':
      specs = fromCommand(buildSvcCommand('svc'), {
        '--context': 'contexts',
        '--namespace': 'namespaces',
        '--theme': THEMES,
      });
      break;
    case 'demo':
      // demo forwards its own simulated cluster (it replaces -c and -x), which does not run yet
      // while the user types: there are no contexts or namespaces to ask.
      specs = fromCommand(buildSvcCommand('demo'), { '--theme': THEMES });
      break;
    case 'mcp':
      specs = fromCommand(buildMcpCommand());
      break;
    case 'tui':
      specs = fromCommand(buildTuiCommand(), { '--theme': THEMES });
      break;
    case 'open':
      specs = fromCommand(buildOpenCommand());
      break;
    case 'sim':
      specs = fromSimTable();
      break;
    case 'completion':
      specs = [HELP];
      break;
  }
  cache.set(command, specs);
  return specs;
};
