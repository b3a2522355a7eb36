// The privileged helper's request protocol (ARCHITECTURE decision 12): JSON lines, version 1, over
// the IPC channel of the engine process (`sudo -E kubefwd …`) or the installed service's Unix socket
// (`sudo kubefwd helper install`). Schemas are strict: an unknown field (a path, a command) is a
// refusal, not something ignored. The helper validates the meaning of each field itself
// (src/helper/validate.ts); these schemas only fix the shapes.
import { z } from 'zod';

export const HELPER_PROTOCOL_VERSION = 1;

/** A request line longer than this is refused before it is parsed (10k entries do not fit). */
export const HELPER_MAX_LINE_BYTES = 1024 * 1024;

/** The most addresses one block may hold, and names one address may have. */
export const HELPER_MAX_ENTRIES = 4096;
export const HELPER_MAX_NAMES_PER_ENTRY = 64;

const id = z.number().int().nonnegative();
const v = z.literal(HELPER_PROTOCOL_VERSION);

export const helperEntrySchema = z.strictObject({
  ip: z.string().max(64),
  hostnames: z.array(z.string().max(300)).max(HELPER_MAX_NAMES_PER_ENTRY * 2),
});
export type HelperEntry = z.infer<typeof helperEntrySchema>;

export const helperRequestSchema = z.discriminatedUnion('op', [
  /** Opens a session; `owner` names the hosts block this session may write (`pid-<pid>-<start>`). */
  z.strictObject({ v, id, op: z.literal('hello'), owner: z.string().max(64).optional() }),
  /** Socket sessions only: a file the caller created that holds the challenge (its owner proves the uid). */
  z.strictObject({ v, id, op: z.literal('prove'), file: z.string().max(4096) }),
  z.strictObject({
    v,
    id,
    op: z.literal('replaceBlock'),
    owner: z.string().max(64),
    entries: z.array(helperEntrySchema).max(HELPER_MAX_ENTRIES * 2),
  }),
  z.strictObject({ v, id, op: z.literal('removeBlock'), owner: z.string().max(64) }),
  z.strictObject({ v, id, op: z.literal('addAlias'), ip: z.string().max(64) }),
  z.strictObject({ v, id, op: z.literal('removeAlias'), ip: z.string().max(64) }),
  /** A listening socket on ip:port: a handle over IPC, relayed connections over the socket. */
  z.strictObject({ v, id, op: z.literal('listen'), ip: z.string().max(64), port: z.number() }),
  z.strictObject({ v, id, op: z.literal('unlisten'), listener: id }),
  /** Socket only, first line of a data connection: pairs it with an accepted connection. */
  z.strictObject({ v, id, op: z.literal('accept'), token: z.string().max(128), conn: id }),
]);
export type HelperRequest = z.infer<typeof helperRequestSchema>;
export type HelperOp = HelperRequest['op'];

export const helperErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  field: z.string().optional(),
});
export type HelperErrorBody = z.infer<typeof helperErrorSchema>;

export const helperHelloResultSchema = z.object({
  version: z.number(),
  pid: z.number(),
  hostsPath: z.string(),
  platform: z.string(),
  /** Socket sessions: write this into a file you own and send `prove` with its path. */
  challenge: z.string().optional(),
});
export type HelperHelloResult = z.infer<typeof helperHelloResultSchema>;

export const helperResponseSchema = z.union([
  z.object({ v, id, ok: z.literal(true), result: z.record(z.string(), z.unknown()).optional() }),
  z.object({ v, id, ok: z.literal(false), error: helperErrorSchema }),
]);
export type HelperResponse = z.infer<typeof helperResponseSchema>;

/** Helper → engine without a request: a connection arrived on a relayed listener. */
export const helperEventSchema = z.object({
  v,
  event: z.literal('connection'),
  listener: id,
  conn: id,
});
export type HelperEvent = z.infer<typeof helperEventSchema>;
