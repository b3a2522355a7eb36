// A rate sparkline drawn on a canvas: a redraw is one path on a 60×16 bitmap, with no DOM nodes to
// diff, create or lay out — what keeps a screen of rows, each refreshed every second, cheap. The
// colour is the theme's `--spark`, read once per colour scheme (not per draw: reading computed
// style inside a frame that just changed the DOM would force a style recalculation).
import { Component, createRef, type JSX } from 'preact';

export const SPARK_WIDTH = 60;
export const SPARK_HEIGHT = 16;

/** The polyline's points for values scaled into width × height (the highest value touches the top). */
export const sparkPoints = (values: readonly number[], width: number, height: number): [number, number][] => {
  if (values.length < 2) return [];
  let max = 0;
  for (const v of values) if (v > max) max = v;
  const step = width / (values.length - 1);
  return values.map((v, i) => [i * step, max > 0 ? height - (v / max) * (height - 1) : height - 0.5]);
};

let colour: string | undefined;
const sparkColour = (): string => {
  if (colour === undefined) {
    colour = getComputedStyle(document.documentElement).getPropertyValue('--spark').trim() || '#326ce5';
    // Dark mode switched: read the theme again at the next draw.
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => (colour = undefined), {
      once: true,
    });
  }
  return colour;
};

interface Props {
  values: readonly number[] | undefined;
}

export class Sparkline extends Component<Props> {
  private canvas = createRef<HTMLCanvasElement>();

  override shouldComponentUpdate(next: Props): boolean {
    // The canvas element never changes; only the drawing does.
    if (next.values !== this.props.values) this.draw(next.values);
    return false;
  }

  override componentDidMount(): void {
    this.draw(this.props.values);
  }

  private draw(values: readonly number[] | undefined): void {
    const c = this.canvas.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    const scale = c.width / SPARK_WIDTH;
    ctx.setTransform(scale, 0, 0, scale, 0, 0);
    ctx.clearRect(0, 0, SPARK_WIDTH, SPARK_HEIGHT);
    const points = sparkPoints(values ?? [], SPARK_WIDTH, SPARK_HEIGHT);
    if (points.length === 0) return;
    ctx.beginPath();
    points.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
    ctx.strokeStyle = sparkColour();
    ctx.lineWidth = 1.2;
    ctx.stroke();
  }

  override render(): JSX.Element {
    const dpr = Math.min(2, Math.max(1, Math.round(globalThis.devicePixelRatio || 1)));
    return (
      <canvas
        ref={this.canvas}
        class="spark"
        width={SPARK_WIDTH * dpr}
        height={SPARK_HEIGHT * dpr}
        aria-hidden="true"
      />
    );
  }
}
