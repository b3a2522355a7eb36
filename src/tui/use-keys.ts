// useInput with the newest handler always, one key at a time, every key acting.
//
// ink re-subscribes its handler in a passive effect, which may run only after the next render, so
// a key pressed right after a state change would see the previous state; reading the handler
// through a ref set during render avoids that. But keys that arrive together (key repeat, paste,
// tmux send-keys: several keys in one read) reach us in one synchronous burst — ink hands printable
// text over as one string ("jjj") and escape sequences as separate calls in the same tick — and
// every one of them would see the state from before the burst: three `j` moved the selection by
// none, three Down by one. So a chunk of text is split into its characters, and a key that arrives
// before the previous one has rendered waits in a queue; the queue is drained one key per render.
import { useInput, type Key } from 'ink';
import { useCallback, useEffect, useRef, useState } from 'react';

export type KeyHandler = (input: string, key: Key) => void;

/** An escape sequence's body as ink passes it on (ESC stripped): a mouse report, an unknown CSI. */
const CONTROL_SEQUENCE = /^\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]$/;

/** One key per character of a chunk of plain text; anything else (arrows, ctrl-x, …) as it came. */
export const splitKeys = (input: string, key: Key): [string, Key][] => {
  const chars = [...input];
  if (chars.length <= 1 || key.ctrl || key.meta || CONTROL_SEQUENCE.test(input)) return [[input, key]];
  return chars.map((c) => [c, { ...key, shift: /[A-Z]/.test(c) }]);
};

export const useKeys = (handler: KeyHandler, options: { isActive?: boolean } = {}): void => {
  const ref = useRef(handler);
  ref.current = handler;
  const queue = useRef<[string, Key][]>([]);
  /** A key acted and its render has not happened yet: later keys wait for it. */
  const unrendered = useRef(false);
  const [, rerender] = useState(0);

  const act = useCallback(([input, key]: [string, Key]) => {
    unrendered.current = true;
    ref.current(input, key);
    // Make sure a render (and with it the effect below) follows, also when the key changed nothing.
    rerender((n) => n + 1);
  }, []);

  // After each render: the handler in `ref` sees the state the previous key made; next key.
  useEffect(() => {
    unrendered.current = false;
    const next = queue.current.shift();
    if (next) act(next);
  });

  const stable = useCallback<KeyHandler>(
    (input, key) => {
      // Queued before acting: the key's render (and the effect) may run synchronously inside act.
      queue.current.push(...splitKeys(input, key));
      if (unrendered.current) return;
      const next = queue.current.shift();
      if (next) act(next);
    },
    [act],
  );
  useInput(stable, options);
};

/** A modal's key handler, set by the modal during render and called by the app's one useKeys. */
export interface KeyRoute {
  current: KeyHandler | undefined;
}
