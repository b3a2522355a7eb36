// Health, metrics and diagnosis of kubefwd itself.
import { z } from 'zod';
import { KubefwdError, type ErrorCode } from '../../contract/errors.js';
import type { MetricsSummaryResponse, ServiceMetricsResponse } from '../../contract/api.js';
import { formatBytes, formatRate } from '../../domain/byte-format.js';
import type { Issue, SuggestedAction } from '../../contract/api-diagnostics.js';
import type { KubefwdBackend } from '../backend.js';
import type { ServiceView } from '../../contract/state.js';
import { hasNoSelector } from './endpoint-pods.js';
import { explainNotForwarded } from './not-forwarded.js';
import { classifyError } from '../../domain/diagnosis.js';
import { parseServiceKey } from '../../domain/keys.js';
import { keyField } from '../input.js';
import { UNTRUSTED_NOTICE, fenceUntrusted } from '../untrusted.js';
import { localPortOfKey, portInUseAdvice } from '../port-in-use.js';
import { anyObject } from './shapes.js';
import { READ_ONLY, defineTool } from './define.js';

/**
 * The service counts are list_services' entries, where a headless service is counted once more per
 * pod (`kafka-0.kafka`); add_namespace counts Kubernetes services. Said when they differ.
 */
const perPodNote = (services: readonly ServiceView[]): string => {
  const podEntries = services.filter((s) => s.headless && s.serviceName.includes('.'));
  if (podEntries.length === 0) return '';
  const k8s = new Set(
    services.map((s) => `${s.namespace}/${s.context}/${s.serviceName.split('.').at(-1) ?? ''}`),
  );
  return ` (${k8s.size} Kubernetes services; ${podEntries.length} of the entries are pods of headless services, each forwarded on its own)`;
};

export const getHealth = defineTool({
  name: 'get_health',
  title: 'kubefwd health',
  description:
    'kubefwd health: status (healthy, degraded, unhealthy), the daemon version and uptime, service and error ' +
    'counts, and the namespaces and contexts it forwards now. When kubefwd is not running, the error says so ' +
    'and how to start it.',
  input: z.strictObject({}),
  output: z.object({
    status: z.string(),
    version: z.string(),
    mcpVersion: z.string(),
    uptime: z.union([z.string(), z.number()]).optional(),
    startTime: z.string().optional(),
    totalServices: z.number(),
    activeServices: z.number(),
    totalForwards: z.number(),
    activeForwards: z.number(),
    errorCount: z.number(),
    namespaces: z.array(z.string()).optional(),
    contexts: z.array(z.string()).optional(),
    tuiEnabled: z.boolean().optional(),
  }),
  annotations: READ_ONLY,
  async run(_args, api, ctx) {
    // The analysis's verdict, so get_health, diagnose_errors and get_analysis never disagree.
    // Its error count too is quick status's (the analysis's issues), not the forwards in Error only.
    const [info, { summary, services }, { status }, quick] = await Promise.all([
      api.info(),
      api.listServices(),
      api.analyze(),
      api.quickStatus(),
    ]);
    const data = {
      status,
      version: info.version,
      mcpVersion: ctx.version,
      ...(info.uptime !== undefined ? { uptime: info.uptime } : {}),
      ...(info.startTime ? { startTime: info.startTime } : {}),
      totalServices: summary.totalServices,
      activeServices: summary.activeServices,
      totalForwards: summary.totalForwards,
      activeForwards: summary.activeForwards,
      errorCount: quick.errorCount,
      // What is forwarded now (namespaces added or removed since the start included).
      namespaces: [...new Set(services.map((s) => s.namespace))].sort(),
      contexts: [...new Set(services.map((s) => s.context))].sort(),
      ...(info.tuiEnabled !== undefined ? { tuiEnabled: info.tuiEnabled } : {}),
    };
    return {
      data,
      text: `kubefwd ${info.version} is ${status}: ${summary.activeServices}/${summary.totalServices} services active${perPodNote(services)}, ${quick.errorCount} forward error(s).`,
    };
  },
});

