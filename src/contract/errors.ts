// The one registry of error codes. A code travels unchanged from engine to REST to MCP, so a
// person or a model can act on it; each carries its HTTP status and the next step to try.

export interface ErrorCodeInfo {
  readonly status: number;
  /** What to try next; shown by the CLI, in REST error bodies and in MCP tool errors. */
  readonly hint: string;
  /** Whether retrying the same call later may succeed. */
  readonly retryable: boolean;
}

export const ERROR_CODES = {
  // Input
  INVALID_INPUT: { status: 400, hint: 'Fix the named input and try again.', retryable: false },
  INVALID_KEY: {
    status: 400,
    hint: 'Service keys are "service.namespace.context"; list them with GET /api/v1/services.',
    retryable: false,
  },
  UNKNOWN_FLAG: { status: 400, hint: 'Run `kubefwd svc --help` for the flags.', retryable: false },
  // Auth and transport of the API itself
  UNAUTHORIZED: {
    status: 401,
    hint: 'Pass the API key as "Authorization: Bearer <key>"; kubefwd writes it to ~/.kubefwd/api.json (the "key" field) at start.',
    retryable: false,
  },
  FORBIDDEN_ORIGIN: {
    status: 403,
    hint: 'Changes through a dashboard session must come from the dashboard itself (same Origin as the daemon); scripts use the bearer key.',
    retryable: false,
  },
  FORBIDDEN_HOST: {
    status: 403,
    hint: 'Call the API by its own address (kubefwd.internal or the loopback address it printed).',
    retryable: false,
  },
  NOT_FOUND: {
    status: 404,
    hint: 'List what exists first (services, forwards, namespaces).',
    retryable: false,
  },
  SERVICE_NOT_FOUND: {
    status: 404,
    hint: 'List forwarded services (GET /api/v1/services, MCP list_services) or cluster services (list_k8s_services).',
    retryable: false,
  },
  FORWARD_NOT_FOUND: { status: 404, hint: 'List forwards with GET /api/v1/forwards.', retryable: false },
  NAMESPACE_NOT_FOUND: {
    status: 404,
    hint: 'List the namespaces of the context (GET /api/v1/kubernetes/namespaces, MCP list_k8s_namespaces).',
    retryable: false,
  },
  POD_NOT_FOUND: {
    status: 404,
    hint: 'The pod is gone; sync the service to pick its replacement (POST /api/v1/services/<key>/sync?force=true).',
    // A pod's name is never reused: the same request will not find it later.
    retryable: false,
  },
  CONTEXT_NOT_FOUND: {
    status: 404,
    hint: 'List the kubeconfig contexts (`kubectl config get-contexts`, MCP list_contexts) and pass one of them.',
    retryable: false,
  },
  METHOD_NOT_ALLOWED: {
    status: 405,
    hint: 'Use one of the methods in the Allow header; see /docs for the routes.',
    retryable: false,
  },
  /** A browser's CORS preflight: the API sends no CORS headers, so pages on other origins are not served. */
  CROSS_ORIGIN_REFUSED: {
    status: 403,
    hint: 'Open the dashboard this kubefwd serves (same origin as the API), or call the API from a program (curl, a script, kubefwd mcp) with the bearer key.',
    retryable: false,
  },
  ALREADY_EXISTS: {
    status: 409,
    hint: 'It is already forwarded; list services to see it.',
    retryable: false,
  },
  CONFLICT: {
    status: 409,
    hint: 'Resolve the conflict named in the message and try again.',
    retryable: false,
  },
  // Cluster access
  KUBECONFIG_INVALID: {
    status: 400,
    hint: 'Check the file named by -c/--kubeconfig or $KUBECONFIG (`kubectl config view` shows what is loaded).',
    retryable: false,
  },
  API_UNREACHABLE: {
    status: 502,
    hint: 'Check that the cluster is reachable with the kubeconfig and context kubefwd uses (`kubectl --kubeconfig <file> --context <ctx> cluster-info`) and that VPN/proxy settings are right. Once running, kubefwd retries on its own.',
    retryable: true,
  },
  API_BUSY: {
    status: 503,
    hint: "The API server is overloaded and asked its clients to wait (429, API Priority and Fairness); kubefwd tries again when it asked. If it lasts, the cluster's administrators can see why (`kubectl get --raw /metrics | grep apiserver_flowcontrol_rejected_requests_total`).",
    retryable: true,
  },
  TLS_ERROR: {
    status: 502,
    hint: 'The cluster certificate was not accepted; check certificate-authority / tls-server-name in the kubeconfig.',
    retryable: false,
  },
  AUTH_FAILED: {
    status: 502,
    hint: 'The cluster rejected the credentials; refresh them (re-login / exec plugin) and retry.',
    retryable: true,
  },
  PERMISSION_DENIED: {
    status: 403,
    hint: 'Your user lacks an RBAC permission named in the message; ask a cluster admin or use another context.',
    retryable: false,
  },
  // Forwarding
  CONNECTION_REFUSED: {
    status: 502,
    hint: 'The pod is not listening on that port yet; check readiness and pod logs, then reconnect the service.',
    retryable: true,
  },
  TIMEOUT: {
    status: 504,
    hint: 'Retry; if it persists check network policies and pod health.',
    retryable: true,
  },
  NO_PODS: {
    status: 409,
    hint: "No ready pod backs the service; check the workload's pods and their events. kubefwd retries on its own.",
    retryable: true,
  },
  ENDPOINTS_STALE: {
    status: 409,
    hint: 'The service has no pod selector, so its Endpoints are kept by hand (or by another controller), and they name no running pod. Point them at running pods (`kubectl edit endpoints <name> -n <namespace>`); kubefwd follows the Endpoints as they change.',
    retryable: true,
  },
  NO_SELECTOR: {
    status: 409,
    hint: 'The service has no pod selector and its Endpoints name no pods, so there is nothing to forward to.',
    retryable: false,
  },
  UNSUPPORTED_SERVICE: {
    status: 409,
    hint: 'ExternalName and UDP-only services cannot be port-forwarded by Kubernetes.',
    retryable: false,
  },
  PORT_IN_USE: {
    status: 409,
    hint: 'Another program holds that address:port; stop it, or map the port elsewhere with -m svcPort:localPort.',
    retryable: false,
  },
  IP_EXHAUSTED: {
    status: 409,
    hint: 'More than 255 services in one namespace/context block; reserve addresses with -r/-z.',
    retryable: false,
  },
  STREAM_ERROR: {
    status: 502,
    hint: 'The port-forward stream failed; kubefwd reconnects on its own.',
    retryable: true,
  },
  // Machine
  NOT_ROOT: {
    status: 403,
    hint: 'kubefwd needs root to edit the hosts file and bind 127.x addresses: run `sudo -E kubefwd ...`, or once `sudo kubefwd helper install` and then kubefwd without sudo.',
    retryable: false,
  },
  /** The privileged helper refused a request (an address outside 127/8, a name that is not DNS, another block). */
  HELPER_REFUSED: {
    status: 400,
    hint: 'The privileged helper accepts only 127.0.0.0/8 addresses, DNS names and its own block; fix the named field.',
    retryable: false,
  },
  /** The privileged helper is not there or went away. */
  HELPER_UNAVAILABLE: {
    status: 503,
    hint: 'Run `sudo -E kubefwd ...`, or install the helper once with `sudo kubefwd helper install` (check it with `kubefwd helper status`).',
    retryable: true,
  },
  HOSTS_FILE_ERROR: {
    status: 500,
    hint: 'Check --hosts-path exists and is writable by this user.',
    retryable: false,
  },
  HOSTS_FILE_LOCKED: {
    status: 409,
    hint: 'Another kubefwd owns this hosts file; stop it or use another --hosts-path.',
    retryable: true,
  },
  /** A file kubefwd writes for the invoking user sits behind a symlink or a foreign-owned directory. */
  UNSAFE_PATH: {
    status: 500,
    hint: 'Part of the path is a symbolic link or belongs to another user; remove it and start kubefwd again.',
    retryable: false,
  },
  // Service
  DAEMON_UNAVAILABLE: {
    status: 503,
    // The messages already say that kubefwd is not running; the hint is the next step only.
    hint: 'Start kubefwd in another terminal with: sudo -E kubefwd (or `kubefwd demo` to try it without a cluster)',
    retryable: true,
  },
  NOT_READY: { status: 503, hint: 'kubefwd is starting; retry in a moment.', retryable: true },
  INTERNAL: {
    status: 500,
    hint: 'An unexpected error; see `kubefwd` logs (GET /api/v1/logs).',
    retryable: true,
  },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const isErrorCode = (value: unknown): value is ErrorCode =>
  typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);

/** The error every layer throws for an expected failure: a code, a message naming the input, a hint. */
export class KubefwdError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  /** The field or input the error is about, when there is one (e.g. "--mapping", "body.namespace"). */
  readonly field: string | undefined;
  /** How long the server asked to wait before trying again (a 429's or 503's `Retry-After`), if it did. */
  retryAfterMs: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; hint?: string; field?: string; retryAfterMs?: number | undefined } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KubefwdError';
    this.code = code;
    this.hint = options.hint ?? ERROR_CODES[code].hint;
    this.field = options.field;
    this.retryAfterMs = options.retryAfterMs;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  get retryable(): boolean {
    return ERROR_CODES[this.code].retryable;
  }
}

export const isKubefwdError = (err: unknown): err is KubefwdError => err instanceof KubefwdError;

/** Message text of anything thrown, for logs and state reasons. */
export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));
