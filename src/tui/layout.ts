// How the terminal's rows are shared (kubefwd: services table 75 %, logs 25 %), pure so windowing
// follows the terminal height exactly and resize is a recomputation.

export interface Layout {
  width: number;
  height: number;
  /** Table rows shown at once (the window). */
  page: number;
  /** Lines of the logs panel, its status line included. */
  logLines: number;
  /** Height available to a modal (detail, browse, help), which replaces the two panels. */
  bodyHeight: number;
}

export const MIN_WIDTH = 40;
export const MIN_HEIGHT = 12;

/** Header, blank line, two section titles, the table border (2) and header, status bar. */
const CHROME = 8;

export const computeLayout = (width: number, height: number, filterLine: boolean): Layout => {
  const w = Math.max(MIN_WIDTH, width);
  const h = Math.max(MIN_HEIGHT, height);
  const remaining = h - CHROME - (filterLine ? 1 : 0);
  const logLines = Math.max(2, Math.floor(remaining * 0.25));
  const page = Math.max(1, remaining - logLines);
  // Header + blank line + status bar stay visible around a modal.
  return { width: w, height: h, page, logLines, bodyHeight: Math.max(6, h - 3) };
};