export const getQuickStatus = defineTool({
  name: 'get_quick_status',
  title: 'Quick status',
  description:
    'Fast check: ok, issues or error, with a one-line message and the error count. Use as the first check ' +
    'before deeper diagnosis (get_analysis, diagnose_errors).',
  input: z.strictObject({}),
  output: z.looseObject({ status: z.string(), message: z.string(), errorCount: z.number() }),
  annotations: READ_ONLY,
  async run(_args, api) {
    const s = await api.quickStatus();
    return { data: s, text: `${s.status}: ${s.message}` };
  },
});

const SCOPES = ['summary', 'by_service', 'service_detail'] as const;

/** How many services the traffic summary ranks. */
const TOP = 5;

type MetricsRow = Pick<
  ServiceMetricsResponse,
  'key' | 'totalBytesIn' | 'totalBytesOut' | 'rateIn' | 'rateOut'
>;

/**
 * The answer to "what uses the most traffic?" before the JSON: the totals, the services with the
 * most bytes so far, and those busiest now (by rate) when any is moving data.
 */
export const metricsText = (
  summary: Pick<MetricsSummaryResponse, 'totalBytesIn' | 'totalBytesOut' | 'totalRateIn' | 'totalRateOut'>,
  services: readonly MetricsRow[],
): string => {
  const bytes = (m: MetricsRow): number => m.totalBytesIn + m.totalBytesOut;
  const rate = (m: MetricsRow): number => m.rateIn + m.rateOut;
  const byBytes = services.filter((m) => bytes(m) > 0).sort((a, b) => bytes(b) - bytes(a));
  const byRate = services.filter((m) => rate(m) >= 1).sort((a, b) => rate(b) - rate(a));
  const rank = (rows: readonly MetricsRow[], value: (m: MetricsRow) => string): string =>
    rows
      .slice(0, TOP)
      .map((m, i) => `${i + 1}. ${m.key} ${value(m)}`)
      .join('\n');
  return [
    `Total: ${formatBytes(summary.totalBytesIn)} in, ${formatBytes(summary.totalBytesOut)} out; now ${formatRate(summary.totalRateIn)} in, ${formatRate(summary.totalRateOut)} out.`,
    byBytes.length === 0
      ? 'No service has carried traffic yet.'
      : `Most traffic so far (bytes in + out):\n${rank(byBytes, (m) => `${formatBytes(bytes(m))} (${formatBytes(m.totalBytesIn)} in, ${formatBytes(m.totalBytesOut)} out)`)}`,
    ...(byRate.length > 0
      ? [
          `Busiest now:\n${rank(byRate, (m) => `${formatRate(rate(m))} (${formatRate(m.rateIn)} in, ${formatRate(m.rateOut)} out)`)}`,
        ]
      : []),
  ].join('\n');
};

export const getMetrics = defineTool({
  name: 'get_metrics',
  title: 'Traffic metrics',
  description:
    'Bandwidth metrics: total bytes in/out and transfer rates (bytes/s), led by a summary ranking the services ' +
    'with the most traffic so far and the busiest now. scope "by_service" adds a per-service ' +
    'breakdown; "service_detail" with service_key gives one service per forward.',
  input: z.strictObject({
    scope: z.enum(SCOPES).optional().describe('summary (default), by_service or service_detail'),
    service_key: keyField.optional(),
  }),
  output: z.looseObject({
    totalBytesIn: z.number().optional(),
    totalBytesOut: z.number().optional(),
    services: z.array(anyObject).optional(),
  }),
  annotations: READ_ONLY,
  async run({ scope, service_key }, api) {
    const sc = scope ?? (service_key ? 'service_detail' : 'summary');
    if (sc === 'service_detail' && !service_key)
      throw new KubefwdError('INVALID_INPUT', "scope 'service_detail' needs service_key", {
        field: 'service_key',
      });
    const summary = await api.metrics();
    if (sc === 'summary') {
      // The ranking needs the per-service numbers; without them the totals still answer.
      const all = await api.serviceMetricsList().catch(() => []);
      return { data: summary, text: metricsText(summary, all) };
    }
    // A short key ("redis", "redis.shop") names a service as in the other tools: the API resolves
    // it, and says which services it could mean when it is ambiguous or unknown.
    const key =
      service_key === undefined
        ? undefined
        : (
            await api
              .getService(service_key)
              .catch((err: unknown) => explainNotForwarded(api, service_key, err))
          ).key;
    const all = await api.serviceMetricsList();
    const services = key === undefined ? all : all.filter((m) => m.key === key);
    if (key !== undefined && services.length === 0)
      throw new KubefwdError('SERVICE_NOT_FOUND', `No metrics for service '${key}'`, {
        field: 'service_key',
      });
    return { data: { ...summary, services }, text: metricsText(summary, services) };
  },
});

