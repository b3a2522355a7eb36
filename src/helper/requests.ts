// One request line → a typed request, or a typed refusal naming the first bad field. The shapes
// are the contract's strict schemas: an unknown field (a path, a command) is refused, not ignored.
import { KubefwdError } from '../contract/errors.js';
import {
  HELPER_PROTOCOL_VERSION,
  helperRequestSchema,
  type HelperRequest,
  type HelperResponse,
} from '../contract/helper-protocol.js';
import { errorBody } from './core.js';

export const parseRequest = (value: unknown): HelperRequest => {
  const parsed = helperRequestSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : 'request';
  throw new KubefwdError('HELPER_REFUSED', `${field}: ${issue?.message ?? 'not a helper request'}`, {
    field,
  });
};

/** The id of a request that failed to parse, so the refusal still reaches its caller. */
export const requestId = (value: unknown): number =>
  typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'number'
    ? (value as { id: number }).id
    : 0;

export const okResponse = (id: number, result: Record<string, unknown>): HelperResponse => ({
  v: HELPER_PROTOCOL_VERSION,
  id,
  ok: true,
  result,
});

export const errorResponse = (id: number, err: unknown): HelperResponse => ({
  v: HELPER_PROTOCOL_VERSION,
  id,
  ok: false,
  error: errorBody(err),
});
