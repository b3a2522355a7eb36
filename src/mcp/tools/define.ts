// The one shape every tool has: a strict zod input, an output schema, annotations for the client,
// a description written for a model, and a run function that only talks to the backend port.
import type { z } from 'zod';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/server';
import type { BackendProvider, KubefwdBackend } from '../backend.js';
import { KubefwdError } from '../../contract/errors.js';
import { toolError } from '../errors.js';
import { parseArgs } from '../input.js';
import { UNTRUSTED_NOTICE, fenceUntrusted, sanitizeDeep, sanitizeText } from '../untrusted.js';

export interface ToolContext {
  backend: BackendProvider;
  /** Version of this MCP server (the daemon reports its own). */
  version: string;
  /** How long add_service/add_namespace wait for their forwards to settle (ms; default 5000). */
  settleMs?: number;
}

export interface ToolOutput<O> {
  data: O;
  /** A short readable summary for the model, sent in front of the JSON of `data`. */
  text?: string;
  /** Where untrusted text in `data` comes from (pod logs, traffic): the JSON block is fenced then. */
  untrusted?: string;
}

export interface ToolSpec<I extends z.ZodType, O extends z.ZodType> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations: Omit<ToolAnnotations, 'title'>;
  run(args: z.output<I>, api: KubefwdBackend, ctx: ToolContext): Promise<ToolOutput<z.output<O>>>;
}

/** A tool with its types erased, ready to register; `call` never throws. */
export interface Tool {
  name: string;
  title: string;
  description: string;
  input: z.ZodType;
  output: z.ZodType;
  annotations: ToolAnnotations;
  call(rawArgs: unknown, ctx: ToolContext): Promise<CallToolResult>;
}

const asRecord = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/**
 * A successful result: `structuredContent` plus, as the spec asks for clients that ignore it, the
 * same JSON in the last text block (after the summary, when there is one).
 */
export const toolResult = (
  data: Record<string, unknown>,
  summary?: string,
  untrusted?: string,
): CallToolResult => {
  const json = JSON.stringify(data);
  // Data marked as carrying workload text (events, pod statuses, logs) is fenced in its JSON block
  // too, even when the tool names no particular source.
  const source =
    untrusted ?? (data.untrusted === UNTRUSTED_NOTICE ? 'the cluster (this result as JSON)' : undefined);
  return {
    content: [
      ...(summary ? [{ type: 'text' as const, text: summary }] : []),
      // One line of JSON between the fence's marker lines: still parseable, never instructions.
      { type: 'text', text: source ? fenceUntrusted(source, [json]).text : json },
    ],
    structuredContent: data,
  };
};

/**
 * The data as the tool's outputSchema describes it. Parsing drops fields the schema does not list
 * (its JSON Schema says additionalProperties: false, and the SDK 1.x client checks that with ajv);
 * a daemon answer of another shape becomes a tool error instead of a result that fails validation.
 */
const conform = (tool: string, schema: z.ZodType, data: unknown): Record<string, unknown> => {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data as Record<string, unknown>;
  const issue = parsed.error.issues[0];
  throw new KubefwdError(
    'INTERNAL',
    `kubefwd answered ${tool} in an unexpected shape (${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'})`,
    { hint: 'Run kubefwd and kubefwd mcp of the same version (`kubefwd version` prints it).' },
  );
};

export const defineTool = <I extends z.ZodType, O extends z.ZodType>(spec: ToolSpec<I, O>): Tool => ({
  name: spec.name,
  title: spec.title,
  description: spec.description,
  input: spec.input,
  output: spec.output,
  annotations: { title: spec.title, ...spec.annotations },
  async call(rawArgs, ctx) {
    try {
      const args = parseArgs(spec.name, spec.input, rawArgs);
      const api = await ctx.backend();
      const out = await spec.run(args, api, ctx);
      // Every string a result carries, text and structured alike, leaves with its control characters
      // escaped: much of it comes from the cluster or from traffic (untrusted.ts).
      const data = sanitizeDeep(conform(spec.name, spec.output, out.data));
      return toolResult(data, out.text !== undefined ? sanitizeText(out.text) : undefined, out.untrusted);
    } catch (err) {
      return sanitizeDeep(toolError(err, asRecord(rawArgs)));
    }
  },
});

/** Annotation presets, so every tool states its effect the same way. */
export const READ_ONLY = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const;
/** Reads the cluster (Kubernetes API) rather than kubefwd's own state. */
export const READ_CLUSTER = { ...READ_ONLY, openWorldHint: true } as const;
