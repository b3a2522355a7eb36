// The 28 tools, in kubefwd's registration order. Names and argument names
// are kubefwd's, so client configurations and prompts written for it keep working.
import type { Tool } from './define.js';
import { getConnectionInfo, listHostnames } from './connection.js';
import { reconnectAllErrors, reconnectService, syncService } from './control.js';
import { listContexts, listK8sNamespaces, listK8sServices } from './discovery.js';
import { diagnoseErrors, getAnalysis, getHealth, getMetrics, getQuickStatus } from './health.js';
import { getEndpoints, getEvents } from './kubernetes.js';
import { addNamespace, removeNamespace } from './namespaces.js';
import { getPod, getPodLogs, listPods } from './pods.js';
import { addService, findServices, getService, listServices, removeService } from './services.js';
import { getHistory, getHttpTraffic, getLogs } from './traffic.js';

export const TOOLS: readonly Tool[] = [
  addNamespace,
  removeNamespace,
  addService,
  removeService,
  getConnectionInfo,
  listK8sNamespaces,
  listK8sServices,
  getPodLogs,
  listPods,
  getPod,
  getEvents,
  getEndpoints,
  findServices,
  listHostnames,
  listServices,
  getService,
  reconnectService,
  reconnectAllErrors,
  syncService,
  getHealth,
  getMetrics,
  diagnoseErrors,
  getLogs,
  getAnalysis,
  getQuickStatus,
  getHttpTraffic,
  listContexts,
  getHistory,
];

export type { Tool, ToolContext } from './define.js';
