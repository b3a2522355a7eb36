// `kubefwd __complete WORDS… CURRENT`, the hidden command the shell scripts call on each Tab:
// one candidate per line, then `:files` or `:nofiles`. Always exit 0 and silent on stderr, since
// anything it wrote there would land in the middle of the user's prompt.
import type { CliIo } from '../io.js';
import { complete } from './complete.js';
import { kubeSources } from './sources.js';

export const runCompleteCommand = async (argv: readonly string[], io: CliIo): Promise<number> => {
  const words = argv.slice(0, -1);
  const current = argv.at(-1) ?? '';
  let result: { candidates: string[]; files: boolean } = { candidates: [], files: false };
  try {
    result = await complete(words, current, kubeSources(io.env));
  } catch {
    // Nothing to offer is the only failure a prompt can show.
  }
  // A newline inside a name would split it into two candidates; such names cannot be typed anyway.
  const lines = result.candidates.filter((c) => !c.includes('\n'));
  io.stdout.write([...lines, result.files ? ':files' : ':nofiles'].join('\n') + '\n');
  return 0;
};
