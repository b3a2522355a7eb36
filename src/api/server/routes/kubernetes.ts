// Kubernetes discovery through the cluster connection the daemon already has (controller.cluster):
// contexts, namespaces, services, pods (by label or service), pod detail with events, pod logs,
// events, endpoints. Context omitted → the kubeconfig's current context (kubefwd defaulted one
// route to the literal "default").
import { z } from 'zod';
import {
  K8sContextQuery,
  K8sContextsResponse,
  K8sEndpoints,
  K8sEventsQuery,
  K8sEventsResponse,
  K8sNamespacesQuery,
  K8sNamespacesResponse,
  K8sPodDetail,
  K8sPodsQuery,
  K8sPodsResponse,
  K8sService,
  K8sServicesQuery,
  K8sServicesResponse,
  PodLogsQuery,
  PodLogsResponse,
  pickQuery,
} from '../../../contract/api.js';
import { KubefwdError, errorMessage, isKubefwdError } from '../../../contract/errors.js';
import type { ClusterGateway } from '../../../engine/gateways.js';
import { ensureNamespaceExists } from '../../../engine/namespace-check.js';
import { route, type RouteDef } from '../define.js';
import type { RouteContext } from '../deps.js';
import { k8sEndpoints, k8sEvent, k8sPod, k8sPodDetail, k8sService, sortEvents } from '../k8s-views.js';
import { fail } from '../respond.js';
import { sseResponse } from '../sse-stream.js';
import { DNS_LABEL, DNS_LABEL_MAX, DNS_SUBDOMAIN, DNS_SUBDOMAIN_MAX } from '../../../domain/names.js';

const ns = z
  .string()
  .max(DNS_LABEL_MAX)
  .regex(DNS_LABEL, { message: 'must be a Kubernetes namespace name (lower-case DNS label)' });
const objName = z
  .string()
  .max(DNS_SUBDOMAIN_MAX)
  .regex(DNS_SUBDOMAIN, { message: 'must be a Kubernetes object name (lower-case DNS subdomain)' });

const CLUSTER_TIMEOUT_MS = 10_000;
/** Pod logs read at most this much (kubefwd read one 1 MiB chunk; we ask the API server to cap it). */
export const POD_LOG_LIMIT_BYTES = 1024 * 1024;

/**
 * A pod the API server does not find: NAMESPACE_NOT_FOUND when its namespace does not exist either
 * (the API server answers both with a pod 404), else POD_NOT_FOUND naming where it was looked for
 * and how to list the pods that are there — not "the pod is gone, sync the service", which assumes
 * it once existed behind a forward.
 */
const whyNoPod = async <T>(
  cluster: ClusterGateway,
  namespace: string,
  pod: string,
  p: Promise<T>,
): Promise<T> => {
  try {
    return await p;
  } catch (err) {
    if (!(err instanceof KubefwdError) || err.code !== 'POD_NOT_FOUND') throw err;
    await ensureNamespaceExists(cluster, namespace);
    throw new KubefwdError(
      'POD_NOT_FOUND',
      `pod "${pod}" not found in namespace ${namespace} (context ${cluster.context})`,
      {
        field: 'podName',
        hint: `List the pods of ${namespace} (GET /api/v1/kubernetes/pods/${namespace}, MCP list_pods); a forwarded service's pod that is gone is replaced by syncing the service.`,
        cause: err,
      },
    );
  }
};

const withTimeout = async <T>(what: string, p: Promise<T>): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new KubefwdError(
                'TIMEOUT',
                `${what}: no answer from the Kubernetes API within ${CLUSTER_TIMEOUT_MS / 1000} s`,
              ),
            ),
          CLUSTER_TIMEOUT_MS,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
};

