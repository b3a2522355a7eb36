// What `kubefwd mcp` answers on stdio before the MCP SDK has loaded. MCP hosts start the server for
// every session and wait for `initialize`, then list tools, prompts and resources; loading the SDK,
// zod and every tool schema takes longer than the rest of the start-up together. Those answers never
// change for a given build, so they are captured from the SDK server itself (capture.ts, at
// development time, into catalog-data.generated.ts; a test keeps the two equal) and served from
// here until the SDK takes over. Pure functions: what to answer, or undefined for "the SDK answers".

/** The captured answers, as catalog-data.generated.ts holds them. */
export interface McpCatalog {
  /** Protocol versions an `initialize` may negotiate, in the SDK's order of preference. */
  versions: string[];
  /** The `initialize` result without `protocolVersion` (filled in) and with serverInfo.version unset. */
  initialize: Record<string, unknown> & { serverInfo: Record<string, unknown> };
  /** Results of the list methods, by method. */
  lists: Record<string, unknown>;
}

/** The list methods a catalog answers (without a cursor: all of ours fit on one page). */
export const LIST_METHODS = [
  'tools/list',
  'prompts/list',
  'resources/list',
  'resources/templates/list',
] as const;

export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id: string | number;
  method: string;
  params?: Record<string, unknown>;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** A JSON-RPC request (not a notification, not a response), or undefined. */
export const asRequest = (msg: unknown): JsonRpcRequest | undefined => {
  if (!isRecord(msg) || msg.jsonrpc !== '2.0' || typeof msg.method !== 'string') return undefined;
  if (typeof msg.id !== 'string' && (typeof msg.id !== 'number' || !Number.isInteger(msg.id)))
    return undefined;
  if (msg.params !== undefined && !isRecord(msg.params)) return undefined;
  return msg as unknown as JsonRpcRequest;
};

/**
 * An `initialize` the catalog can answer as the SDK would: the 2025-era handshake with the fields the
 * SDK's schema requires. Anything else (missing fields, another era's envelope) is left to the SDK,
 * which answers it with its own error or negotiation.
 */
export const isPlainInitialize = (req: JsonRpcRequest): boolean => {
  const p = req.params;
  if (req.method !== 'initialize' || !p) return false;
  const info = p.clientInfo;
  return (
    typeof p.protocolVersion === 'string' &&
    isRecord(p.capabilities) &&
    isRecord(info) &&
    typeof info.name === 'string' &&
    typeof info.version === 'string'
  );
};

/** The `initialize` result for this request: the requested version when supported, else the SDK's first. */
export const initializeResult = (
  catalog: McpCatalog,
  req: JsonRpcRequest,
  serverVersion: string,
): Record<string, unknown> => {
  const requested = req.params?.protocolVersion;
  const protocolVersion =
    typeof requested === 'string' && catalog.versions.includes(requested) ? requested : catalog.versions[0];
  return {
    protocolVersion,
    ...catalog.initialize,
    serverInfo: { ...catalog.initialize.serverInfo, version: serverVersion },
  };
};

/**
 * The answer to a request after an `initialize` the catalog answered: `ping` and the list methods
 * without a cursor. Undefined: the SDK answers it.
 */
export const catalogAnswer = (catalog: McpCatalog, req: JsonRpcRequest): unknown => {
  if (req.method === 'ping') return {};
  const params = req.params ?? {};
  if (params.cursor !== undefined) return undefined;
  return (LIST_METHODS as readonly string[]).includes(req.method) ? catalog.lists[req.method] : undefined;
};
