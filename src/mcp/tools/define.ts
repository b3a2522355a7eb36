// The one shape every tool has: a strict zod input, an output schema, annotations for the client,
// a description written for a model, and a run function that only talks to the backend port.
import type { z } from 'zod';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/server';
import type { BackendProvider, KubefwdBackend } from '../backend.js';
import { toolError } from '../errors.js';
import { parseArgs } from '../input.js';
import { sanitizeDeep, sanitizeText } from '../untrusted.js';

export interface ToolContext {
  backend: BackendProvider;
  /** Version of this MCP server (the daemon reports its own). */
  version: string;
}

export interface ToolOutput<O> {
  data: O;
  /** Readable text for the model; pretty JSON of `data` when omitted. */
  text?: string;
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
      const data = sanitizeDeep(out.data as Record<string, unknown>);
      return {
        content: [
          {
            type: 'text',
            text: out.text !== undefined ? sanitizeText(out.text) : JSON.stringify(data, null, 2),
          },
        ],
        structuredContent: data,
      };
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
