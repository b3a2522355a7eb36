import { describe, expect, it } from 'vitest';
import { keyAction, type KeyPress, type View } from './keyboard.js';

const press = (key: string, o: Partial<KeyPress> = {}): KeyPress => ({
  key,
  ctrl: false,
  meta: false,
  alt: false,
  editing: false,
  help: false,
  ...o,
});
const on = (view: View, key: string, o: Partial<KeyPress> = {}) => keyAction(press(key, o), view);

describe('keyboard: the TUI’s keys', () => {
  it('moves, pages and jumps in the list', () => {
    expect(on('list', 'j')).toEqual({ kind: 'move', by: 1 });
    expect(on('list', 'ArrowDown')).toEqual({ kind: 'move', by: 1 });
    expect(on('list', 'k')).toEqual({ kind: 'move', by: -1 });
    expect(on('list', 'ArrowUp')).toEqual({ kind: 'move', by: -1 });
    expect(on('list', 'g')).toEqual({ kind: 'first' });
    expect(on('list', 'Home')).toEqual({ kind: 'first' });
    expect(on('list', 'G')).toEqual({ kind: 'last' });
    expect(on('list', 'End')).toEqual({ kind: 'last' });
    expect(on('list', 'PageDown')).toEqual({ kind: 'page', by: 1 });
    expect(on('list', 'PageUp')).toEqual({ kind: 'page', by: -1 });
  });

  it('acts on the selection and on all errors as the TUI does', () => {
    expect(on('list', 'Enter')).toEqual({ kind: 'open' });
    expect(on('list', 'R')).toEqual({ kind: 'reconnect' });
    expect(on('list', 'r')).toEqual({ kind: 'reconnectErrors' });
    expect(on('list', 'u')).toEqual({ kind: 'sync' });
    expect(on('list', 'd')).toEqual({ kind: 'remove' });
    expect(on('list', '/')).toEqual({ kind: 'filter' });
    expect(on('list', 's')).toEqual({ kind: 'sortNext' });
    expect(on('list', 'o')).toEqual({ kind: 'sortReverse' });
    expect(on('list', 'Escape')).toEqual({ kind: 'escape' });
  });

  it('copies connect strings with 1–9 and y on a service page, where r reconnects this service', () => {
    expect(on('service', '1')).toEqual({ kind: 'copy', index: 0 });
    expect(on('service', '9')).toEqual({ kind: 'copy', index: 8 });
    expect(on('service', 'y')).toEqual({ kind: 'copy', index: 0 });
    expect(on('service', 'r')).toEqual({ kind: 'reconnect' });
    expect(on('service', 'u')).toEqual({ kind: 'sync' });
    expect(on('service', '0')).toBeUndefined();
    expect(on('list', '1')).toBeUndefined();
    expect(on('service', 'j')).toBeUndefined();
  });

  it('marks every service with a on the browse page', () => {
    expect(on('browse', 'a')).toEqual({ kind: 'markAll' });
    expect(on('list', 'a')).toBeUndefined();
  });

  it('has the global keys everywhere', () => {
    for (const v of ['list', 'service', 'browse', 'logs'] as const) {
      expect(on(v, '?')).toEqual({ kind: 'help' });
      expect(on(v, 'l')).toEqual({ kind: 'logs' });
      expect(on(v, 'f')).toEqual({ kind: 'browse', contexts: false });
      expect(on(v, 'x')).toEqual({ kind: 'browse', contexts: true });
      expect(on(v, 'b')).toEqual({ kind: 'bandwidth' });
      expect(on(v, 'c')).toEqual({ kind: 'compact' });
      expect(on(v, 'Escape')).toEqual({ kind: 'escape' });
    }
  });

  it('leaves typing in the filter box alone, except Enter (keep) and Escape (clear)', () => {
    expect(on('list', 'j', { editing: true })).toBeUndefined();
    expect(on('list', '?', { editing: true })).toBeUndefined();
    expect(on('list', 'Enter', { editing: true })).toEqual({ kind: 'leaveFilter', clear: false });
    expect(on('list', 'Escape', { editing: true })).toEqual({ kind: 'leaveFilter', clear: true });
  });

  it('leaves the browser’s own combinations alone', () => {
    expect(on('list', 'r', { ctrl: true })).toBeUndefined();
    expect(on('list', 'l', { meta: true })).toBeUndefined();
    expect(on('list', 'd', { alt: true })).toBeUndefined();
    expect(on('list', 'Tab')).toBeUndefined();
  });

  it('with help open, only ?, Esc and q close it; nothing else acts', () => {
    expect(on('list', 'Escape', { help: true })).toEqual({ kind: 'help' });
    expect(on('list', 'q', { help: true })).toEqual({ kind: 'help' });
    expect(on('list', 'd', { help: true })).toBeUndefined();
  });
});
