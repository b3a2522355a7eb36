// Where the repository is, for bench code that runs from source (vitest) or built (dist/bench).
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** Repository root, from bench/lib (source) or dist/bench/lib (built). */
export const repoRoot = resolve(here, here.includes(`${'/dist/'}`) ? '../../..' : '../..');
