// The engine's ports (defined in contract/, where the adapters that implement them can see them).
export * from '../contract/ports.js';
