// A server that says when to come back (a 429 from API Priority and Fairness, some 503s, with
// Retry-After) is heard as client-go hears it: the wait is the longer of the backoff's and the
// server's, but never past the backoff's longest (an hour asked for is not waited blindly). One rule
// for both backoffs, the informers' and the forwards'.
export const waitAsAsked = (backoffMs: number, askedMs: number | undefined, maxMs: number): number =>
  Math.max(backoffMs, Math.min(askedMs ?? 0, maxMs));
