// The daemon: the composition root. Builds the logger, the cluster access, the machine adapters,
// the engine, the state store and the REST API; handles signals and shutdown.
export { runDaemon, startDaemon, type RunDaemonOptions, type RunningDaemon } from './daemon.js';
export { createLogger, formatText, type DaemonLogger } from './logger.js';
export {
  API_HOSTNAME,
  API_IP,
  API_PORT,
  defaultHostsPath,
  type DaemonConfig,
  type TransportChoice,
} from './config.js';
export { planTargets, type Plan } from './preflight.js';
export { tuneHeapForForwarding } from './heap-tuning.js';
