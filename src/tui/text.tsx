// The TUI's only way to put text on the screen: ink's Text with every string child passed through
// the one sanitizer (contract/terminal-text.ts). Cells, panels and the detail view show text that a
// workload or a peer controls (HTTP paths, pod logs, API-server errors); escaping it here, at the
// terminal boundary, means no view can forget to. Line feeds stay (ink lays them out); every other
// control character is shown as `\xNN`. A test keeps every other file from importing ink's Text.
import { Text as InkText, type TextProps } from 'ink';
import type { ReactNode } from 'react';
import { escapeTerminal } from '../contract/terminal-text.js';

const clean = (node: ReactNode): ReactNode =>
  typeof node === 'string'
    ? escapeTerminal(node, { newlines: true })
    : Array.isArray(node)
      ? (node as ReactNode[]).map(clean)
      : node;

export const Text = ({ children, ...props }: TextProps) => <InkText {...props}>{clean(children)}</InkText>;
