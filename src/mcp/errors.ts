// Tool failures as results the model can act on (isError + stable code + cause + next step),
// never as protocol errors and never reduced to a bare string (the reference's defect).
import type { CallToolResult } from '@modelcontextprotocol/server';
import { ERROR_CODES, KubefwdError, errorMessage, isErrorCode, type ErrorCode } from '../contract/errors.js';

export interface SuggestedAction {
  /** A tool of this server. */
  tool: string;
  args?: Record<string, unknown>;
  why: string;
}

export interface ToolErrorBody {
  code: ErrorCode;
  message: string;
  hint: string;
  retryable: boolean;
  field?: string;
  /** The underlying failure, when the error wraps one (e.g. the socket error behind DAEMON_UNAVAILABLE). */
  cause?: string;
  suggestedActions: SuggestedAction[];
}

/**
 * A DAEMON_UNAVAILABLE with a hint of its own: kubefwd runs, but not where or how this server can
 * use it (pinned to another address by --api-url, started without its REST API, its key file not
 * readable). Starting kubefwd is not the fix, and no tool call helps until the configuration changes.
 */
export const daemonNeedsNoStart = (err: unknown): err is KubefwdError =>
  err instanceof KubefwdError &&
  err.code === 'DAEMON_UNAVAILABLE' &&
  err.hint !== ERROR_CODES.DAEMON_UNAVAILABLE.hint;

/** Which tools help after a failure with this code (P6: one code list, translated once here). */
const suggestionsFor = (code: ErrorCode, args: Record<string, unknown>, err: unknown): SuggestedAction[] => {
  const key = typeof args.key === 'string' ? args.key : undefined;
  const ctx = typeof args.context === 'string' ? { context: args.context } : {};
  switch (code) {
    case 'DAEMON_UNAVAILABLE':
      return daemonNeedsNoStart(err)
        ? []
        : [
            {
              tool: 'get_quick_status',
              why: 'only after the user has started kubefwd: until then every tool gives this same error',
            },
          ];
    case 'SERVICE_NOT_FOUND':
    case 'INVALID_KEY':
      return [
        { tool: 'list_services', why: 'see the keys of forwarded services' },
        { tool: 'list_k8s_services', why: 'see what the cluster offers for forwarding' },
      ];
    case 'FORWARD_NOT_FOUND':
      return [{ tool: 'get_service', why: 'see the forward keys of a service' }];
    case 'NAMESPACE_NOT_FOUND':
      return [{ tool: 'list_k8s_namespaces', args: ctx, why: 'see the namespaces of the context' }];
    case 'CONTEXT_NOT_FOUND':
      return [{ tool: 'list_contexts', why: 'see the kubeconfig contexts' }];
    case 'POD_NOT_FOUND':
    case 'NO_PODS':
      return [
        // A deleted pod may have a replacement to pick; with no pod at all there is nothing to sync.
        ...(key && code === 'POD_NOT_FOUND'
          ? [{ tool: 'sync_service', args: { key, force: true }, why: 'pick the replacement pod' }]
          : []),
        { tool: 'list_pods', why: 'see which pods exist and whether they are ready' },
        { tool: 'get_events', why: 'see why pods are not starting' },
      ];
    case 'CONNECTION_REFUSED':
    case 'STREAM_ERROR':
    case 'TIMEOUT':
      return [
        ...(key ? [{ tool: 'reconnect_service', args: { key }, why: 'open the forward again' }] : []),
        { tool: 'diagnose_errors', why: 'see the cause per forward' },
      ];
    case 'ALREADY_EXISTS':
      return typeof args.service_name === 'string'
        ? [
            {
              tool: 'get_connection_info',
              why: 'it is already forwarded: its address and connection strings',
            },
          ]
        : [{ tool: 'list_services', why: 'the namespace is already forwarded: its services and their keys' }];
    case 'PERMISSION_DENIED':
    case 'AUTH_FAILED':
      return [{ tool: 'list_contexts', why: 'use a context with the needed permissions' }];
    case 'INVALID_INPUT':
    case 'UNAUTHORIZED': // every tool would be refused the same way
      return [];
    default:
      return [{ tool: 'get_analysis', why: 'see the overall state and recommended actions' }];
  }
};

/**
 * The registry's hints name REST routes; an assistant acts through tools. Where a code's default
 * hint is a REST path, the tool to call instead (an error's own, specific hint is kept).
 */