export const getAnalysis = defineTool({
  name: 'get_analysis',
  title: 'Full analysis',
  description:
    'Full analysis of kubefwd: overall status, every issue classified (connection refused, timeout, pod gone, ' +
    'permissions, ...) with severity, recommendations and suggested actions, each with the tool of this server ' +
    'to call and its arguments (tool, args; none when only a cluster admin or a new login can fix it). Best ' +
    'starting point for troubleshooting.',
  input: z.strictObject({}),
  output: anyObject,
  annotations: READ_ONLY,
  async run(_args, api) {
    const a = await api.analyze();
    const steps = await issueSteps(api, a.issues);
    // The REST fields stay (endpoint, method); tool and args are what an assistant calls.
    const suggestedActions = a.suggestedActions.map((act) => {
      const step = toolForAction(act, steps);
      return step ? { ...act, tool: step.tool, args: step.args } : act;
    });
    const text = [
      `${a.status}: ${a.summary}; ${a.issues.length} issue(s).`,
      ...a.issues
        .slice(0, 10)
        .map(
          (i) =>
            `- [${i.severity}] ${i.serviceKey ?? i.component}: ${i.message}\n  fix: ${fixOf(i, classifyError(i.message, i.errorCode).code)}`,
        ),
      ...(a.issues.length > 10 ? [`- … and ${a.issues.length - 10} more (in the JSON below)`] : []),
      ...a.recommendations.map((r) => `Recommendation (${r.priority}): ${r.message}`),
    ].join('\n');
    // The tools to call, outside the fence: they are this server's advice, not the cluster's words.
    const next = [
      ...new Set([
        ...steps.flatMap((e) => (e.nextStep ? [`- ${e.serviceKey}: ${callText(e.nextStep)}`] : [])),
        ...suggestedActions.flatMap((act) =>
          act.target === 'all' && 'tool' in act ? [`- every failing service at once: ${callText(act)}`] : [],
        ),
      ]),
    ];
    return {
      data: { ...a, suggestedActions },
      text: [
        // Issue messages quote API servers and pods: fenced with the rest of the JSON.
        fenceUntrusted('the analysis (messages from the cluster)', [text]).text,
        next.length > 0
          ? `Suggested next steps (tools of this server):\n${next.join('\n')}`
          : a.issues.length > 0
            ? 'No tool of this server can fix these issues; the fix of each is above.'
            : 'Nothing to do.',
      ].join('\n'),
    };
  },
});

/**
 * Codes whose fix is outside this server (a cluster admin, a new login, the kubeconfig, the network):
 * reconnecting or re-syncing meets the same refusal, and kubefwd retries on its own anyway.
 */
const FIXED_OUTSIDE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'PERMISSION_DENIED',
  'AUTH_FAILED',
  'TLS_ERROR',
  'KUBECONFIG_INVALID',
  'API_UNREACHABLE',
  'API_BUSY',
  'UNSUPPORTED_SERVICE',
  'NO_SELECTOR',
]);

