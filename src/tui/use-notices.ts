// The TUI's own messages: the latest one in the status bar for a few seconds, all of them (the
// last MAX_UI_LOG) in the logs panel beside the daemon's.
import { useCallback, useEffect, useState } from 'react';
import type { TuiLogLine } from './backend.js';

const NOTICE_MS = 4000;
const MAX_UI_LOG = 200;

export type Notify = (message: string, level?: TuiLogLine['level']) => void;

export const useNotices = (
  now: () => number,
): { notice: string | undefined; uiLog: readonly TuiLogLine[]; notify: Notify } => {
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const [uiLog, setUiLog] = useState<TuiLogLine[]>(() => [
    { at: now(), level: 'info', message: 'kubefwd TUI started. Press ? for help, q to quit.' },
  ]);
  const notify = useCallback<Notify>(
    (message, level = 'info') => {
      setNotice(message);
      setUiLog((l) => [...l.slice(-(MAX_UI_LOG - 1)), { at: now(), level, message }]);
    },
    [now],
  );
  useEffect(() => {
    if (notice === undefined) return;
    const t = setTimeout(() => setNotice(undefined), NOTICE_MS);
    return () => clearTimeout(t);
  }, [notice]);
  return { notice, uiLog, notify };
};

/** The daemon's log and the TUI's own messages, in time order. */
export const mergeLogs = (a: readonly TuiLogLine[], b: readonly TuiLogLine[]): TuiLogLine[] => {
  if (b.length === 0) return [...a];
  return [...a, ...b].sort((x, y) => x.at - y.at);
};
