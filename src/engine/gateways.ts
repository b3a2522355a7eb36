// The engine's gateways (defined in contract/, where the adapters that implement them can see them).
export * from '../contract/gateways.js';
