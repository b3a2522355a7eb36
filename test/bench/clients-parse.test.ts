import { describe, expect, it } from 'vitest';
import { parsePgbench, parseRedisBenchmarkCsv } from '../../bench/clients/parse.js';

describe('the clients section reads the real clients', () => {
  it('redis-benchmark --csv: requests per second per test, the header skipped', () => {
    const out =
      '"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"\n' +
      '"SET","28490.03","1.071","0.320","0.999","1.687","2.295","7.103"\n' +
      '"GET","29895.37","1.023","0.336","0.967","1.607","2.159","6.743"\n';
    expect([...parseRedisBenchmarkCsv(out)]).toEqual([
      ['SET', 28490.03],
      ['GET', 29895.37],
    ]);
    expect(
      parseRedisBenchmarkCsv('Could not connect to Redis at 127.0.0.1:1: Connection refused\n').size,
    ).toBe(0);
  });

  it('pgbench: tps and transactions (select-only, and with -C), failures when reported', () => {
    const selectOnly = [
      'transaction type: <builtin: select only>',
      'number of clients: 8',
      'number of transactions actually processed: 54951',
      'number of failed transactions: 0 (0.000%)',
      'latency average = 0.437 ms',
      'initial connection time = 124.806 ms',
      'tps = 18318.747842 (without initial connection time)',
    ].join('\n');
    expect(parsePgbench(selectOnly)).toEqual({ tps: 18318.747842, transactions: 54951, failed: 0 });
    const reconnecting = [
      'number of transactions actually processed: 102',
      'number of failed transactions: 3 (2.857%)',
      'average connection time = 25.549 ms',
      'tps = 33.984039 (including reconnection times)',
    ].join('\n');
    expect(parsePgbench(reconnecting)).toEqual({ tps: 33.984039, transactions: 102, failed: 3 });
    expect(parsePgbench('pgbench: error: connection to server failed')).toBeUndefined();
  });
});
