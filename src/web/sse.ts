// A Server-Sent Events parser for a fetch body. EventSource hides comments, and the daemon says
// `: dropped N events` in a comment when this page fell behind; seeing it lets the page reload
// its state instead of silently showing a stale row. Pure and incremental (chunks split anywhere).

export interface SseMessage {
  event: string;
  data: string;
}

export interface SseParser {
  /** Feeds decoded text; returns the complete messages and whether a drop was announced. */
  push(text: string): { messages: SseMessage[]; dropped: boolean };
}

export const createSseParser = (): SseParser => {
  let buffer = '';
  let event = '';
  let data: string[] = [];
  return {
    push(text) {
      buffer += text;
      const messages: SseMessage[] = [];
      let dropped = false;
      let start = 0;
      for (;;) {
        const nl = buffer.indexOf('\n', start);
        if (nl < 0) break;
        let line = buffer.slice(start, nl);
        start = nl + 1;
        if (line.endsWith('\r')) line = line.slice(0, -1);
        if (line === '') {
          if (data.length > 0) messages.push({ event: event || 'message', data: data.join('\n') });
          event = '';
          data = [];
        } else if (line.startsWith(':')) {
          if (/^:\s*dropped\b/.test(line)) dropped = true;
        } else {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          let value = colon < 0 ? '' : line.slice(colon + 1);
          if (value.startsWith(' ')) value = value.slice(1);
          if (field === 'event') event = value;
          else if (field === 'data') data.push(value);
        }
      }
      buffer = buffer.slice(start);
      return { messages, dropped };
    },
  };
};
