// Shared by the security suite's real-process tests.

/** A random 127.x base for a fixture's IPs, so parallel runs of the suite never share addresses. */
export const randomIpBase = (): string =>
  `127.${20 + Math.floor(Math.random() * 200)}.${Math.floor(Math.random() * 200)}.1`;
