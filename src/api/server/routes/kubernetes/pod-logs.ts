// A pod container's log: the recent lines, or followed as an SSE stream. Log lines are untrusted
// text from the cluster.
import { z } from 'zod';
import { PodLogsQuery, PodLogsResponse, pickQuery } from '../../../../contract/api.js';
import { KubefwdError, errorMessage, isKubefwdError } from '../../../../contract/errors.js';
import type { ClusterGateway } from '../../../../engine/gateways.js';
import { route, type RouteDef } from '../../define.js';
import { fail } from '../../respond.js';
import { sseLimits, sseResponse } from '../../sse-stream.js';
import { ns, objName, whyNoPod, withTimeout, type ClusterAccess } from './cluster-access.js';

/** Pod logs read at most this much (kubefwd read one 1 MiB chunk; we ask the API server to cap it). */
export const POD_LOG_LIMIT_BYTES = 1024 * 1024;

/** `since_time` as the API server wants it; INVALID_INPUT unless an RFC3339 time. */
const checkedSinceTime = (sinceTime: string | undefined): string | undefined => {
  if (sinceTime === undefined) return undefined;
  if (!(/^\d{4}-\d\d-\d\dT/.test(sinceTime) && Number.isFinite(Date.parse(sinceTime))))
    fail(
      'INVALID_INPUT',
      `query.sinceTime: "${sinceTime}" is not an RFC3339 time (e.g. 2026-11-25T10:00:00Z)`,
      'query.sinceTime',
    );
  return new Date(sinceTime).toISOString();
};

/** The last lines of a container's log (the pod's first container unless one is named). */
const recentLogs = async (
  cluster: ClusterGateway,
  context: string,
  params: { namespace: string; podName: string },
  query: z.infer<typeof PodLogsQuery>,
): Promise<PodLogsResponse> => {
  const { namespace, podName } = params;
  const sinceTime = checkedSinceTime(pickQuery(query, 'sinceTime', 'since_time'));
  let container = query.container;
  if (!container) {
    const pod = await whyNoPod(
      cluster,
      namespace,
      podName,
      withTimeout('get pod', cluster.getPod(namespace, podName)),
    );
    container = pod.spec.containers[0]?.name ?? '';
  }
  const tailLines = pickQuery(query, 'tailLines', 'tail_lines') ?? 100;
  const sinceSeconds = pickQuery(query, 'sinceSeconds', 'since_seconds');
  const text = await whyNoPod(
    cluster,
    namespace,
    podName,
    withTimeout(
      'pod logs',
      cluster.podLogs(namespace, podName, {
        ...(container ? { container } : {}),
        tailLines,
        ...(sinceTime ? { sinceTime } : {}),
        ...(sinceSeconds ? { sinceSeconds } : {}),
        ...(query.previous ? { previous: true } : {}),
        ...(query.timestamps ? { timestamps: true } : {}),
        limitBytes: POD_LOG_LIMIT_BYTES,
      }),
    ),
  ).catch((err: unknown) => {
    // The API server's 400 for a container that never restarted, said as the input it is about.
    if (query.previous && /previous terminated container/i.test(errorMessage(err)))
      throw new KubefwdError(
        'INVALID_INPUT',
        `query.previous: container ${container} of pod ${podName} has not restarted, so it has no previous log`,
        { field: 'query.previous', hint: 'Leave out previous to read the current log.', cause: err },
      );
    throw err;
  });
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return {
    podName,
    namespace,
    context,
    containerName: container,
    logs: lines,
    lineCount: lines.length,
    truncated: Buffer.byteLength(text) >= POD_LOG_LIMIT_BYTES,
  };
};

export const podLogRoutes = ({ ctx, clusterOf }: ClusterAccess): RouteDef[] => [
  route({
    method: 'get',
    path: '/api/v1/kubernetes/pods/:namespace/:podName/logs',
    tag: 'kubernetes',
    summary:
      'Recent log lines of a pod container (untrusted text). tail_lines/tailLines default 100, max 1000',
    params: z.object({ namespace: ns, podName: objName }),
    query: PodLogsQuery,
    response: PodLogsResponse,
    errors: [404, 502, 504],
    handler: async ({ params, query }) => {
      const { cluster, context } = clusterOf(query.context);
      return recentLogs(cluster, context, params, query);
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/kubernetes/pods/:namespace/:podName/logs/stream',
    tag: 'kubernetes',
    summary:
      'Follow a pod container\'s log (SSE, untrusted text): the last tail_lines/tailLines (default 100), then each new line as `event: log`, data {"line"}; `event: end` with {"reason"} when the log ends or fails',
    params: z.object({ namespace: ns, podName: objName }),
    query: PodLogsQuery,
    produces: 'sse',
    errors: [404, 503],
    handler: async ({ c, params, query }) => {
      const { cluster } = clusterOf(query.context);
      const follow = cluster.followPodLogs?.bind(cluster);
      if (!follow)
        return fail(
          'NOT_READY',
          `following pod logs is not supported by the cluster adapter of this context`,
        );
      // A pod that is not there is the 404 the route documents, before the stream opens (it was a
      // 200 whose first event said POD_NOT_FOUND).
      await whyNoPod(
        cluster,
        params.namespace,
        params.podName,
        withTimeout('get pod', cluster.getPod(params.namespace, params.podName)),
      );
      const tailLines = pickQuery(query, 'tailLines', 'tail_lines') ?? 100;
      type Item = { event: 'log'; line: string } | { event: 'end'; reason: string; code?: string };
      return sseResponse<Item>(c, {
        ...sseLimits(ctx),
        subscribe(push) {
          const abort = new AbortController();
          follow(
            params.namespace,
            params.podName,
            { ...(query.container ? { container: query.container } : {}), tailLines },
            (line) => push({ event: 'log', line }),
            abort.signal,
          ).then(
            () =>
              abort.signal.aborted ||
              push({ event: 'end', reason: 'the log ended (container stopped or pod gone)' }),
            (err: unknown) =>
              abort.signal.aborted ||
              push({
                event: 'end',
                reason: errorMessage(err),
                ...(isKubefwdError(err) ? { code: err.code } : {}),
              }),
          );
          return () => abort.abort();
        },
        frame: ({ event, ...data }) => ({ event, data: JSON.stringify(data) }),
      });
    },
  }),
];
