// Follows a pod's log through the daemon's SSE route; lines arrive as the container writes them.
// When the stream ends (pod gone, daemon restarted, a quiet log timed out) it says why, and the
// panel follows again after a pause while it stays open.
import { followAgain } from './follow-again.js';
import { createSseParser } from './sse.js';

/** Lines kept on the page. */
export const MAX_LOG_LINES = 2000;

export interface LogFollower {
  close(): void;
}

export const followLog = (
  url: string,
  cb: { lines(lines: string[]): void; ended(reason: string): void },
): LogFollower => {
  const once = async (signal: AbortSignal): Promise<string> => {
    const res = await fetch(url, { credentials: 'same-origin', signal });
    if (!res.ok || !res.body) {
      let reason = `HTTP ${res.status}`;
      try {
        const body = (await res.json()) as { error?: { message?: string; hint?: string } };
        reason = [body.error?.message, body.error?.hint].filter(Boolean).join(' — ') || reason;
      } catch {
        // not JSON: keep the status
      }
      return reason;
    }
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    const parser = createSseParser();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return 'the stream closed';
      const batch: string[] = [];
      for (const m of parser.push(value).messages) {
        const data = JSON.parse(m.data) as { line?: string; reason?: string };
        if (m.event === 'log' && typeof data.line === 'string') batch.push(data.line);
        if (m.event === 'end') {
          if (batch.length) cb.lines(batch);
          return data.reason ?? 'the log ended';
        }
      }
      if (batch.length) cb.lines(batch);
    }
  };
  const close = followAgain(once, (reason) => cb.ended(reason));
  return { close };
};
