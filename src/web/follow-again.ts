// Follows a stream for as long as the page wants it: each attempt runs until the stream ends and
// says why; after a pause the next attempt starts. Closing aborts the attempt in flight.

/** Starts following; returns the close. `ended` hears why each attempt stopped (not after close). */
export const followAgain = (
  attempt: (signal: AbortSignal) => Promise<string>,
  ended: (reason: string) => void,
  pauseMs = 3000,
): (() => void) => {
  let closed = false;
  let abort: AbortController | undefined;
  void (async () => {
    while (!closed) {
      abort = new AbortController();
      let reason: string;
      try {
        reason = await attempt(abort.signal);
      } catch (err) {
        reason = String(err);
      }
      if (closed) return;
      ended(reason);
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  })();
  return () => {
    closed = true;
    abort?.abort();
  };
};
