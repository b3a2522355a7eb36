// Tool arguments are data from a model: every field has a strict shape (Kubernetes name rules,
// bounded lengths, no control characters, nothing that starts like a flag), unknown fields are
// refused, and a violation is an INVALID_INPUT result naming the field — not a protocol error.
import { z } from 'zod';
import type { StandardSchemaWithJSON } from '@modelcontextprotocol/server';
import { KubefwdError } from '../contract/errors.js';
import { DNS_LABEL, DNS_LABEL_MAX, DNS_SUBDOMAIN, DNS_SUBDOMAIN_MAX } from '../domain/names.js';

/** Kubeconfig context names are free-form in practice (ARNs, `user@cluster`, `gke_p_z_n`): allow those characters only. */
const CONTEXT = /^[A-Za-z0-9_:@/+=][A-Za-z0-9_.:@/+=-]*$/;
/** Service and forward keys: `svc.ns.ctx`, `pod.svc.ns.ctx`, `svc.ns.ctx.pod.port`. */
const KEY = /^[a-z0-9][A-Za-z0-9_.:@/+=-]*$/;
const SELECTOR = /^[A-Za-z0-9_./=!,() -]*$/;
/**
 * No control characters (C0, DEL, C1: Unicode's Cc). Spelled as ranges, not `\p{Cc}`: the pattern
 * goes into the tools' JSON Schema, and hosts that check schemas in Python (`re`) reject `\p{…}`.
 */
// eslint-disable-next-line no-control-regex
export const NO_CONTROL = /^[^\u0000-\u001f\u007f-\u009f]*$/;

const noTraversal = (v: string): boolean => !v.includes('..');

export const namespaceField = z
  .string()
  .max(DNS_LABEL_MAX)
  .regex(DNS_LABEL, 'must be a Kubernetes namespace name (lower-case letters, digits, "-")')
  .describe('Kubernetes namespace, e.g. "shop"');

export const serviceNameField = z
  .string()
  .max(DNS_LABEL_MAX)
  .regex(
    DNS_LABEL,
    'must be a bare Kubernetes service name (lower-case letters, digits, "-"), e.g. "postgres" — not ' +
      '"postgres.shop" or "shop/postgres": the namespace goes in `namespace`',
  )
  .describe('Kubernetes service name, e.g. "postgres"');

export const podNameField = z
  .string()
  .max(DNS_SUBDOMAIN_MAX)
  .regex(DNS_SUBDOMAIN, 'must be a Kubernetes pod name (lower-case letters, digits, "-", ".")')
  .describe('pod name as shown by list_pods or get_service');

export const containerField = z
  .string()
  .max(DNS_LABEL_MAX)
  .regex(DNS_LABEL, 'must be a container name (lower-case letters, digits, "-")')
  .describe('container name; the first container when omitted');

export const contextField = z
  .string()
  .max(253)
  .regex(
    CONTEXT,
    'must be a kubeconfig context name (letters, digits and _ . : @ / + = -, not starting with "-")',
  )
  .refine(noTraversal, 'must not contain ".."')
  .describe('kubeconfig context; omit for the current context');

export const keyField = z
  .string()
  .max(512)
  .regex(KEY, 'must be a key as printed by list_services, e.g. "postgres.shop.sim"')
  .refine(noTraversal, 'must not contain ".."')
  .describe('key as shown by list_services ("service.namespace.context") or get_service (forward keys)');

export const selectorField = z
  .string()
  .max(1024)
  .regex(SELECTOR, 'must be a Kubernetes label selector, e.g. "app=postgres,tier!=cache"')
  .refine(noTraversal, 'must not contain ".."')
  .refine((v) => !v.trimStart().startsWith('-'), 'must not start with "-"')
  .describe('Kubernetes label selector, e.g. "app=postgres"');

export const resourceKindField = z
  .string()
  .max(63)
  .regex(/^[A-Za-z][A-Za-z0-9]*$/, 'must be a Kubernetes kind, e.g. "Pod"')
  .describe('kind of the object, e.g. "Pod", "Service", "Deployment"');

export const searchText = (max: number) =>
  z.string().max(max).regex(NO_CONTROL, 'must not contain control characters (newlines, escapes)');

export const countField = (max: number, def: number) =>
  z.number().int().min(1).max(max).describe(`how many entries (1-${max}, default ${def})`);

export const portField = z.number().int().min(1).max(65535).describe('TCP port number');

/** The first problem of a failed parse, as "field: message". */
const describeIssue = (issue: z.core.$ZodIssue, raw: object): { field: string; message: string } => {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.join(', ');
    return { field: path ? `${path}.${keys}` : keys, message: `unknown field(s): ${keys}` };
  }
  // zod says "expected string, received undefined"; an assistant acts on "it is missing", and on
  // the name it sent instead (service_key where this tool takes key).
  if (issue.path.length === 1 && !(String(issue.path[0]) in raw)) {
    const bare = path.replace(/_/g, '');
    const sent = Object.keys(raw).find(
      (k) => k.endsWith(`_${path}`) || path.endsWith(`_${k}`) || k.replace(/_/g, '') === bare,
    );
    return {
      field: path,
      message: `missing: it is required (${
        issue.code === 'invalid_type' ? `a ${issue.expected}` : issue.message.replace(/^Invalid \w+: /, '')
      })${sent === undefined ? '' : `; '${sent}' was sent, which this tool does not take: pass it as '${path}'`}`,
    };
  }
  return { field: path || '(arguments)', message: issue.message };
};

/** Parse a tool's arguments; rejects with INVALID_INPUT naming the offending field. */
export const parseArgs = <S extends z.ZodType>(toolName: string, schema: S, raw: unknown): z.output<S> => {
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw)))
    throw new KubefwdError(
      'INVALID_INPUT',
      `The arguments of ${toolName} must be an object of named fields`,
      {
        field: '(arguments)',
      },
    );
  const args: object = raw ?? {};
  const result = schema.safeParse(args);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  const { field, message } = first
    ? describeIssue(first, args)
    : { field: '(arguments)', message: 'invalid' };
  return (() => {
    throw new KubefwdError('INVALID_INPUT', `Invalid value for '${field}' of ${toolName}: ${message}`, {
      field,
    });
  })();
};

/**
 * The schema the SDK advertises in tools/list is the strict one, but the SDK's own validation is a
 * pass-through: a failure there would become an untyped "Input validation error" string. We
 * validate in the handler instead and answer INVALID_INPUT with the field.
 */
export const advertise = (schema: z.ZodType): StandardSchemaWithJSON<unknown, Record<string, unknown>> => ({
  '~standard': {
    version: 1,
    vendor: 'kubefwd',
    // Hand the raw value through untouched; parseArgs in the handler judges it.
    validate: (value: unknown) => ({ value: value as Record<string, unknown> }),
    jsonSchema: schema['~standard'].jsonSchema,
  },
});
