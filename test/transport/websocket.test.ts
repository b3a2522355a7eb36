import { defineTransportSuite } from './suite.js';

defineTransportSuite('websocket');
