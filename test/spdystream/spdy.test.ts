import { defineTransportSuite } from '../transport/suite.js';

defineTransportSuite('spdy', 'spdystream');
