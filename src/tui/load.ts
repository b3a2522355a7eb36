// Loads the TUI with ink's CI detection turned off. ink decides once, when its module is first
// evaluated, whether it runs in CI (a `CI` or `CONTINUOUS_INTEGRATION` variable), and then writes
// only the last frame at exit. kubefwd starts its TUI only on an interactive terminal (runTui
// refuses otherwise), where every frame must render even if such a variable is set.
// Import nothing from ink here (types only, which are erased): this module must run before ink's
// is evaluated.
import type * as Tui from './index.js';

type TuiModule = typeof Tui;

export const loadTui = async (env: NodeJS.ProcessEnv = process.env): Promise<TuiModule> => {
  const keys = ['CI', 'CONTINUOUS_INTEGRATION'] as const;
  const saved = keys.map((k) => [k, env[k]] as const);
  for (const k of keys) env[k] = 'false';
  try {
    return await import('./index.js');
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
  }
};
