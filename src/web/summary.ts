// The header's uptime; its other figures are domain/forward-counts (the TUI's status line too).
/** kubefwd's uptime, only while the page reaches it: a stopped kubefwd has none to count. */
export const uptimeMs = (
  startedAt: number | undefined,
  reachable: boolean,
  now: number,
): number | undefined => (startedAt !== undefined && reachable ? now - startedAt : undefined);
