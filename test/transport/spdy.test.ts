import { defineTransportSuite } from './suite.js';

defineTransportSuite('spdy');
