// A server-sent-events frame parser (WHATWG "event stream" rules, the subset servers use):
// `event:`, `data:` (several joined by "\n"), `id:`, `retry:` ignored, `:` comments, CRLF/LF/CR
// line ends, frames dispatched on a blank line. Pure and incremental: feed it text as it arrives.

export interface SseFrame {
  event: string;
  data: string;
  id?: string;
}

export interface SseParser {
  /** Feeds a chunk of decoded text; calls `onFrame` for every complete frame in it. */
  push(text: string): void;
}

export const createSseParser = (onFrame: (frame: SseFrame) => void): SseParser => {
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let id: string | undefined;
  // A chunk may end between "\r" and "\n"; remember to skip that "\n".
  let skipLf = false;

  const line = (text: string): void => {
    if (text === '') {
      if (data.length > 0)
        onFrame({ event: event || 'message', data: data.join('\n'), ...(id !== undefined ? { id } : {}) });
      event = '';
      data = [];
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id' && !value.includes('\0')) id = value;
  };

  return {
    push(text) {
      if (text === '') return;
      let chunk = text;
      if (skipLf && chunk.startsWith('\n')) chunk = chunk.slice(1);
      skipLf = false;
      buffer += chunk;
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const c = buffer.charCodeAt(i);
        if (c !== 10 && c !== 13) continue;
        line(buffer.slice(start, i));
        if (c === 13) {
          if (i + 1 < buffer.length) {
            if (buffer.charCodeAt(i + 1) === 10) i++;
          } else {
            skipLf = true;
          }
        }
        start = i + 1;
      }
      buffer = buffer.slice(start);
    },
  };
};
