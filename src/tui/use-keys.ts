// useInput with the newest handler always: ink re-subscribes its handler in a passive effect,
// which may run only after the next render, so a key pressed right after a state change would
// see the previous state. Reading the handler through a ref set during render avoids that.
import { useInput, type Key } from 'ink';
import { useCallback, useRef } from 'react';

export type KeyHandler = (input: string, key: Key) => void;

export const useKeys = (handler: KeyHandler, options: { isActive?: boolean } = {}): void => {
  const ref = useRef(handler);
  ref.current = handler;
  const stable = useCallback<KeyHandler>((input, key) => ref.current(input, key), []);
  useInput(stable, options);
};

/** A modal's key handler, set by the modal during render and called by the app's one useKeys. */
export interface KeyRoute {
  current: KeyHandler | undefined;
}
