// What to offer for the word being completed on a kubefwd command line. Pure apart from the
// injected sources (kubeconfig contexts, cluster namespaces), so it is tested without a cluster;
// `kubefwd __complete` runs it with the real ones and the shell scripts show the result.
import { COMMAND_WORDS, SVC_ALIASES } from '../argv.js';
import { flagsOf, type FlagCommand, type FlagSpec, type ValueKind } from './flags.js';

export interface CompletionSources {
  /** Context names of the kubeconfig (`kubeconfig` = a typed -c, else the product's default files). */
  contexts(opts: { kubeconfig?: string }): Promise<string[]> | string[];
  /** Namespace names of the clusters of `contexts` (empty = the current context). */
  namespaces(opts: { kubeconfig?: string; contexts: string[] }): Promise<string[]> | string[];
}

export interface Completion {
  candidates: string[];
  /** The shell should complete file paths itself (the value of -c, --hosts-path, …). */
  files: boolean;
}

export const SHELLS = ['bash', 'zsh', 'fish', 'powershell'] as const;

/** The commands offered in first position (`__complete` is internal). */
export const SUBCOMMANDS: readonly string[] = COMMAND_WORDS.filter((w) => w !== '__complete');

const NOTHING: Completion = { candidates: [], files: false };

const words = (list: readonly string[], prefix: string): Completion => ({
  candidates: list.filter((w) => w.startsWith(prefix)),
  files: false,
});

/** Which flag table applies to a first word; undefined = a command without flags. */
const flagCommandOf = (command: string): FlagCommand | undefined => {
  if ((SVC_ALIASES as readonly string[]).includes(command)) return 'svc';
  switch (command) {
    case 'demo':
    case 'mcp':
    case 'tui':
    case 'open':
    case 'sim':
    case 'completion':
      return command;
    default:
      return undefined;
  }
};

const findLong = (flags: readonly FlagSpec[], long: string): FlagSpec | undefined =>
  flags.find((f) => f.long === long);
const findShort = (flags: readonly FlagSpec[], letter: string): FlagSpec | undefined =>
  flags.find((f) => f.short === `-${letter}`);

/** Splits comma lists as the parser does (cobra's StringSlice). */
const commaItems = (v: string): string[] =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** What the words before the cursor say: the flag awaiting a value, and the -c/-x already typed. */
interface Scan {
  pending: FlagSpec | undefined;
  afterDashDash: boolean;
  positionals: number;
  kubeconfig: string | undefined;
  contexts: string[];
}

const scan = (args: readonly string[], flags: readonly FlagSpec[]): Scan => {
  const s: Scan = {
    pending: undefined,
    afterDashDash: false,
    positionals: 0,
    kubeconfig: undefined,
    contexts: [],
  };
  const record = (flag: FlagSpec, value: string): void => {
    if (flag.long === '--kubeconfig') s.kubeconfig = value;
    else if (flag.long === '--context') s.contexts.push(...commaItems(value));
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (s.afterDashDash || arg === '-' || !arg.startsWith('-')) {
      s.positionals++;
      continue;
    }
    if (arg === '--') {
      s.afterDashDash = true;
      continue;
    }
    let flag: FlagSpec | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      flag = findLong(flags, eq > 0 ? arg.slice(0, eq) : arg);
      if (eq > 0) inline = arg.slice(eq + 1);
    } else {
      // Short flags may be grouped (-Av) and the last may carry its value (-nshop, -n=shop).
      for (let j = 1; j < arg.length; j++) {
        const f = findShort(flags, arg[j]!);
        if (f === undefined) break;
        flag = f;
        if (f.value !== 'none') {
          const rest = arg.slice(j + 1);
          if (rest !== '') inline = rest.startsWith('=') ? rest.slice(1) : rest;
          break;
        }
      }
    }
    if (flag === undefined || flag.value === 'none') continue;
    if (inline !== undefined) {
      record(flag, inline);
      continue;
    }
    const next = args[i + 1];
    if (next === undefined) {
      s.pending = flag;
      break;
    }
    if (flag.value === 'required' || !next.startsWith('-')) {
      record(flag, next);
      i++;
    }
  }
  return s;
};

