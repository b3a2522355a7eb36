import { defineTransportSuite } from '../transport/suite.js';

defineTransportSuite('tunnel', 'spdystream');
