// The help overlay (`?`): every key, kubefwd's list plus the keys its docs promised.
import { Box } from 'ink';
import { Text } from '../text.js';
import type { Theme } from '../theme.js';

const SECTIONS: [string, [string, string][]][] = [
  [
    'Navigation',
    [
      ['j / ↓', 'Move down / scroll'],
      ['k / ↑', 'Move up / scroll'],
      ['g / Home', 'Go to first'],
      ['G / End', 'Go to last'],
      ['PgDn / PgUp', 'Page down/up (also l / h, → / ←)'],
      ['Tab', 'Switch focus (services/logs)'],
    ],
  ],
  [
    'Actions',
    [
      ['Enter', 'Open detail view'],
      ['f', 'Browse namespaces/services'],
      ['x', 'Change context (browse)'],
      ['d', 'Remove selected service'],
      ['r', 'Reconnect errored services'],
      ['R', 'Reconnect selected service'],
      // Its own line: the columns stay as narrow as the longest entry.
      ['', '(closes its open connections)'],
      ['u', 'Sync selected service (re-pick pod)'],
      ['/', 'Filter (name, ns:, status:, ctx:)'],
      ['s / o', 'Cycle sort / reverse order'],
      ['Esc', 'Clear filter / Close view'],
      ['?', 'Toggle help'],
      ['q', 'Quit'],
    ],
  ],
  [
    'Browse Modal',
    [
      ['x', 'Change context'],
      ['Enter', 'Select / Forward'],
      ['Space / a', 'Mark service / mark all'],
      ['Esc', 'Go back / Close'],
    ],
  ],
  [
    'Display',
    [
      ['b', 'Toggle bandwidth columns'],
      ['c', 'Toggle compact / wide view'],
    ],
  ],
  [
    'Mouse',
    [
      ['Wheel', 'Scroll'],
      ['Click', 'Select a row / focus logs'],
      ['Shift+drag', 'Select text'],
    ],
  ],
  [
    'Detail View',
    [
      ['1-9 / y', 'Copy connect string / the first'],
      ['Tab / ← →', 'Switch tab'],
      ['h', 'Toggle HTTP requests'],
      ['r / u', 'Reconnect / sync this service'],
      ['', '(r closes its open connections)'],
      ['j/k', 'Scroll content'],
    ],
  ],
];

const KEY_WIDTH = 12;

/** The help's lines: a title per section, then its keys. */
const helpLines = (): { key?: string; text: string; title?: boolean }[] =>
  SECTIONS.flatMap(([title, keys]) => [
    { text: title, title: true },
    ...keys.map(([key, text]) => ({ key, text })),
  ]);

/** How the help is laid out at a size: columns that fit, else one that scrolls (and how far). */
const helpLayout = (width: number, height: number) => {
  const lines = helpLines();
  const perColumn = Math.max(1, height - 4);
  const columnWidth = KEY_WIDTH + Math.max(...lines.map((l) => l.text.length)) + 3;
  const fitting = Math.max(1, Math.floor((width - 4) / columnWidth));
  const scrolls = Math.ceil(lines.length / perColumn) > fitting;
  return { lines, perColumn, scrolls, maxScroll: scrolls ? Math.max(0, lines.length - perColumn) : 0 };
};

/** How far the help can scroll at this size (the key handler stops there). */
export const helpMaxScroll = (width: number, height: number): number => helpLayout(width, height).maxScroll;

export const Help = ({
  theme,
  width,
  height,
  scroll = 0,
}: {
  theme: Theme;
  width: number;
  height: number;
  /** Lines scrolled down, used when the overlay does not fit (j/k). */
  scroll?: number;
}) => {
  // As many columns as the terminal is wide and the list needs; when even those do not hold it
  // (80x24), one column that scrolls, never text cut off.
  const { lines, perColumn, scrolls, maxScroll } = helpLayout(width, height);
  const top = Math.min(scroll, maxScroll);
  const shown = scrolls ? lines.slice(top, top + perColumn) : lines;
  const columns: (typeof lines)[] = [];
  for (let i = 0; i < shown.length; i += perColumn) columns.push(shown.slice(i, i + perColumn));
  return (
    <Box
      flexDirection="column"
      borderStyle="round"
      borderColor={theme.focus}
      width={width}
      height={height}
      paddingX={1}
    >
      <Text bold color={theme.title}>
        Keyboard Shortcuts{' '}
        <Text color={theme.muted}>
          ({scrolls ? `j/k scroll, ${top + 1}-${top + shown.length} of ${lines.length}; ` : ''}? / q / Esc to
          close)
        </Text>
      </Text>
      <Box flexDirection="row">
        {columns.map((col, ci) => (
          <Box key={ci} flexDirection="column" marginRight={3}>
            {col.map((l, i) =>
              l.title ? (
                <Text key={i} bold color={theme.accent}>
                  {l.text}
                </Text>
              ) : (
                <Text key={i} wrap="truncate">
                  <Text color={theme.warn}>{(l.key ?? '').padEnd(KEY_WIDTH)}</Text>
                  {l.text}
                </Text>
              ),
            )}
          </Box>
        ))}
      </Box>
    </Box>
  );
};
