// The envelope and the error body. Every failure reaching a client carries a contract/errors
// code, a message naming the input, a hint and (for input errors) the field.
import type { z } from 'zod';
import type { ApiError } from '../../contract/api.js';
import {
  ERROR_CODES,
  KubefwdError,
  errorMessage,
  isKubefwdError,
  type ErrorCode,
} from '../../contract/errors.js';
import { terminalSafeJson } from '../../contract/terminal-text.js';

export const errorBody = (err: KubefwdError): ApiError => ({
  success: false,
  error: {
    code: err.code,
    message: err.message,
    hint: err.hint,
    ...(err.field !== undefined ? { field: err.field } : {}),
  },
});

/** Any thrown value as an error response; unexpected errors become INTERNAL (message kept generic). */
export const errorResponse = (
  req: { method: string; url: string },
  err: unknown,
  log?: (message: string) => void,
): Response => {
  const e = isKubefwdError(err) ? err : new KubefwdError('INTERNAL', 'Internal server error', { cause: err });
  if (!isKubefwdError(err))
    log?.(`API ${req.method} ${new URL(req.url).pathname} failed: ${errorMessage(err)}`);
  return new Response(terminalSafeJson(errorBody(e)), {
    status: ERROR_CODES[e.code].status,
    headers: { 'content-type': 'application/json; charset=UTF-8' },
  });
};

export const fail = (code: ErrorCode, message: string, field?: string): never => {
  throw new KubefwdError(code, message, field !== undefined ? { field } : {});
};

/** Turns zod issues into one INVALID_INPUT error naming the first offending field. */
export const invalidInput = (where: 'body' | 'query' | 'path', error: z.ZodError): KubefwdError => {
  const issue = error.issues[0];
  const path = issue?.path.map(String) ?? [];
  let field = [where, ...path].join('.');
  let message = issue?.message ?? 'invalid input';
  if (issue?.code === 'unrecognized_keys') {
    const keys = (issue as { keys?: string[] }).keys ?? [];
    field = [where, ...path, keys[0] ?? ''].filter(Boolean).join('.');
    message = `unknown field${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}`;
  } else if (issue?.code === 'invalid_type' && issue.message.includes('received undefined')) {
    message = 'is required';
  }
  const more =
    error.issues.length > 1
      ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? 's' : ''})`
      : '';
  return new KubefwdError('INVALID_INPUT', `${field}: ${message}${more}`, { field });
};
