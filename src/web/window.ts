// Which items of a long list are worth rendering: those in the viewport plus a margin. Every item
// has the same height, so the range is arithmetic; 500 forwards cost the DOM of a screenful.

export const ITEM_HEIGHT = 40;
/** Items rendered beyond each edge of the viewport (smooth scrolling without blank bands). */
export const OVERSCAN = 10;

/**
 * The [start, end) indices to render for a list whose top is `listTop` px from the document's top,
 * scrolled to `scrollY`, in a viewport `viewHeight` high.
 */
export const visibleRange = (
  count: number,
  listTop: number,
  scrollY: number,
  viewHeight: number,
  itemHeight = ITEM_HEIGHT,
  overscan = OVERSCAN,
): { start: number; end: number } => {
  const first = Math.floor((scrollY - listTop) / itemHeight);
  const start = Math.max(0, Math.min(count, first - overscan));
  const last = Math.ceil((scrollY + viewHeight - listTop) / itemHeight);
  const end = Math.max(start, Math.min(count, last + overscan));
  return { start, end };
};
