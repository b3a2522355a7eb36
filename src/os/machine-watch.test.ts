import type { NetworkInterfaceInfo } from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  addressChange,
  formatPause,
  networkAddresses,
  pauseBetween,
  watchMachine,
  type ClockReading,
  type MachineChange,
} from './machine-watch.js';

const at = (wall: number, mono: number): ClockReading => ({ wall, mono });

describe('pauseBetween', () => {
  const tick = 2_000;
  const pause = 10_000;

  it('is nothing for a tick on time, or a little late', () => {
    expect(pauseBetween(at(0, 0), at(2_000, 2_000), tick, pause)).toBeUndefined();
    expect(pauseBetween(at(0, 0), at(11_999, 11_999), tick, pause)).toBeUndefined();
  });

  it('tells sleep (the wall clock ran on, the monotonic one did not) from a stopped process', () => {
    expect(pauseBetween(at(0, 0), at(2_000 + 725_000, 2_000), tick, pause)).toEqual({
      reason: 'the machine was asleep for 12m 7s',
      slept: true,
    });
    expect(pauseBetween(at(0, 0), at(32_000, 32_000), tick, pause)).toEqual({
      reason: 'kubefwd did not run for 32s (stopped, or starved of CPU)',
      slept: false,
    });
  });

  it('a wall clock set back, or forward by less than a pause, is nothing', () => {
    expect(pauseBetween(at(100_000, 0), at(2_000, 2_000), tick, pause)).toBeUndefined();
    expect(pauseBetween(at(0, 0), at(9_000, 2_000), tick, pause)).toBeUndefined();
  });
});

describe('formatPause', () => {
  it('says seconds, minutes or hours', () => {
    expect(formatPause(14_400)).toBe('14s');
    expect(formatPause(725_000)).toBe('12m 5s');
    expect(formatPause(3_780_000)).toBe('1h 3m');
  });
});

const iface = (address: string, extra: Partial<NetworkInterfaceInfo> = {}): NetworkInterfaceInfo =>
  ({
    address,
    netmask: '255.255.255.0',
    family: address.includes(':') ? 'IPv6' : 'IPv4',
    mac: '00:00:00:00:00:00',
    internal: false,
    cidr: null,
    ...(address.includes(':') ? { scopeid: 0 } : {}),
    ...extra,
  }) as NetworkInterfaceInfo;

describe('networkAddresses', () => {
  it('leaves out loopback (kubefwd’s own aliases) and IPv6 link-local (every new veth has one)', () => {
    expect(
      networkAddresses({
        lo: [iface('127.0.0.1', { internal: true }), iface('127.1.27.1', { internal: true })],
        wlan0: [iface('192.168.1.5'), iface('fe80::1'), iface('2001:db8::5')],
        veth12: [iface('fe80::abcd')],
        tun0: [iface('10.8.0.2')],
      }),
    ).toEqual(['tun0 10.8.0.2', 'wlan0 192.168.1.5', 'wlan0 2001:db8::5']);
  });
});

describe('addressChange', () => {
  it('names what went and what came', () => {
    expect(addressChange(['wlan0 192.168.1.5'], ['wlan0 192.168.1.5'])).toBeUndefined();
    expect(addressChange(['wlan0 192.168.1.5'], ['tun0 10.8.0.2', 'wlan0 10.0.0.7'])).toBe(
      'the network changed: wlan0 192.168.1.5 gone, tun0 10.8.0.2 new, wlan0 10.0.0.7 new',
    );
  });
});

describe('watchMachine', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('calls onChange with the reason on a pause or a change of addresses, once per tick', () => {
    vi.useFakeTimers();
    let clock = at(0, 0);
    let addrs = ['wlan0 192.168.1.5'];
    const reasons: MachineChange[] = [];
    const w = watchMachine({
      onChange: (c) => reasons.push(c),
      now: () => clock,
      addresses: () => addrs,
    });
    clock = at(2_000, 2_000);
    vi.advanceTimersByTime(2_000);
    expect(reasons).toEqual([]);
    // Woke up on another network: both said at once.
    clock = at(4_000 + 3_600_000, 4_000);
    addrs = ['wlan0 10.0.0.7'];
    vi.advanceTimersByTime(2_000);
    expect(reasons).toEqual([
      {
        reason:
          'the machine was asleep for 1h 0m; the network changed: wlan0 192.168.1.5 gone, wlan0 10.0.0.7 new',
        slept: true,
      },
    ]);
    // The next tick compares with that one.
    clock = at(6_000 + 3_600_000, 6_000);
    vi.advanceTimersByTime(2_000);
    expect(reasons).toHaveLength(1);
    w.stop();
    clock = at(10_000_000, 10_000_000);
    vi.advanceTimersByTime(10_000);
    expect(reasons).toHaveLength(1);
  });

  it('a tick that cannot read the interfaces (out of file descriptors) compares nothing and ends nothing', () => {
    vi.useFakeTimers();
    let fail = false;
    let addrs = ['wlan0 192.168.1.5'];
    const reasons: MachineChange[] = [];
    const w = watchMachine({
      onChange: (c) => reasons.push(c),
      now: () => at(Date.now(), Date.now()),
      addresses: () => {
        if (fail) throw Object.assign(new Error('Unknown system error 24'), { code: 'ERR_SYSTEM_ERROR' });
        return addrs;
      },
    });
    fail = true;
    expect(() => vi.advanceTimersByTime(4_000)).not.toThrow();
    expect(reasons).toEqual([]);
    fail = false;
    addrs = ['wlan0 10.0.0.7'];
    vi.advanceTimersByTime(2_000);
    expect(reasons.map((r) => r.reason)).toEqual([
      'the network changed: wlan0 192.168.1.5 gone, wlan0 10.0.0.7 new',
    ]);
    w.stop();
  });
});
