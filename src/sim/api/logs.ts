// GET /api/v1/namespaces/{ns}/pods/{name}/log with the kubelet's PodLogOptions.
import type http from 'node:http';
import type { KObj } from './store.js';
import { ApiError } from './status.js';
import { formatLine } from '../workload/logs.js';
import type { ContainerLog } from '../workload/logs.js';

const boolParam = (q: URLSearchParams, k: string): boolean => q.get(k) === 'true' || q.get(k) === '1';

const intParam = (q: URLSearchParams, k: string, min: number): number | undefined => {
  const v = q.get(k);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v) || Number(v) < min)
    throw new ApiError(
      400,
      'BadRequest',
      `PodLogOptions "" is invalid: ${k}: Invalid value: ${v}: must be greater than or equal to ${min}`,
    );
  return Number(v);
};

// One request: the follow loop and its cleanup share the response's state.
export function serveLogs(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  pod: KObj,
  q: URLSearchParams,
  logOf: (container: string) => ContainerLog | undefined,
): void {
  const containers = ((pod.spec as { containers?: { name: string }[] } | undefined)?.containers ?? []).map(
    (c) => c.name,
  );
  let container = q.get('container') ?? '';
  if (container === '') {
    if (containers.length !== 1)
      throw new ApiError(
        400,
        'BadRequest',
        `a container name must be specified for pod ${pod.metadata.name}, choose one of: [${containers.join(' ')}]`,
      );
    container = containers[0]!;
  }
  if (!containers.includes(container))
    throw new ApiError(400, 'BadRequest', `container ${container} is not valid for pod ${pod.metadata.name}`);
  if (boolParam(q, 'previous'))
    throw new ApiError(
      400,
      'BadRequest',
      `previous terminated container "${container}" in pod "${pod.metadata.name}" not found`,
    );
  const tailLines = intParam(q, 'tailLines', 0);
  const sinceSeconds = intParam(q, 'sinceSeconds', 1);
  const limitBytes = intParam(q, 'limitBytes', 1);
  const sinceTimeText = q.get('sinceTime');
  const sinceTime = sinceTimeText ? new Date(sinceTimeText) : undefined;
  if (sinceTime && Number.isNaN(sinceTime.getTime()))
    throw new ApiError(
      400,
      'BadRequest',
      `PodLogOptions "" is invalid: sinceTime: Invalid value: "${sinceTimeText}"`,
    );
  if (sinceSeconds !== undefined && sinceTime !== undefined)
    throw new ApiError(
      422,
      'Invalid',
      'PodLogOptions "" is invalid: sinceSeconds: Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified',
    );
  const log = logOf(container);
  const running = (
    pod.status as
      | {
          containerStatuses?: {
            name: string;
            state?: { running?: unknown; waiting?: { reason?: string } };
          }[];
        }
      | undefined
  )?.containerStatuses?.find((c) => c.name === container);
  if (!log || !running?.state?.running) {
    const reason = running?.state?.waiting?.reason ?? 'ContainerCreating';
    throw new ApiError(
      400,
      'BadRequest',
      `container "${container}" in pod "${pod.metadata.name}" is waiting to start: ${reason}`,
    );
  }
  const timestamps = boolParam(q, 'timestamps');
  const follow = boolParam(q, 'follow');
  res.writeHead(200, {
    'content-type': 'text/plain',
    'cache-control': 'no-cache, private',
    ...(follow ? { 'transfer-encoding': 'chunked' } : {}),
  });
  let budget = limitBytes ?? Infinity;
  /** Write within the byte budget; false once exhausted. */
  const emit = (text: string): boolean => {
    if (budget <= 0) return false;
    const b = Buffer.from(text);
    const part = b.length > budget ? b.subarray(0, budget) : b;
    budget -= part.length;
    res.write(part);
    return budget > 0;
  };
  let open = true;
  for (const l of log.read({
    ...(tailLines !== undefined ? { tailLines } : {}),
    ...(sinceSeconds !== undefined ? { sinceSeconds } : {}),
    ...(sinceTime ? { sinceTime } : {}),
  })) {
    open = emit(formatLine(l, timestamps));
    if (!open) break;
  }
  if (!follow || !open) {
    res.end();
    return;
  }
  res.flushHeaders();
  const unfollow = log.follow(
    (l) => {
      if (!emit(formatLine(l, timestamps))) {
        unfollow();
        res.end();
      }
    },
    () => res.end(),
  );
  res.on('close', unfollow);
  req.on('close', unfollow);
}
