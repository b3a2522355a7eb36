// Output schemas shared by several tools. Loose objects: the daemon may add fields over time and a
// newer daemon must not make an older MCP server fail its own output validation.
import { z } from 'zod';

export const forwardOut = z.looseObject({
  key: z.string(),
  podName: z.string(),
  localIP: z.string(),
  localPort: z.string(),
  podPort: z.string(),
  hostnames: z.array(z.string()),
  status: z.string(),
  error: z.string().optional(),
  reason: z.string().optional(),
});

export const serviceOut = z.looseObject({
  key: z.string(),
  serviceName: z.string(),
  namespace: z.string(),
  context: z.string(),
  status: z.string(),
  activeCount: z.number(),
  errorCount: z.number(),
  forwards: z.array(forwardOut).optional(),
});

export const summaryOut = z.looseObject({
  totalServices: z.number(),
  activeServices: z.number(),
  totalForwards: z.number(),
  activeForwards: z.number(),
  errorCount: z.number(),
});

export const portOut = z.object({
  localPort: z.number(),
  remotePort: z.number(),
  protocol: z.string(),
  name: z.string().optional(),
});

export const connectionStringOut = z.object({
  kind: z.string(),
  port: z.number(),
  url: z.string(),
  urlByIP: z.string().optional(),
  example: z.string(),
});

export const anyObject = z.looseObject({});

/** A namespace/context pair; the empty context means "the kubeconfig's current context". */
export const describeTarget = (namespace: string, context: string | undefined): string =>
  context ? `${namespace} (context ${context})` : namespace;
