// kubefwd's argument rewriting, done before parsing so scripts written for kubefwd keep working:
// no arguments or an unknown first word means `svc` (so `sudo kubefwd -n shop` forwards shop and a
// bare `sudo kubefwd` is idle mode); cobra-style `--flag=false` and `-n=shop` are accepted.
import { KubefwdError } from '../contract/errors.js';

/** The first words that are commands; anything else gets `svc` inserted before it. */
export const COMMAND_WORDS = [
  'services',
  'svcs',
  'svc',
  'version',
  'mcp',
  'help',
  'completion',
  '__complete',
  // ours
  'sim',
  'demo',
  'tui',
  'open',
  'helper',
] as const;

export const SVC_ALIASES = ['services', 'svcs', 'svc'] as const;

/** Inserts `svc` unless the first argument is a command word. */
export const rewriteArgs = (argv: readonly string[]): string[] => {
  const first = argv[0];
  if (first === undefined || !(COMMAND_WORDS as readonly string[]).includes(first)) return ['svc', ...argv];
  return [...argv];
};

/** True when argv asks for the TUI anywhere (kubefwd suppresses its banner then). */
export const wantsTui = (argv: readonly string[]): boolean => argv.includes('--tui');

/** The values pflag's boolean flags take after `=` (Go's strconv.ParseBool). */
const BOOL_TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const BOOL_FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False'];

/** `--tui=yes`: a boolean flag given a value that is not a boolean (kubefwd refused it too). */
const badBoolValue = (flag: string, value: string): KubefwdError =>
  new KubefwdError('INVALID_INPUT', `invalid value "${value}" for ${flag}`, {
    field: flag,
    hint: `${flag} is a switch: give it alone, or as ${flag}=true / ${flag}=false.`,
  });

/**
 * Cobra/pflag spellings commander does not know: `--bool=false|true` (→ `--no-bool` / `--bool`),
 * `-a=false`, and `-n=value` for short options with a value. `boolLong` maps the long names of
 * boolean flags, `boolShort` their short letters → long names, `valueShort` the short letters that
 * take a value. Everything after `--` is left alone. A boolean flag given any other value is an
 * INVALID_INPUT naming it (commander would call `--tui=yes` an unknown option).
 */
export const normaliseFlags = (
  argv: readonly string[],
  spec: {
    boolLong: readonly string[];
    boolShort: Readonly<Record<string, string>>;
    valueShort: readonly string[];
  },
): string[] => {
  const out: string[] = [];
  const toSwitch = (name: string, value: string, given: string): string => {
    if (BOOL_TRUE.includes(value)) return `--${name}`;
    if (BOOL_FALSE.includes(value)) return `--no-${name}`;
    throw badBoolValue(given, value);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const long = /^--([a-z][a-z0-9-]*)=(.*)$/.exec(arg);
    if (long && spec.boolLong.includes(long[1]!)) {
      out.push(toSwitch(long[1]!, long[2]!, `--${long[1]}`));
      continue;
    }
    const short = /^-([A-Za-z])=(.*)$/.exec(arg);
    if (short) {
      const letter = short[1]!;
      const boolName = spec.boolShort[letter];
      if (boolName !== undefined) {
        out.push(toSwitch(boolName, short[2]!, `-${letter}`));
        continue;
      }
      if (spec.valueShort.includes(letter)) {
        out.push(`-${letter}`, short[2]!);
        continue;
      }
    }
    out.push(arg);
  }
  return out;
};
