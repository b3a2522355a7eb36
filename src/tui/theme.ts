// Colour palettes (kubefwd's xterm-256 pairs, light/dark) and the status → colour/glyph mapping.
import type { ForwardStatus } from '../contract/state.js';

export type ThemeName = 'dark' | 'light';

export interface Theme {
  name: ThemeName;
  title: string;
  accent: string;
  ok: string;
  warn: string;
  error: string;
  stopping: string;
  muted: string;
  text: string;
  focus: string;
  cyan: string;
  selectedBg: string;
}

const c = (n: number): string => `ansi256(${n})`;

export const THEMES: Record<ThemeName, Theme> = {
  dark: {
    name: 'dark',
    title: c(226),
    accent: c(39),
    ok: c(42),
    warn: c(226),
    error: c(196),
    stopping: c(208),
    muted: c(243),
    text: c(255),
    focus: c(62),
    cyan: c(51),
    selectedBg: c(237),
  },
  light: {
    name: 'light',
    title: c(136),
    accent: c(27),
    ok: c(28),
    warn: c(136),
    error: c(160),
    stopping: c(166),
    muted: c(240),
    text: c(16),
    focus: c(62),
    cyan: c(30),
    selectedBg: c(254),
  },
};

/** `--theme` / KUBEFWD_THEME; anything else → dark (kubefwd's default). */
export const resolveTheme = (name: string | undefined): Theme =>
  name?.toLowerCase() === 'light' ? THEMES.light : THEMES.dark;

/** A glyph per status so it reads without colour too. */
export const STATUS_GLYPH: Record<ForwardStatus, string> = {
  Active: '●',
  Connecting: '◐',
  Pending: '○',
  Waiting: '◌',
  Error: '✖',
  Stopping: '◑',
};

export const statusColor = (theme: Theme, status: ForwardStatus): string => {
  switch (status) {
    case 'Active':
      return theme.ok;
    case 'Connecting':
      return theme.warn;
    case 'Waiting':
      return theme.stopping;
    case 'Error':
      return theme.error;
    case 'Stopping':
      return theme.stopping;
    case 'Pending':
      return theme.muted;
  }
};
