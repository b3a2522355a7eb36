// Container logs: an append-only list of lines per pod container, with followers for `follow=true`.
// Reading applies the PodLogOptions the kubelet honours (sinceSeconds/sinceTime, tailLines,
// timestamps, limitBytes).

export interface LogLine {
  time: Date;
  text: string;
}

export interface LogReadOptions {
  tailLines?: number;
  sinceSeconds?: number;
  sinceTime?: Date;
  timestamps?: boolean;
  now?: Date;
}

/** RFC3339Nano the way the kubelet prints it (nanoseconds, 9 digits). */
export const rfc3339Nano = (d: Date): string => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');

export const formatLine = (l: LogLine, timestamps: boolean): string =>
  `${timestamps ? `${rfc3339Nano(l.time)} ` : ''}${l.text}\n`;

/** Pure selection of lines per PodLogOptions (tested directly). */
export function selectLines(lines: readonly LogLine[], o: LogReadOptions): LogLine[] {
  let out = [...lines];
  const now = o.now ?? new Date();
  if (o.sinceSeconds !== undefined) {
    const from = now.getTime() - o.sinceSeconds * 1000;
    out = out.filter((l) => l.time.getTime() >= from);
  }
  if (o.sinceTime !== undefined) {
    const from = o.sinceTime.getTime();
    out = out.filter((l) => l.time.getTime() >= from);
  }
  if (o.tailLines !== undefined) out = o.tailLines === 0 ? [] : out.slice(-o.tailLines);
  return out;
}

export class ContainerLog {
  private readonly lines: LogLine[] = [];
  private readonly followers = new Set<(l: LogLine) => void>();
  private closers = new Set<() => void>();

  constructor(private readonly maxLines = 10_000) {}

  append(text: string, time = new Date()): void {
    for (const t of text.split('\n')) {
      const line = { time, text: t };
      this.lines.push(line);
      for (const f of this.followers) f(line);
    }
    if (this.lines.length > this.maxLines) this.lines.splice(0, this.lines.length - this.maxLines);
  }

  read(o: LogReadOptions): LogLine[] {
    return selectLines(this.lines, o);
  }

  /** Follow new lines; `onEnd` fires when the container goes away. Returns unsubscribe. */
  follow(onLine: (l: LogLine) => void, onEnd: () => void): () => void {
    this.followers.add(onLine);
    this.closers.add(onEnd);
    return () => {
      this.followers.delete(onLine);
      this.closers.delete(onEnd);
    };
  }

  /** The container stopped: end every follower. */
  end(): void {
    const closers = [...this.closers];
    this.followers.clear();
    this.closers = new Set();
    for (const c of closers) c();
  }
}
