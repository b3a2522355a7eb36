// The sum of forwards' traffic figures: the one rule behind every total the REST API, the SSE
// bandwidth events, the TUI and the dashboard show (browser-safe: no imports).

export interface TrafficFigures {
  bytesIn: number;
  bytesOut: number;
  rateIn: number;
  rateOut: number;
}

export const trafficTotals = (forwards: Iterable<TrafficFigures>): TrafficFigures => {
  const t: TrafficFigures = { bytesIn: 0, bytesOut: 0, rateIn: 0, rateOut: 0 };
  for (const f of forwards) {
    t.bytesIn += f.bytesIn;
    t.bytesOut += f.bytesOut;
    t.rateIn += f.rateIn;
    t.rateOut += f.rateOut;
  }
  return t;
};
