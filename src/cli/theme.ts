// The TUI theme, from --theme, else KUBEFWD_THEME (kubefwd's order). One rule for `svc` and `tui`.
import { KubefwdError } from '../contract/errors.js';

export type Theme = 'dark' | 'light';

const THEMES: readonly string[] = ['dark', 'light'];

/**
 * `flag` wins over `env`; neither → undefined (the TUI's default). A value that is not a theme is
 * INVALID_INPUT naming where it came from (kubefwd warned and went on; we stop, as for every input).
 */
export const resolveTheme = (flag: string | undefined, env: string | undefined): Theme | undefined => {
  if (flag !== undefined) {
    if (THEMES.includes(flag)) return flag as Theme;
    throw new KubefwdError('INVALID_INPUT', `invalid theme "${flag}" for --theme`, {
      field: '--theme',
      hint: 'Use --theme dark or --theme light.',
    });
  }
  if (env === undefined || env === '') return undefined;
  if (THEMES.includes(env)) return env as Theme;
  throw new KubefwdError('INVALID_INPUT', `invalid theme "${env}" in KUBEFWD_THEME`, {
    field: 'KUBEFWD_THEME',
    hint: 'Set KUBEFWD_THEME to dark or light, or unset it (--theme dark|light overrides it).',
  });
};
