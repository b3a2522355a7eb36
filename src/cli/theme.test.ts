import { describe, expect, it } from 'vitest';
import { resolveTheme } from './theme.js';

describe('resolveTheme', () => {
  it('takes the flag, else the environment, else nothing', () => {
    expect(resolveTheme('light', 'dark')).toBe('light');
    expect(resolveTheme(undefined, 'light')).toBe('light');
    expect(resolveTheme(undefined, undefined)).toBeUndefined();
    expect(resolveTheme(undefined, '')).toBeUndefined();
    // A good flag overrides a bad environment value.
    expect(resolveTheme('dark', 'pink')).toBe('dark');
  });
  it('refuses an unknown theme, naming where it came from', () => {
    expect(() => resolveTheme('pink', undefined)).toThrow('invalid theme "pink" for --theme');
    expect(() => resolveTheme(undefined, 'auto')).toThrow('invalid theme "auto" in KUBEFWD_THEME');
  });
});
