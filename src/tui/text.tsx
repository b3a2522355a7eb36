// The TUI's only way to put text on the screen: ink's Text with every string child passed through
// the one sanitizer (contract/terminal-text.ts). Cells, panels and the detail view show text that a
// workload or a peer controls (HTTP paths, pod logs, API-server errors); escaping it here, at the
// terminal boundary, means no view can forget to. Line feeds stay (ink lays them out); every other
// control character is shown as `\xNN`. A test keeps every other file from importing ink's Text.
import { Text as InkText, Transform, type TextProps } from 'ink';
import { memo, type ReactNode } from 'react';
import { escapeTerminal } from '../contract/terminal-text.js';
import type { StyledLine } from './styled-line.js';

const clean = (node: ReactNode): ReactNode =>
  typeof node === 'string'
    ? escapeTerminal(node, { newlines: true })
    : Array.isArray(node)
      ? (node as ReactNode[]).map(clean)
      : node;

export const Text = ({ children, ...props }: TextProps) => <InkText {...props}>{clean(children)}</InkText>;

/**
 * One pre-styled line (styled-line.ts escaped its text): a single node, re-rendered only when the
 * line changed, so an unchanged row costs React and ink's layout nothing. ink lays out and measures
 * a blank placeholder of the line's width (ASCII: measured in O(1), where string-width segments any
 * text with a glyph in it grapheme by grapheme); the line itself goes in when the frame is written.
 * Nothing wraps or cuts it: the caller fits the line to its place (width.ts's fit).
 */
export const StyledText = memo(
  ({ line }: { line: StyledLine }) => (
    <Transform transform={(_blank, index) => (index === 0 ? line.text : '')}>
      {' '.repeat(line.width)}
    </Transform>
  ),
  (a, b) => a.line.text === b.line.text,
);
StyledText.displayName = 'StyledText';
