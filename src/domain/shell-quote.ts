// A word as a POSIX shell reads it back unchanged: bare when it is plain, else in single quotes.
// For the commands kubefwd prints for people to paste (the sudo hint, the demo's kubectl line,
// idle mode's svc line).
export const shellQuote = (a: string): string =>
  /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
