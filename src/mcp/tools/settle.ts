// add_service and add_namespace answer once their forwards have settled (Active, or failed), so
// "Forwarding postgres at 127.x" is only said when 127.x really listens. The daemon starts forwards
// in the background; these helpers poll its state for a bounded time and judge what they see.
import { setTimeout as sleep } from 'node:timers/promises';
import { ERROR_CODES, KubefwdError } from '../../contract/errors.js';
import type { KubefwdBackend } from '../backend.js';
import type { ForwardView } from '../../contract/state.js';
import { classifyForward } from '../../domain/diagnosis.js';
import { portInUseAdvice } from '../port-in-use.js';

export const DEFAULT_SETTLE_MS = 5_000;
const POLL_MS = 150;

/** What a set of forwards amounts to: all up, some failed, or still on the way (with why). */
export type Settlement =
  | { state: 'active' }
  | { state: 'failed'; failed: ForwardView[] }
  | { state: 'pending'; waiting: ForwardView[] };

/** Failed wins over pending: a forward in Error is an answer even while others still start. */
export const judgeForwards = (forwards: readonly ForwardView[]): Settlement => {
  const failed = forwards.filter((f) => f.status === 'Error');
  if (failed.length > 0) return { state: 'failed', failed };
  const waiting = forwards.filter((f) => f.status !== 'Active');
  return forwards.length > 0 && waiting.length === 0 ? { state: 'active' } : { state: 'pending', waiting };
};

/**
 * Polls `read` until `done` says its value is final or `budgetMs` has passed; returns the last
 * value. A failed read counts as "not yet" until the budget is spent, then it is thrown.
 */
export const pollUntil = async <T>(
  read: () => Promise<T>,
  done: (value: T, previous: T | undefined) => boolean,
  budgetMs: number,
): Promise<T> => {
  const deadline = Date.now() + budgetMs;
  let previous: T | undefined;
  for (;;) {
    let value: T;
    try {
      value = await read();
    } catch (err) {
      if (Date.now() >= deadline) throw err;
      await sleep(POLL_MS);
      continue;
    }
    if (done(value, previous) || Date.now() >= deadline) return value;
    previous = value;
    await sleep(POLL_MS);
  }
};

/**
 * Waits (at most `budgetMs`) until the forwards `pick` selects are settled — and, with `sameSet`,
 * until two looks in a row agree on that key (a namespace's services are discovered over time).
 */
export const waitForForwards = async (
  api: KubefwdBackend,
  pick: (f: ForwardView) => boolean,
  budgetMs: number,
  sameSet?: (fs: readonly ForwardView[]) => string,
): Promise<{ forwards: ForwardView[]; settled: Settlement }> => {
  const forwards = await pollUntil(
    async () => (await api.listForwards()).forwards.filter(pick),
    (fs, before) =>
      judgeForwards(fs).state !== 'pending' &&
      (!sameSet || (before !== undefined && sameSet(before) === sameSet(fs))),
    budgetMs,
  );
  return { forwards, settled: judgeForwards(forwards) };
};

const describeForward = (f: ForwardView): string =>
  `${f.serviceName} ${f.localIP}:${f.localPort}${f.podName ? ` (pod ${f.podName})` : ''}: ${f.error ?? f.reason ?? f.status}`;

/**
 * The tool error for forwards that failed: the code of the first failure, every failure named,
 * the registry's fix for that code, and how to retry or give up (the service stays registered).
 */
export const settleFailure = (what: string, failed: readonly ForwardView[]): KubefwdError => {
  const first = failed[0];
  const code = first ? classifyForward(first).code : 'INTERNAL';
  // -m, the registry's fix for a held port, is a flag no tool here can pass: what to tell the user.
  const fix =
    code === 'PORT_IN_USE' && first
      ? portInUseAdvice(first.localPort, first.error ?? first.reason ?? '')
      : ERROR_CODES[code].hint;
  const keys = [...new Set(failed.map((f) => f.serviceKey))];
  const retry = keys.map((k) => JSON.stringify({ key: k })).join(', ');
  return new KubefwdError(code, `${what}: ${failed.map(describeForward).join('; ')}`, {
    hint: `${fix} Once fixed, reconnect_service ${retry} opens it again; remove_service with the same key stops forwarding it.`,
    ...(first ? { field: `${first.localIP}:${first.localPort}` } : {}),
  });
};

/** A line for a result that is not settled yet: which forwards still wait, and why. */
export const pendingNote = (waiting: readonly ForwardView[]): string =>
  waiting.length === 0
    ? 'kubefwd has not reported its forwards yet; check get_service in a moment.'
    : `Not active yet: ${waiting.map(describeForward).join('; ')}. kubefwd keeps trying; check get_service in a moment.`;
