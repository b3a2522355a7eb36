// The dashboard's calls to the daemon: same origin, the session cookie rides along (the page never
// holds the key), one error shape carrying the registry's code and hint.
import { ERROR_CODES, type ErrorCode } from '../contract/errors.js';

export interface ApiProblem {
  status: number;
  code: string;
  message: string;
  hint: string;
}

export class ApiFailure extends Error {
  readonly problem: ApiProblem;
  constructor(problem: ApiProblem) {
    super(problem.message);
    this.problem = problem;
  }
}

/** The registry's hint for a code (forwards carry codes, not hints). */
export const hintOf = (code: string | undefined): string | undefined =>
  code !== undefined && Object.hasOwn(ERROR_CODES, code) ? ERROR_CODES[code as ErrorCode].hint : undefined;

interface Envelope<T> {
  success: boolean;
  data?: T;
  error?: { code: string; message: string; hint?: string };
}

export const call = async <T>(
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> => {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (err) {
    throw new ApiFailure({
      status: 0,
      code: 'DAEMON_UNAVAILABLE',
      message: `kubefwd did not answer: ${String(err)}`,
      hint: hintOf('DAEMON_UNAVAILABLE') ?? 'Is kubefwd still running?',
    });
  }
  let json: Envelope<T> | undefined;
  try {
    json = (await res.json()) as Envelope<T>;
  } catch {
    json = undefined;
  }
  if (!res.ok || !json?.success) {
    const code = json?.error?.code ?? 'INTERNAL';
    throw new ApiFailure({
      status: res.status,
      code,
      message: json?.error?.message ?? `${method} ${path}: HTTP ${res.status}`,
      hint: json?.error?.hint ?? hintOf(code) ?? '',
    });
  }
  return json.data as T;
};

export const enc = encodeURIComponent;
