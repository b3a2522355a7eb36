// Traffic metrics and HTTP inspection for every forward (see recorder.ts).
export {
  createNullTrafficRecorder,
  createTrafficRecorder,
  type ForwardTraffic,
  type HttpLogEntry,
  type TrafficRecorderHandle,
  type TrafficRecorderOptions,
  type TrafficSample,
  type TrafficSource,
  type TrafficTotals,
} from './recorder.js';
export { createConnectionSniffer, type ConnectionSniffer, type HttpExchange } from './http-sniffer.js';
export { createHttpParser, parseHead, type HttpParser, type MessageHead } from './http-parser.js';
export { createRingBuffer, type RingBuffer } from './ring-buffer.js';
export { averageRate, createSampleRing, instantRate, type SampleRing } from './samples.js';
