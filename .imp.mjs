const t0 = performance.now();
const what = process.argv[2];
await import(what.startsWith(".") ? new URL(what, "file:///work/main/") .href : what);
console.log(what, (performance.now() - t0).toFixed(1), 'ms');
