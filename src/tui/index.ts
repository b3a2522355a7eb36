// The kubefwd terminal UI: runTui over a TuiBackend, in-process (createLocalBackend) or attached
// to a running daemon (createApiBackend).
export { runTui, type RunTuiOptions } from './run.js';
export type {
  TuiBackend,
  TuiBrowseContext,
  TuiBrowseNamespace,
  TuiBrowseService,
  TuiHttpEntry,
  TuiLogLine,
  TuiPodLogs,
  TuiState,
} from './backend.js';
export { createLocalBackend, type LocalBackendDeps, type LocalStateSource } from './local-backend.js';
export { createApiBackend, type ApiBackendOptions } from './api-backend.js';
export { measureRender, type RenderMeasurement } from './measure.js';
export { resolveTheme, type ThemeName } from './theme.js';