/** The tool to call next for an issue, or undefined when none can help. */
const nextStepFor = async (
  code: ErrorCode,
  issue: Issue,
  at: { key: string; namespace: string; service: string; selectorless: () => Promise<boolean> },
): Promise<{ tool: string; args: Record<string, unknown> } | undefined> => {
  if (FIXED_OUTSIDE.has(code)) return undefined;
  // Active, but the pod turns connections away: its log says why it does not listen.
  if (issue.status === 'Active' && issue.podName)
    return { tool: 'get_pod_logs', args: { namespace: at.namespace, pod_name: issue.podName } };
  // Hand-kept Endpoints that name only pods gone: they are what must change, and show which pods.
  if (code === 'ENDPOINTS_STALE')
    return { tool: 'get_endpoints', args: { namespace: at.namespace, service_name: at.service } };
  if (code === 'NO_PODS' || code === 'POD_NOT_FOUND') {
    // A service without a selector gets its pod from its manual Endpoints: no selector lists its
    // pods, and no sync finds a replacement; its Endpoints say which pod they name (maybe a gone one).
    if (await at.selectorless())
      return { tool: 'get_endpoints', args: { namespace: at.namespace, service_name: at.service } };
    // No pod at all: nothing to sync or reconnect to (kubefwd takes one as soon as it is ready);
    // the pods and their events say why there is none. A deleted pod: sync picks its replacement.
    return code === 'NO_PODS'
      ? { tool: 'list_pods', args: { namespace: at.namespace, service_name: at.service } }
      : { tool: 'sync_service', args: { key: at.key, force: true } };
  }
  return { tool: 'reconnect_service', args: { key: at.key } };
};

type NextStep = { tool: string; args: Record<string, unknown> };

/**
 * An issue's fix as this server says it: the analysis's suggestion, except for a local port held by
 * another program, whose fix (-m) is a flag no tool here can pass — said as what to tell the user.
 */
const fixOf = (issue: Issue, code: ErrorCode): string =>
  code === 'PORT_IN_USE'
    ? portInUseAdvice(localPortOfKey(issue.forwardKey ?? ''), issue.message)
    : issue.suggestion;

/**
 * Every forward issue of an analysis with its registry code, where it is, and the tool to call next
 * (nextStepFor): what diagnose_errors lists, and what get_analysis turns its suggested actions into.
 */
const issueSteps = async (api: KubefwdBackend, issues: readonly Issue[]) => {
  // Whether a service finds its pods by selector or by its (manual) Endpoints decides where to
  // look when it has none: read once per namespace, and only when an issue needs it.
  const selectorless = new Map<string, Promise<Set<string>>>();
  const hasNoSelectorIn = (namespace: string, context: string, service: string): Promise<boolean> => {
    const at = `${namespace}/${context}`;
    let names = selectorless.get(at);
    if (!names) {
      names = api
        .k8sServices(namespace, context ? { context } : {})
        .then((r) => new Set(r.services.filter(hasNoSelector).map((s) => s.name)))
        .catch(() => new Set<string>());
      selectorless.set(at, names);
    }
    return names.then((n) => n.has(service));
  };
  return Promise.all(
    issues.flatMap((issue) => {
      if (issue.serviceKey === undefined || issue.forwardKey === undefined) return [];
      const forwardKey = issue.forwardKey;
      return [
        (async () => {
          const c = classifyError(issue.message, issue.errorCode);
          const code = c.code;
          const key = issue.serviceKey ?? '';
          const where = parseServiceKey(key);
          const namespace = issue.namespace ?? where?.namespace ?? '';
          const context = issue.context ?? where?.context ?? '';
          // The Kubernetes service: a headless service's pod entries are named `<pod>.<service>`,
          // and a service name has no dot of its own.
          const service = (issue.serviceName ?? where?.service ?? key).split('.').at(-1) ?? key;
          const nextStep: NextStep | undefined = await nextStepFor(code, issue, {
            key,
            namespace,
            service,
            selectorless: () => hasNoSelectorIn(namespace, context, service),
          });
          return {
            serviceKey: key,
            serviceName: issue.serviceName ?? where?.service ?? key,
            namespace,
            context,
            forwardKey,
            podName: issue.podName ?? '',
            status: issue.status ?? '',
            errorType: code,
            errorMessage: issue.message,
            ...(issue.reason ? { reason: issue.reason } : {}),
            ...(issue.nextRetryAt ? { nextRetryAt: issue.nextRetryAt } : {}),
            suggestion: fixOf(issue, code),
            ...(nextStep ? { nextStep } : {}),
          };
        })(),
      ];
    }),
  );
};

/** `tool {"arg":…}`: a call as the text of diagnose_errors and get_analysis names it. */
const callText = (step: NextStep): string => `${step.tool} ${JSON.stringify(step.args)}`;