const valueCompletion = async (
  kind: ValueKind,
  value: string,
  prefix: string,
  typed: Scan,
  sources: CompletionSources,
): Promise<Completion> => {
  if (kind === 'none') return NOTHING;
  if (kind === 'files') return { candidates: [], files: true };
  if (typeof kind === 'object')
    return {
      candidates: kind.choices.filter((c) => c.startsWith(value)).map((c) => prefix + c),
      files: false,
    };
  // Both -x and -n take comma lists: complete the item after the last comma, keep what is before,
  // and do not offer an item the list already holds.
  const comma = value.lastIndexOf(',');
  const head = value.slice(0, comma + 1);
  const tail = value.slice(comma + 1);
  const already = new Set(commaItems(head));
  let names: string[];
  try {
    const kubeconfig = typed.kubeconfig !== undefined ? { kubeconfig: typed.kubeconfig } : {};
    names =
      kind === 'contexts'
        ? await sources.contexts(kubeconfig)
        : await sources.namespaces({ ...kubeconfig, contexts: typed.contexts });
  } catch {
    // A broken kubeconfig or an unreachable cluster means nothing to offer, never an error on the prompt.
    return NOTHING;
  }
  const candidates = [...new Set(names)]
    .filter((n) => n.startsWith(tail) && !already.has(n))
    .sort()
    .map((n) => prefix + head + n);
  return { candidates, files: false };
};

/** Flag spellings (long and short) that start with `current`. */
const flagNames = (flags: readonly FlagSpec[], current: string): Completion => {
  const all: string[] = [];
  for (const f of flags) {
    if (f.long !== undefined) all.push(f.long);
    if (f.short !== undefined) all.push(f.short);
  }
  return words(all, current);
};

/** A flag word with its value attached (`--transport=sp`, `-n=sh`, `-nsh`): complete the value. */
const attachedValue = (
  flags: readonly FlagSpec[],
  current: string,
): { flag: FlagSpec; prefix: string; value: string } | undefined => {
  if (current.startsWith('--')) {
    const eq = current.indexOf('=');
    if (eq < 0) return undefined;
    const flag = findLong(flags, current.slice(0, eq));
    return flag && flag.value !== 'none'
      ? { flag, prefix: current.slice(0, eq + 1), value: current.slice(eq + 1) }
      : undefined;
  }
  for (let j = 1; j < current.length; j++) {
    const f = findShort(flags, current[j]!);
    if (f === undefined) return undefined;
    if (f.value === 'none') continue;
    const rest = current.slice(j + 1);
    if (rest === '') return undefined;
    const at = rest.startsWith('=') ? j + 2 : j + 1;
    return { flag: f, prefix: current.slice(0, at), value: current.slice(at) };
  }
  return undefined;
};

/**
 * The candidates for `current`, given the `words` typed after `kubefwd` before it. Failures of
 * the sources give no candidates; this never throws for any input.
 */
export const complete = async (
  typedWords: readonly string[],
  current: string,
  sources: CompletionSources,
): Promise<Completion> => {
  const [first, ...rest] = typedWords;
  if (first === undefined) {
    // `kubefwd -n shop` is `kubefwd svc -n shop` (argv.ts rewriteArgs), so flags here are svc's.
    if (current.startsWith('-')) return completeArgs('svc', [], current, sources);
    return words(SUBCOMMANDS, current);
  }
  if (first === '__complete') return NOTHING;
  const isCommand = (COMMAND_WORDS as readonly string[]).includes(first);
  return completeArgs(isCommand ? first : 'svc', isCommand ? rest : typedWords, current, sources);
};

const completeArgs = async (
  command: string,
  args: readonly string[],
  current: string,
  sources: CompletionSources,
): Promise<Completion> => {
  const flagCommand = flagCommandOf(command);
  const flags = flagCommand !== undefined ? flagsOf(flagCommand) : [];
  const typed = scan(args, flags);
  const pending = typed.pending;
  if (pending !== undefined && (pending.value === 'required' || !current.startsWith('-')))
    return valueCompletion(pending.kind, current, '', typed, sources);
  if (current.startsWith('-') && current !== '-' && !typed.afterDashDash) {
    const attached = attachedValue(flags, current);
    if (attached) return valueCompletion(attached.flag.kind, attached.value, attached.prefix, typed, sources);
  }
  if (current.startsWith('-') && !typed.afterDashDash) return flagNames(flags, current);
  if (typed.positionals === 0) {
    if (command === 'help') return words(SUBCOMMANDS, current);
    if (command === 'completion') return words(SHELLS, current);
    if (command === 'helper') return words(['install', 'status', 'uninstall'], current);
  }
  return NOTHING;
};