const TOOL_HINTS: Partial<Record<ErrorCode, string>> = {
  POD_NOT_FOUND:
    'List the pods that exist with list_pods; for a forwarded service whose pod is gone, call sync_service with force: true to pick its replacement.',
  INVALID_KEY:
    'Service keys are "service.namespace.context" (or a short form naming one service); list them with list_services.',
  SERVICE_NOT_FOUND:
    'List forwarded services with list_services, or what the cluster offers with list_k8s_services.',
  FORWARD_NOT_FOUND: 'get_service shows the forward keys of a service.',
  NAMESPACE_NOT_FOUND: 'List the namespaces of the context with list_k8s_namespaces.',
  INTERNAL: "An unexpected error; get_logs shows kubefwd's recent log lines.",
  // Not the caller's key: the one this MCP server sent to the daemon.
  UNAUTHORIZED:
    'kubefwd refused the API key this MCP server sent. It is --api-key, else KUBEFWD_API_KEY, else the key in ~/.kubefwd/api.json (written by each kubefwd start): remove a stale --api-key or KUBEFWD_API_KEY from the MCP client configuration.',
};

/**
 * A hint written for HTTP clients (a REST route, the Authorization header) is replaced by the tool
 * hint of its code.
 */
const toolHint = (code: ErrorCode, hint: string): string =>
  /\b(GET|POST|DELETE) \/api\/|"Authorization: /.test(hint) ? (TOOL_HINTS[code] ?? hint) : hint;

/**
 * The REST API names its fields in camelCase (`podName`), sometimes with where they were
 * (`path.key`, `query.namespace`); a tool's arguments are snake_case (`pod_name`), and a route's
 * `key` is a tool's `service_key` or `forward_key`: name the argument the caller actually sent.
 */
const argumentName = (field: string | undefined, args: Record<string, unknown>): string | undefined => {
  if (field === undefined || field in args) return field;
  const located = /^(path|query|body)\./.test(field);
  const snake = field.replace(/^(path|query|body)\./, '').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  if (snake in args) return snake;
  // Only a REST field: a tool's own argument (`key` missing from remove_service) keeps its name.
  if (!located) return field;
  const suffixed = Object.keys(args).filter((a) => a.endsWith(`_${snake}`));
  // Several arguments could be the route's (service_key and forward_key): the tool says which with
  // asArgument; a route's own name (`path.key`) names nothing the caller can change.
  return suffixed.length === 1 ? suffixed[0] : undefined;
};

/**
 * The error of a call made with the value of the tool argument `name`: about that argument, where
 * the REST API named its own field (`path.key`). Other errors pass unchanged.
 */
export const asArgument =
  (name: string) =>
  (err: unknown): never => {
    if (!(err instanceof KubefwdError) || err.field === undefined || err.field === name) throw err;
    throw new KubefwdError(err.code, err.message, {
      hint: err.hint,
      field: name,
      ...(err.cause !== undefined ? { cause: err.cause } : {}),
      retryAfterMs: err.retryAfterMs,
    });
  };

export const errorBody = (err: unknown, args: Record<string, unknown> = {}): ToolErrorBody => {
  const code: ErrorCode = err instanceof KubefwdError ? err.code : 'INTERNAL';
  const hint =
    err instanceof KubefwdError
      ? err.hint
      : isErrorCode(code)
        ? ERROR_CODES[code].hint
        : ERROR_CODES.INTERNAL.hint;
  const field = err instanceof KubefwdError ? argumentName(err.field, args) : undefined;
  const inner = err instanceof Error ? err.cause : undefined;
  const cause = inner === undefined ? undefined : errorMessage(inner);
  return {
    code,
    message: errorMessage(err),
    hint: toolHint(code, hint),
    // Retrying helps once kubefwd is started; not while this server is set up to miss it.
    retryable: ERROR_CODES[code].retryable && !daemonNeedsNoStart(err),
    ...(field === undefined ? {} : { field }),
    ...(cause === undefined || errorMessage(err).includes(cause) ? {} : { cause }),
    suggestedActions: suggestionsFor(code, args, err),
  };
};

export const renderError = (body: ToolErrorBody): string => {
  const lines = [`Error ${body.code}: ${body.message}`];
  if (body.field) lines.push(`Field: ${body.field}`);
  if (body.cause) lines.push(`Cause: ${body.cause}`);
  lines.push(`Next step: ${body.hint}`);
  if (body.suggestedActions.length > 0)
    lines.push(
      `Tools that help: ${body.suggestedActions
        .map((a) => `${a.tool}${a.args ? ` ${JSON.stringify(a.args)}` : ''} (${a.why})`)
        .join('; ')}`,
    );
  lines.push(body.retryable ? 'Retrying later may succeed.' : 'Retrying unchanged will not help.');
  return lines.join('\n');
};

/**
 * The tool result for a failure: readable text, then the same facts as JSON text. No
 * `structuredContent`: it would have to match the tool's outputSchema (the SDK 1.x client validates
 * it even on errors and throws -32602 instead of showing the message), and the spec's own
 * tool-error examples carry none.
 */
export const toolError = (err: unknown, args: Record<string, unknown> = {}): CallToolResult => {
  const body = errorBody(err, args);
  return {
    content: [
      { type: 'text', text: renderError(body) },
      { type: 'text', text: JSON.stringify({ error: body }) },
    ],
    isError: true,
  };
};
