// Loads data for a view and reloads it when `trigger` changes — at most once per `minGapMs`, so a
// service whose bytes move every second does not refetch on every event.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiFailure, type ApiProblem } from './api.js';

export interface Loaded<T> {
  data: T | undefined;
  problem: ApiProblem | undefined;
}

export const useLoad = <T>(
  load: () => Promise<T>,
  key: string,
  trigger: unknown,
  minGapMs = 1000,
): Loaded<T> => {
  const [state, setState] = useState<Loaded<T>>({ data: undefined, problem: undefined });
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    setState({ data: undefined, problem: undefined });
    last.current = 0;
  }, [key]);
  useEffect(() => {
    let live = true;
    const run = (): void => {
      last.current = Date.now();
      load().then(
        (data) => live && setState({ data, problem: undefined }),
        (err: unknown) =>
          live &&
          setState((s) => ({
            data: s.data,
            problem:
              err instanceof ApiFailure
                ? err.problem
                : { status: 0, code: 'INTERNAL', message: String(err), hint: '' },
          })),
      );
    };
    const wait = last.current + minGapMs - Date.now();
    if (wait <= 0) run();
    else timer.current = setTimeout(run, wait);
    return () => {
      live = false;
      clearTimeout(timer.current);
    };
    // load is a fresh closure each render; key and trigger say when to call it.
  }, [key, trigger]);
  return state;
};
