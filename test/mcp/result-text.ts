// How a tool error reaches a client: no structuredContent (it would have to match the tool's
// outputSchema), the readable text first and the same facts as JSON in the last text block.
import type { ToolErrorBody } from '../../src/mcp/errors.js';

interface AnyResult {
  isError?: boolean;
  content?: unknown;
  structuredContent?: unknown;
}

const texts = (r: AnyResult): string[] =>
  ((r.content ?? []) as { type: string; text?: string }[])
    .filter((c) => c.type === 'text')
    .map((c) => c.text ?? '');

/**
 * The JSON of the last text block (the structured data of a result, or `{ error }` of a failure);
 * for data with untrusted text, the one line between the untrusted fence's marker lines.
 */
export const lastJson = (r: AnyResult): Record<string, unknown> => {
  const last = texts(r).at(-1);
  if (last === undefined) throw new Error(`no text block in ${JSON.stringify(r)}`);
  const fenced = /^<<<(UNTRUSTED-[0-9a-f]+)\n(.*)\n\1>>>$/m.exec(last);
  return JSON.parse(fenced ? fenced[2]! : last) as Record<string, unknown>;
};

/** The error body of a failed tool result; throws when the result is not an error in our shape. */
export const errorOf = (r: AnyResult): ToolErrorBody => {
  if (!r.isError) throw new Error(`expected an error result, got ${JSON.stringify(r)}`);
  if (r.structuredContent !== undefined)
    throw new Error(`an error result carries structuredContent: ${JSON.stringify(r.structuredContent)}`);
  return (lastJson(r) as { error: ToolErrorBody }).error;
};

/** `{ error }` as the last text block carries it. */
export const errorJson = (r: AnyResult): { error: ToolErrorBody } => ({ error: errorOf(r) });
