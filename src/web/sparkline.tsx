// A rate sparkline as one SVG path: cheap to diff and draw for hundreds of rows, scales with the
// text, and takes its colour from the theme (currentColor).
import type { JSX } from 'preact';

/** The path's `d` for values scaled into width × height (the highest value touches the top). */
export const sparkPath = (values: readonly number[], width: number, height: number): string => {
  if (values.length < 2) return '';
  const max = Math.max(...values);
  const step = width / (values.length - 1);
  let d = '';
  for (let i = 0; i < values.length; i++) {
    const y = max > 0 ? height - (values[i]! / max) * (height - 1) : height;
    d += `${i === 0 ? 'M' : 'L'}${(i * step).toFixed(1)} ${y.toFixed(1)}`;
  }
  return d;
};

export const Sparkline = ({ values }: { values: readonly number[] | undefined }): JSX.Element => (
  <svg class="spark" viewBox="0 0 60 16" preserveAspectRatio="none" aria-hidden="true">
    <path d={sparkPath(values ?? [], 60, 16)} />
  </svg>
);
