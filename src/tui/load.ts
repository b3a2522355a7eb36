// Loads the TUI with ink's CI detection turned off. ink decides once, when its module is first
// evaluated, whether it runs in CI (a `CI` or `CONTINUOUS_INTEGRATION` variable), and then writes
// only the last frame at exit. kubefwd starts its TUI only on an interactive terminal (runTui
// refuses otherwise), where every frame must render even if such a variable is set. The variables
// are removed, not set to "false": chalk, also deciding once, takes a `CI` of any value for a CI
// log and drops every colour.
//
// It also loads React's production build: React picks its build from NODE_ENV when its module is
// first evaluated, and with NODE_ENV unset (how users run kubefwd) that is the development build,
// which diffs every prop for its profiling tracks and made a frame 10-30x slower (issue 18). An
// explicit NODE_ENV is left alone.
// It also assembles ink's frames by rows instead of cell by cell (install-fast-output.ts; issue 18).
// Import nothing from ink or React here (types only, which are erased): this module must run
// before theirs are evaluated.
import type * as Tui from './index.js';

type TuiModule = typeof Tui;

export const loadTui = async (env: NodeJS.ProcessEnv = process.env): Promise<TuiModule> => {
  const keys = ['CI', 'CONTINUOUS_INTEGRATION', 'NODE_ENV'] as const;
  const saved = keys.map((k) => [k, env[k]] as const);
  delete env.CI;
  delete env.CONTINUOUS_INTEGRATION;
  env.NODE_ENV ??= 'production';
  try {
    const tui = await import('./index.js');
    const { installFastOutput } = await import('./install-fast-output.js');
    await installFastOutput();
    return tui;
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
  }
};
