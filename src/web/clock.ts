// Times as the browser's locale writes them. A page is not re-rendered every second, so a retry is
// said as the time it happens ("next try at 19:14:05"), which stays true, not a countdown.

export const time = (iso: string): string => {
  const d = new Date(iso);
  return Number.isFinite(d.getTime()) ? d.toLocaleTimeString() : iso;
};

/** A Waiting/Error forward's reason with " · next try at 19:14:05" when a retry is planned. */
export const withRetry = (reason: string | undefined, nextRetryAt: string | undefined): string | undefined =>
  reason === undefined || nextRetryAt === undefined ? reason : `${reason} · next try at ${time(nextRetryAt)}`;
