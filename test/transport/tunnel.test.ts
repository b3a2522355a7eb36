import { defineTransportSuite } from './suite.js';

defineTransportSuite('tunnel');
