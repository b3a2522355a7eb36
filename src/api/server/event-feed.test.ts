import { describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../contract/api.js';
import type { ForwardTraffic } from '../../engine/traffic/recorder.js';
import type { RouteContext } from './deps.js';
import { createEventFeed } from './event-feed.js';

describe('event feed: bandwidth', () => {
  it('tells a forward that stopped moving that its rate is 0 (a page patched by the events showed the last rate for good)', () => {
    let tick = (): void => undefined;
    let rate = 500;
    const forward = (): ForwardTraffic =>
      ({
        key: 'k',
        serviceKey: 's',
        bytesIn: 10,
        bytesOut: 10,
        rateIn: rate,
        rateOut: rate,
      }) as ForwardTraffic;
    const ctx = {
      now: () => 0,
      state: { onEngineEvent: () => () => undefined, logs: { subscribe: () => () => undefined } },
      traffic: { onSample: (cb: () => void) => ((tick = cb), () => undefined), forwards: () => [forward()] },
    } as unknown as Pick<RouteContext, 'state' | 'traffic' | 'now'>;
    const seen: ApiEvent[] = [];
    createEventFeed(ctx).subscribe((e) => seen.push(e));
    tick();
    rate = 0;
    tick();
    tick();
    const rates = seen.map((e) => (e.data as { forwards: { rateIn: number }[] }).forwards[0]!.rateIn);
    expect(rates).toEqual([500, 0]);
  });
});
