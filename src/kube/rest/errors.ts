// Kubernetes API failures → KubefwdError with the code a person (or model) can act on. Pure, so the
// mapping is tested directly.
import { KubefwdError, type ErrorCode } from '../../contract/errors.js';
import type { KStatus } from '../../contract/kube.js';

/** What a request was about, for messages: "list services in namespace shop". */
export interface RequestSubject {
  verb: string;
  /** Plural resource, with a subresource as "pods/log". */
  resource: string;
  namespace?: string;
  name?: string;
}

/** A failure the API server answered with (a Status); `httpStatus` lets callers react to 410 etc. */
export class KubeApiError extends KubefwdError {
  readonly httpStatus: number;
  readonly reason: string | undefined;
  constructor(
    code: ErrorCode,
    message: string,
    httpStatus: number,
    reason: string | undefined,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(code, message, options);
    this.name = 'KubeApiError';
    this.httpStatus = httpStatus;
    this.reason = reason;
  }
}

/**
 * A `Retry-After` header in ms: the API server sends whole seconds with 429 (API Priority and
 * Fairness) and some 503s. The HTTP-date form, a negative or a non-number gives undefined.
 */
export const retryAfterMs = (header: string | string[] | undefined): number | undefined => {
  const v = Array.isArray(header) ? header[0] : header;
  if (v === undefined || !/^\s*\d+\s*$/.test(v)) return undefined;
  return Number(v) * 1000;
};

export const describeSubject = (s: RequestSubject): string => {
  const obj = s.name ? `${s.resource} "${s.name}"` : s.resource;
  return s.namespace ? `${s.verb} ${obj} in namespace "${s.namespace}"` : `${s.verb} ${obj}`;
};

const notFoundCode = (resource: string): ErrorCode => {
  const base = resource.split('/')[0];
  if (base === 'services' || base === 'endpoints') return 'SERVICE_NOT_FOUND';
  if (base === 'pods') return 'POD_NOT_FOUND';
  if (base === 'namespaces') return 'NAMESPACE_NOT_FOUND';
  return 'NOT_FOUND';
};

/** Parses a Status body if the server sent one (it may also send plain text or HTML). */
export function parseStatus(body: string): Partial<KStatus> | undefined {
  try {
    const v = JSON.parse(body) as unknown;
    if (typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'Status') return v;
  } catch {
    // not JSON
  }
  return undefined;
}

// Long as a table: one case per Kubernetes Status reason, mapped to a registry code.
export function apiStatusError(
  httpStatus: number,
  body: string,
  subject: RequestSubject,
  context: string,
): KubeApiError {
  const status = parseStatus(body);
  const serverMsg = (status?.message ?? body.trim().slice(0, 300)) || `HTTP ${httpStatus}`;
  const reason = status?.reason;
  const what = describeSubject(subject);
  const ctx = `(context "${context}")`;
  const code = status?.code ?? httpStatus;
  switch (code) {
    case 401:
      return new KubeApiError(
        'AUTH_FAILED',
        `the API server of context "${context}" rejected the credentials (401 Unauthorized) trying to ${what}`,
        httpStatus,
        reason,
      );
    case 403: {
      const perm = `${subject.verb} ${subject.resource}`;
      return new KubeApiError(
        'PERMISSION_DENIED',
        `permission denied: cannot ${perm}${subject.namespace ? ` in namespace "${subject.namespace}"` : ''} ${ctx}: ${serverMsg}`,
        httpStatus,
        reason,
        {
          hint: `Your user needs the RBAC permission "${perm}"; ask a cluster admin or use another context.`,
        },
      );
    }
    case 404:
      return new KubeApiError(
        notFoundCode(subject.resource),
        `not found: ${what} ${ctx}: ${serverMsg}`,
        httpStatus,
        reason,
      );
    case 400:
    case 422:
      return new KubeApiError(
        'INVALID_INPUT',
        `the API server refused to ${what} ${ctx}: ${serverMsg}`,
        httpStatus,
        reason,
      );
    case 409:
      return new KubeApiError(
        reason === 'AlreadyExists' ? 'ALREADY_EXISTS' : 'CONFLICT',
        `conflict trying to ${what} ${ctx}: ${serverMsg}`,
        httpStatus,
        reason,
      );
    case 410:
      return new KubeApiError(
        'CONFLICT',
        `resource version expired trying to ${what} ${ctx}: ${serverMsg}`,
        httpStatus,
        reason,
      );
    case 504:
      return new KubeApiError(
        'TIMEOUT',
        `the API server timed out trying to ${what} ${ctx}: ${serverMsg}`,
        httpStatus,
        reason,
      );
    case 429:
      return new KubeApiError(
        'API_BUSY',
        `the API server of context "${context}" is too busy to ${what} (429): ${serverMsg}`,
        httpStatus,
        reason,
      );
    default:
      if (code >= 500)
        return new KubeApiError(
          'API_UNREACHABLE',
          `the API server of context "${context}" failed to ${what} (${httpStatus}): ${serverMsg}`,
          httpStatus,
          reason,
        );
      return new KubeApiError(
        'INTERNAL',
        `unexpected answer ${httpStatus} trying to ${what} ${ctx}: ${serverMsg}`,
        httpStatus,
        reason,
      );
  }
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ECONNABORTED',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

/** A socket/TLS level failure (no HTTP answer) → API_UNREACHABLE / TLS_ERROR / TIMEOUT. */
export function networkError(
  err: unknown,
  server: string,
  context: string,
  subject?: RequestSubject,
): KubefwdError {
  if (err instanceof KubefwdError) return err;
  const e = err as NodeJS.ErrnoException & { reason?: string };
  const code = e?.code ?? '';
  const msg = e instanceof Error ? e.message : String(err);
  const doing = subject ? ` trying to ${describeSubject(subject)}` : '';
  if (TLS_CODES.has(code) || /certificate|SSL routines|self[- ]signed|altnames/i.test(msg)) {
    return new KubefwdError(
      'TLS_ERROR',
      `TLS with the API server ${server} (context "${context}") failed${doing}: ${msg}`,
      { cause: err },
    );
  }
  if (UNREACHABLE_CODES.has(code) || code.startsWith('E')) {
    return new KubefwdError(
      'API_UNREACHABLE',
      `the API server ${server} (context "${context}") is unreachable${doing}: ${code ? `${code} ` : ''}${msg}`,
      { cause: err },
    );
  }
  return new KubefwdError(
    'API_UNREACHABLE',
    `request to ${server} (context "${context}") failed${doing}: ${msg}`,
    {
      cause: err,
    },
  );
}
