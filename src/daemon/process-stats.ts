// The daemon process's memory for /api/v1/diagnostics: Node's view (RSS, V8 heap, buffers) and the
// live heap the heap tuning reads after each full collection — what grows when something leaks,
// while RSS also follows the committed heap and the allocator.
import type { ProcessStats } from '../contract/api.js';
import type { HeapTuning } from './heap-tuning.js';

export const readProcessStats = (
  heap: Pick<HeapTuning, 'liveBytes' | 'fullCollections'> | undefined,
  usage: () => NodeJS.MemoryUsage = () => process.memoryUsage(),
  pid = process.pid,
): ProcessStats => {
  const m = usage();
  return {
    pid,
    rssBytes: m.rss,
    heapUsedBytes: m.heapUsed,
    heapTotalBytes: m.heapTotal,
    externalBytes: m.external,
    arrayBuffersBytes: m.arrayBuffers,
    ...(heap?.liveBytes !== undefined ? { liveHeapBytes: heap.liveBytes } : {}),
    fullCollections: heap?.fullCollections ?? 0,
  };
};
