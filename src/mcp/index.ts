// The MCP server's public surface: running it (run.ts) and its parts, for tests and the .mcpb bundle.
export { runMcpServer, type RunMcpServerOptions } from './run.js';
export { createKubefwdMcpServer } from './server.js';
export { createDaemonLink } from './link.js';
export { TOOLS } from './tools/index.js';
export { RESOURCES } from './resources.js';
export { buildPrompts } from './prompts.js';
