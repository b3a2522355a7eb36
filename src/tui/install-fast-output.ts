// Puts fast-output.ts's assembleFrame in front of ink's Output.get, for the ink version it was
// written against (6.8.0: the shape of Output's operations is ink's internal business, so any other
// version keeps ink's own assembly). ink does not export Output; its module is loaded by file URL,
// the same module instance ink's renderer uses. Process-wide by nature (it is ink's class), so the
// TUI's loader (load.ts) installs it once, before the first frame; anything assembleFrame cannot
// show exactly falls through to ink's Output.get.
import { readFile } from 'node:fs/promises';
import { assembleFrame, type InkOutput } from './fast-output.js';

const INK_VERSION = '6.8.0';

interface OutputClass {
  prototype: { get: (this: InkOutput) => { output: string; height: number }; __kubefwdFast?: true };
}

const loadOutput = async (): Promise<OutputClass | undefined> => {
  try {
    const index = import.meta.resolve('ink');
    const pkg = JSON.parse(await readFile(new URL('../package.json', index), 'utf8')) as { version?: string };
    if (pkg.version !== INK_VERSION) return undefined;
    return ((await import(new URL('./output.js', index).href)) as { default: OutputClass }).default;
  } catch {
    // No ink package on disk to load it from (the single-file executable bundles ink): ink's own
    // assembly it is, slower but the same frames.
    return undefined;
  }
};

/**
 * True when installed (now or before); false when this ink is not the one it was written for or
 * its Output module cannot be loaded (never an error: the TUI works without it).
 */
export const installFastOutput = async (): Promise<boolean> => {
  const Output = await loadOutput();
  if (!Output) return false;
  const proto = Output.prototype;
  if (proto.__kubefwdFast) return true;
  const original = proto.get;
  const widths = new Map<number, number>();
  proto.get = function (this: InkOutput) {
    return assembleFrame(this, widths) ?? original.call(this);
  };
  proto.__kubefwdFast = true;
  return true;
};
