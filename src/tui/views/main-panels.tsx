// The main screen's two panels: the services table (its title with position and toggles, the
// window of rows, the filter line) and the logs panel under it.
import type { ReactNode } from 'react';
import type { TuiLogLine } from '../backend.js';
import type { Column } from '../columns.js';
import type { Layout } from '../layout.js';
import type { Row } from '../rows.js';
import { Text } from '../text.js';
import type { Theme } from '../theme.js';
import type { ViewState } from '../view-state.js';
import { LogsPanel } from './logs-panel.js';
import { ServicesTable } from './services-table.js';

export interface MainPanelsProps {
  view: ViewState;
  layout: Layout;
  theme: Theme;
  /** All rows after filter and sort; the window of them starting at `offset` is drawn. */
  rows: readonly Row[];
  offset: number;
  selected: number;
  totalForwards: number;
  columns: readonly Column[];
  now: number;
  trend: (forwardKey: string) => readonly number[];
  logs: readonly TuiLogLine[];
}

const PanelTitle = ({
  theme,
  focused,
  children,
}: {
  theme: Theme;
  focused: boolean;
  children: ReactNode;
}) => (
  <Text bold wrap="truncate">
    <Text color={theme.focus}>{focused ? '▌' : ' '}</Text>
    {children}
  </Text>
);

export const MainPanels = (p: MainPanelsProps) => {
  const { view, layout, theme, rows } = p;
  const activeFilter = view.mode === 'filter' ? view.draft : view.filter;
  const emptyText =
    p.totalForwards === 0
      ? 'Waiting for services to be discovered... (f: browse namespaces)'
      : `No forwards match the filter "${activeFilter}"`;
  return (
    <>
      <PanelTitle theme={theme} focused={view.focus === 'services'}>
        Services{' '}
        <Text color={theme.muted}>
          {rows.length === 0 ? '0' : `${p.selected + 1}/${rows.length}`}
          {rows.length !== p.totalForwards ? ` (of ${p.totalForwards})` : ''}
          {view.compact ? '' : ' · wide'}
          {view.bandwidth ? '' : ' · no bandwidth'}
        </Text>
      </PanelTitle>
      <ServicesTable
        rows={rows.slice(p.offset, p.offset + layout.page)}
        columns={p.columns}
        selected={p.selected - p.offset}
        page={layout.page}
        width={layout.width}
        focused={view.focus === 'services'}
        theme={theme}
        now={p.now}
        trend={p.trend}
        emptyText={emptyText}
      />
      {view.mode === 'filter' || view.filter !== '' ? (
        <Text wrap="truncate">
          {' '}
          Filter: {activeFilter}
          {view.mode === 'filter' ? '█' : <Text color={theme.muted}> (press Esc to clear)</Text>}
        </Text>
      ) : null}
      <PanelTitle theme={theme} focused={view.focus === 'logs'}>
        Logs
      </PanelTitle>
      <LogsPanel
        lines={p.logs}
        scrollBack={view.logBack}
        height={layout.logLines}
        width={layout.width}
        theme={theme}
      />
    </>
  );
};
