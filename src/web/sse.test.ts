import { describe, expect, it } from 'vitest';
import { createSseParser } from './sse.js';

describe('createSseParser', () => {
  it('assembles messages split anywhere, CRLF or LF, and notices drop comments', () => {
    const text =
      'event: PodAdded\r\nid: 1\r\ndata: {"a":1}\r\n\r\n: dropped 3 events (client too slow)\n\nevent: log\ndata: x\ndata: y\n\n';
    for (let cut = 0; cut <= text.length; cut++) {
      const p = createSseParser();
      const a = p.push(text.slice(0, cut));
      const b = p.push(text.slice(cut));
      expect([...a.messages, ...b.messages]).toEqual([
        { event: 'PodAdded', data: '{"a":1}' },
        { event: 'log', data: 'x\ny' },
      ]);
      expect(a.dropped || b.dropped).toBe(true);
    }
  });

  it('keep-alive comments are not drops', () => {
    expect(createSseParser().push(': keep-alive\n\n')).toEqual({ messages: [], dropped: false });
  });
});