// Long as a table: one entry per Kubernetes route, each a few lines that share only the helpers above.
export const kubernetesRoutes = (ctx: RouteContext): RouteDef[] => {
  const clusterOf = (context: string | undefined): { cluster: ClusterGateway; context: string } => {
    const name = context || ctx.currentContext();
    const cluster = ctx.controller.cluster(name);
    return { cluster, context: cluster.context || name };
  };
  const forwardedKeys = () => new Set(ctx.state.getSnapshot().services.map((s) => s.key));

  return [
    route({
      method: 'get',
      path: '/api/v1/kubernetes/contexts',
      tag: 'kubernetes',
      summary: 'kubeconfig contexts, the current one marked',
      response: K8sContextsResponse,
      handler: () => {
        const { contexts, current } = ctx.controller.contexts();
        return {
          contexts: [...contexts]
            .sort((a, b) => (a.name < b.name ? -1 : 1))
            .map((c) => ({
              name: c.name,
              cluster: c.cluster,
              ...(c.user ? { user: c.user } : {}),
              ...(c.namespace ? { namespace: c.namespace } : {}),
              active: c.name === current,
            })),
          currentContext: current,
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/kubernetes/namespaces',
      tag: 'kubernetes',
      summary: 'Namespaces of a context, with which are forwarded',
      query: K8sNamespacesQuery,
      response: K8sNamespacesResponse,
      errors: [404, 502, 504],
      handler: async ({ query }) => {
        const { cluster, context } = clusterOf(query.context);
        const list = await withTimeout('list namespaces', cluster.listNamespaces());
        const watched = new Set(
          ctx.state
            .getSnapshot()
            .namespaces.filter((n) => n.context === context)
            .map((n) => n.namespace),
        );
        return {
          namespaces: list
            .map((n) => ({
              name: n.metadata.name,
              status: n.status?.phase ?? 'Active',
              forwarded: watched.has(n.metadata.name),
            }))
            .sort((a, b) => (a.name < b.name ? -1 : 1)),
          context,
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/kubernetes/services',
      tag: 'kubernetes',
      summary: 'Services of a namespace (namespace query parameter required)',
      query: K8sServicesQuery,
      response: K8sServicesResponse,
      errors: [404, 502, 504],
      handler: async ({ query }) => {
        if (!query.namespace)
          return fail(
            'INVALID_INPUT',
            'query.namespace: namespace query parameter is required',
            'query.namespace',
          );
        const nsCheck = ns.safeParse(query.namespace);
        if (!nsCheck.success)
          fail('INVALID_INPUT', `query.namespace: ${nsCheck.error.issues[0]?.message}`, 'query.namespace');
        const { cluster, context } = clusterOf(query.context);
        const list = await withTimeout('list services', cluster.listServices(query.namespace));
        const keys = forwardedKeys();
        return {
          services: list.map((s) => k8sService(s, context, keys)).sort((a, b) => (a.name < b.name ? -1 : 1)),
          namespace: query.namespace,
          context,
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/kubernetes/services/:namespace/:name',
      tag: 'kubernetes',
      summary: 'One service of the cluster',
      params: z.object({ namespace: ns, name: objName }),
      query: K8sContextQuery,
      response: K8sService,
      errors: [404, 502, 504],
      handler: async ({ params, query }) => {
        const { cluster, context } = clusterOf(query.context);
        const svc = await withTimeout('get service', cluster.getService(params.namespace, params.name));
        return k8sService(svc, context, forwardedKeys());
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/kubernetes/pods/:namespace',
      tag: 'kubernetes',
      summary:
        'Pods of a namespace; filter by label_selector/labelSelector, field_selector or service_name/serviceName',
      params: z.object({ namespace: ns }),
      query: K8sPodsQuery,
      response: K8sPodsResponse,
      errors: [404, 502, 504],
      handler: async ({ params, query }) => {
        const { cluster, context } = clusterOf(query.context);
        const serviceName = pickQuery(query, 'serviceName', 'service_name');
        const labels: string[] = [];
        const userLabels = pickQuery(query, 'labelSelector', 'label_selector');
        if (userLabels) labels.push(userLabels);
        if (serviceName) {
          const sc = objName.safeParse(serviceName);
          if (!sc.success)
            fail('INVALID_INPUT', `query.serviceName: ${sc.error.issues[0]?.message}`, 'query.serviceName');
          const svc = await withTimeout('get service', cluster.getService(params.namespace, serviceName));
          const sel = Object.entries(svc.spec.selector ?? {});
          if (sel.length === 0)
            fail(
              'NO_SELECTOR',
              `service ${serviceName} has no pod selector, so no pods belong to it`,
              'query.serviceName',
            );
          labels.push(sel.map(([k, v]) => `${k}=${v}`).join(','));
        }
        const fieldSelector = pickQuery(query, 'fieldSelector', 'field_selector');
        const pods = await withTimeout(
          'list pods',
          cluster.listPods(params.namespace, {
            ...(labels.length ? { labelSelector: labels.join(',') } : {}),
            ...(fieldSelector ? { fieldSelector } : {}),
          }),
        );
        const forwards = ctx.state.getSnapshot().forwards;
        const now = ctx.now();
        return pods
          .map((p) => k8sPod(p, context, now, forwards, serviceName))
          .sort((a, b) => (a.name < b.name ? -1 : 1));
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/kubernetes/pods/:namespace/:podName',
      tag: 'kubernetes',
      summary: 'Pod detail: containers, conditions, resources and recent events',
      params: z.object({ namespace: ns, podName: objName }),
      query: K8sContextQuery,
      response: K8sPodDetail,
      errors: [404, 502, 504],
      handler: async ({ params, query }) => {
        const { cluster, context } = clusterOf(query.context);
        const pod = await withTimeout('get pod', cluster.getPod(params.namespace, params.podName));
        const events = await withTimeout(
          'list events',
          cluster.listEvents(params.namespace, {
            fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${params.podName}`,
          }),
        ).catch(() => []);
        return k8sPodDetail(pod, context, ctx.state.getSnapshot().forwards, events);
      },
    }),
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
        const sinceTime = pickQuery(query, 'sinceTime', 'since_time');
        if (
          sinceTime !== undefined &&
          !(/^\d{4}-\d\d-\d\dT/.test(sinceTime) && Number.isFinite(Date.parse(sinceTime)))
        )
          fail(
            'INVALID_INPUT',
            `query.sinceTime: "${sinceTime}" is not an RFC3339 time (e.g. 2026-11-25T10:00:00Z)`,
            'query.sinceTime',
          );
        let container = query.container;
        if (!container) {
          const pod = await whyNoPod(
            cluster,
            params.namespace,
            params.podName,
            withTimeout('get pod', cluster.getPod(params.namespace, params.podName)),
          );
          container = pod.spec.containers[0]?.name ?? '';
        }
        const tailLines = pickQuery(query, 'tailLines', 'tail_lines') ?? 100;
        const sinceSeconds = pickQuery(query, 'sinceSeconds', 'since_seconds');
        const text = await whyNoPod(
          cluster,
          params.namespace,
          params.podName,
          withTimeout(
            'pod logs',
            cluster.podLogs(params.namespace, params.podName, {
              ...(container ? { container } : {}),
              tailLines,
              ...(sinceTime ? { sinceTime: new Date(sinceTime).toISOString() } : {}),
              ...(sinceSeconds ? { sinceSeconds } : {}),
              ...(query.previous ? { previous: true } : {}),
              ...(query.timestamps ? { timestamps: true } : {}),
              limitBytes: POD_LOG_LIMIT_BYTES,
            }),
          ),
        );
        const lines = text.split(/\r?\n/);
        if (lines.at(-1) === '') lines.pop();
        return {
          podName: params.podName,
          namespace: params.namespace,
          context,
          containerName: container,
          logs: lines,
          lineCount: lines.length,
          truncated: Buffer.byteLength(text) >= POD_LOG_LIMIT_BYTES,
        };
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
      handler: ({ c, params, query }) => {
        const { cluster } = clusterOf(query.context);
        const follow = cluster.followPodLogs?.bind(cluster);
        if (!follow)
          return fail(
            'NOT_READY',
            `following pod logs is not supported by the cluster adapter of this context`,
          );
        const tailLines = pickQuery(query, 'tailLines', 'tail_lines') ?? 100;
        type Item = { event: 'log'; line: string } | { event: 'end'; reason: string; code?: string };
        return sseResponse<Item>(c, {
          keepAliveMs: ctx.sse?.keepAliveMs ?? 30_000,
          bufferSize: ctx.sse?.bufferSize ?? 100,
          streams: ctx.sseStreams,
          maxStreams: ctx.sse?.maxStreams ?? 64,
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
    route({
      method: 'get',
      path: '/api/v1/kubernetes/events/:namespace',
      tag: 'kubernetes',
      summary: 'Events of a namespace, newest first; resource_kind + resource_name narrow to one object',
      params: z.object({ namespace: ns }),
      query: K8sEventsQuery,
      response: K8sEventsResponse,
      errors: [404, 502, 504],
      handler: async ({ params, query }) => {
        const { cluster } = clusterOf(query.context);
        const kind = pickQuery(query, 'resourceKind', 'resource_kind');
        const name = pickQuery(query, 'resourceName', 'resource_name');
        const fields: string[] = [];
        if (kind) {
          if (!/^[A-Za-z]{1,63}$/.test(kind))
            fail('INVALID_INPUT', `query.resourceKind: "${kind}" is not a kind name`, 'query.resourceKind');
          fields.push(`involvedObject.kind=${kind}`);
        }
        if (name) {
          const nc = objName.safeParse(name);
          if (!nc.success)
            fail('INVALID_INPUT', `query.resourceName: ${nc.error.issues[0]?.message}`, 'query.resourceName');
          fields.push(`involvedObject.name=${name}`);
        }
        const events = await withTimeout(
          'list events',
          cluster.listEvents(params.namespace, fields.length ? { fieldSelector: fields.join(',') } : {}),
        );
        return sortEvents(events.map(k8sEvent)).slice(0, query.limit ?? 50);
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/kubernetes/endpoints/:namespace/:serviceName',
      tag: 'kubernetes',
      summary: 'Endpoints of a service: which pods back it and whether they are ready',
      params: z.object({ namespace: ns, serviceName: objName }),
      query: K8sContextQuery,
      response: K8sEndpoints,
      errors: [404, 502, 504],
      handler: async ({ params, query }) => {
        const { cluster, context } = clusterOf(query.context);
        return k8sEndpoints(
          await withTimeout('get endpoints', cluster.getEndpoints(params.namespace, params.serviceName)),
          context,
        );
      },
    }),
  ];
};