/**
 * The tool (and arguments) that carries out one of the REST analysis's suggested actions: the next
 * step of the issues it is about, so get_analysis never offers what diagnose_errors rules out (a
 * reconnect for an RBAC refusal). "all" is every issue: reconnect_all_errors when each step is a
 * reconnect. Undefined when no tool here helps.
 */
const toolForAction = (
  action: SuggestedAction,
  steps: readonly {
    serviceKey: string;
    namespace: string;
    serviceName: string;
    podName: string;
    nextStep?: NextStep;
  }[],
): NextStep | undefined => {
  if (action.target === 'all') {
    const all = steps.filter((e) => e.nextStep !== undefined);
    return all.length > 0 && all.every((e) => e.nextStep?.tool === 'reconnect_service')
      ? { tool: 'reconnect_all_errors', args: {} }
      : undefined;
  }
  return steps.find(
    (e) =>
      e.nextStep !== undefined &&
      [e.serviceKey, `${e.namespace}/${e.serviceName}`, `${e.namespace}/${e.podName}`].includes(
        action.target,
      ),
  )?.nextStep;
};

export const diagnoseErrors = defineTool({
  name: 'diagnose_errors',
  title: 'Diagnose errors',
  description:
    'Every forward that is failing or waiting now, with a stable error code, the error message, why it is ' +
    'waiting, when kubefwd retries next, the fix, and the tool to call next when one can help (reconnect_service, ' +
    'sync_service, list_pods, get_endpoints, get_pod_logs; none for permission or credential errors, which need a ' +
    'cluster admin or a new login). ' +
    'Also lists recent errors already recovered from, and recent error logs.',
  input: z.strictObject({}),
  output: z.object({
    errorCount: z.number(),
    overallHealth: z.string(),
    errors: z.array(
      z.object({
        serviceKey: z.string(),
        serviceName: z.string(),
        namespace: z.string(),
        context: z.string(),
        forwardKey: z.string(),
        podName: z.string(),
        status: z.string(),
        errorType: z.string(),
        errorMessage: z.string(),
        reason: z.string().optional(),
        nextRetryAt: z.string().optional(),
        suggestion: z.string(),
        /** Absent when no tool of this server can help (permissions, credentials: see suggestion). */
        nextStep: z.object({ tool: z.string(), args: z.record(z.string(), z.unknown()) }).optional(),
      }),
    ),
    recentErrors: z.array(anyObject),
    recentLogs: z.array(anyObject),
    untrusted: z.string(),
  }),
  annotations: READ_ONLY,
  async run(_args, api) {
    // One request: the REST analysis classifies every troubled forward (domain/diagnosis).
    const analysis = await api.analyze();
    const errors = await issueSteps(api, analysis.issues);
    const [recentErrors, recentLogs] = await Promise.all([
      api.historyErrors({ count: 20 }).catch(() => []),
      api
        .logs({ count: 20, level: 'error' })
        .then((r) => r.logs)
        .catch(() => []),
    ]);
    // A Waiting forward is not failing (kubefwd waits for a pod, or for the API server): said apart.
    const waiting = errors.filter((e) => e.status === 'Waiting').length;
    const kinds = [
      ...(errors.length > waiting ? [`${errors.length - waiting} failing`] : []),
      ...(waiting > 0 ? [`${waiting} waiting`] : []),
    ];
    const text =
      errors.length === 0
        ? `No forward is failing or waiting now (${recentErrors.length} recent error record(s)).`
        : `${errors.length} forward(s) with problems (${kinds.join(', ')}):\n` +
          errors
            .map(
              (e) =>
                `- ${e.serviceKey}${e.podName ? ` pod ${e.podName}` : ''} [${e.status}] ${e.errorType}: ${e.errorMessage}\n  fix: ${e.suggestion}${e.nextStep ? ` -> ${callText(e.nextStep)}` : ''}`,
            )
            .join('\n');
    return {
      // recentLogs quote peers and API-server answers.
      data: {
        errorCount: errors.length,
        overallHealth: analysis.status,
        errors,
        recentErrors,
        recentLogs,
        untrusted: UNTRUSTED_NOTICE,
      },
      text,
    };
  },
});
