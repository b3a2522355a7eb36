// The state store and its selectors (see store.ts).
export {
  createStateStore,
  type SkippedService,
  type StateSnapshot,
  type StateStore,
  type StateStoreOptions,
} from './store.js';
export { createHistory, DEFAULT_HISTORY_LIMITS, type History, type HistoryLimits } from './history.js';
export {
  createLogBuffer,
  matchesLog,
  normaliseLevel,
  LEVEL_RANK,
  type LogBuffer,
  type LogQuery,
} from './logs.js';
export {
  filterForwards,
  filterServices,
  paginate,
  sortForwards,
  sortServices,
  type ForwardSort,
  type ListFilter,
  type Page,
  type ServiceSort,
} from './selectors.js';
export { forwardView, namespaceView, serviceStatus, serviceView, summaryOf } from './views.js';
