// Namespaces kubefwd cannot follow (their list/watch fails): shown above every view, as their
// forwards look fine while the pods behind them may be gone.
import type { JSX } from 'preact';
import type { NamespaceView } from '../contract/state.js';
import { classifyError } from '../domain/diagnosis.js';

const clock = (iso: string | undefined): string => {
  const t = iso === undefined ? NaN : Date.parse(iso);
  return Number.isNaN(t) ? '' : ` since ${new Date(t).toLocaleTimeString()}`;
};

export const NamespaceAlerts = ({
  namespaces,
}: {
  namespaces: readonly NamespaceView[];
}): JSX.Element | null => {
  const failing = namespaces.filter((n) => n.watchError);
  if (failing.length === 0) return null;
  return (
    <div class="namespace-alerts">
      {failing.map((n) => (
        <div class="problem-box" role="alert" key={n.key} data-namespace={n.key}>
          <strong>
            kubefwd cannot follow namespace {n.namespace} ({n.context}){clock(n.watchErrorSince)}
          </strong>{' '}
          <code>{classifyError(n.watchError).code}</code>
          <div>{n.watchError}</div>
          <div class="hint">
            Its forwards stay up, but pods that come or go there are not seen until this works again; kubefwd
            retries on its own. {classifyError(n.watchError).suggestion}
          </div>
        </div>
      ))}
    </div>
  );
};
