// The cluster, as the TUI's browse: contexts → namespaces → services; start or stop forwarding a
// whole namespace or a single service.
import type { JSX } from 'preact';
import { useState, type MutableRef } from 'preact/hooks';
import type { K8sContextsResponse, K8sNamespacesResponse, K8sServicesResponse } from '../contract/api-k8s.js';
import { formatServiceKey } from '../domain/keys.js';
import { call, enc } from './api.js';
import type { KeyAction } from './keyboard.js';
import { ProblemBox } from './problem.js';
import { useLoad } from './use-load.js';

export interface BrowseActions {
  addNamespace(namespace: string, context: string): Promise<void>;
  removeNamespace(key: string): Promise<void>;
  addService(namespace: string, serviceName: string, context: string): Promise<void>;
  removeService(serviceKey: string): Promise<void>;
}

export interface BrowseViewProps {
  actions: BrowseActions;
  /** Where App sends this page's keys (a marks every service not forwarded yet). */
  keys: MutableRef<((a: KeyAction) => boolean) | undefined>;
  /** Changes when namespaces come or go or the forwards' count changes, so "forwarded" marks stay true. */
  trigger: string;
}

// Long for its markup: contexts, namespaces and services as three nested lists, each with its own actions.
export const BrowseView = ({ actions, trigger, keys }: BrowseViewProps): JSX.Element => {
  const contexts = useLoad(
    () => call<K8sContextsResponse>('GET', '/api/v1/kubernetes/contexts'),
    'contexts',
    0,
  );
  const [ctxPicked, setCtx] = useState<string | undefined>(undefined);
  const context = ctxPicked ?? contexts.data?.currentContext;
  const [nsPicked, setNs] = useState<string | undefined>(undefined);
  const namespaces = useLoad(
    () =>
      context
        ? call<K8sNamespacesResponse>('GET', `/api/v1/kubernetes/namespaces?context=${enc(context)}`)
        : Promise.resolve(undefined),
    `ns:${context ?? ''}`,
    trigger,
  );
  const services = useLoad(
    () =>
      context && nsPicked
        ? call<K8sServicesResponse>(
            'GET',
            `/api/v1/kubernetes/services?namespace=${enc(nsPicked)}&context=${enc(context)}`,
          )
        : Promise.resolve(undefined),
    `svc:${context ?? ''}/${nsPicked ?? ''}`,
    trigger,
  );
  // The TUI's browse marks: several services of the namespace forwarded in one go.
  const [marks, setMarks] = useState<{ where: string; names: ReadonlySet<string> }>({
    where: '',
    names: new Set(),
  });
  const where = `${context ?? ''}/${nsPicked ?? ''}`;
  const marked = marks.where === where ? marks.names : new Set<string>();
  const open = (services.data?.services ?? []).filter((s) => !s.forwarded);
  const toggle = (name: string): void => {
    const next = new Set(marked);
    if (!next.delete(name)) next.add(name);
    setMarks({ where, names: next });
  };
  const markAll = (): void =>
    setMarks({
      where,
      names: marked.size === open.length ? new Set() : new Set(open.map((s) => s.name)),
    });
  const forwardMarked = async (): Promise<void> => {
    const picked = open.filter((s) => marked.has(s.name));
    setMarks({ where, names: new Set() });
    for (const s of picked) await actions.addService(s.namespace, s.name, s.context);
  };
  keys.current = (a: KeyAction): boolean => {
    if (a.kind !== 'markAll') return false;
    markAll();
    return true;
  };
  return (
    <section class="browse">
      <p>
        <a href="#/">← All forwards</a>
      </p>
      <h2>Add from the cluster</h2>
      <ProblemBox problem={contexts.problem} />
      <label>
        Context{' '}
        <select
          value={context}
          onChange={(e) => {
            setCtx(e.currentTarget.value);
            setNs(undefined);
          }}
          aria-label="Context"
          id="browse-context"
        >
          {(contexts.data?.contexts ?? []).map((c) => (
            <option value={c.name}>{c.name}</option>
          ))}
        </select>
      </label>
      <div class="columns">
        <section class="panel">
          <h3>Namespaces</h3>
          <ProblemBox problem={namespaces.problem} />
          <ul class="pick" id="namespaces">
            {(namespaces.data?.namespaces ?? []).map((n) => (
              <li key={n.name} data-namespace={n.name} class={n.name === nsPicked ? 'picked' : undefined}>
                <button type="button" class="link" onClick={() => setNs(n.name)}>
                  {n.name}
                </button>
                {n.forwarded ? (
                  <button
                    type="button"
                    class="small danger"
                    onClick={() => void actions.removeNamespace(`${n.name}.${context ?? ''}`)}
                  >
                    Stop
                  </button>
                ) : (
                  <button
                    type="button"
                    class="small"
                    onClick={() => void actions.addNamespace(n.name, context ?? '')}
                  >
                    Forward all
                  </button>
                )}
              </li>
            ))}
          </ul>
        </section>
        <section class="panel">
          <h3>
            Services {nsPicked && <span class="sub">in {nsPicked}</span>}
            {open.length > 0 && (
              <span class="marks">
                <button type="button" class="small" onClick={markAll} id="mark-all" title="Mark all (a)">
                  {marked.size === open.length ? 'Unmark all' : 'Mark all'}
                </button>
                <button
                  type="button"
                  class="small"
                  disabled={marked.size === 0}
                  onClick={() => void forwardMarked()}
                  id="forward-marked"
                >
                  Forward {marked.size} marked
                </button>
              </span>
            )}
          </h3>
          <ProblemBox problem={services.problem} />
          {!nsPicked && <p class="empty">Pick a namespace to see its services.</p>}
          <ul class="pick" id="services">
            {(services.data?.services ?? []).map((s) => (
              <li key={s.name} data-service={s.name}>
                <label>
                  {!s.forwarded && (
                    <input
                      type="checkbox"
                      checked={marked.has(s.name)}
                      onChange={() => toggle(s.name)}
                      aria-label={`Mark ${s.name}`}
                    />
                  )}{' '}
                  {s.name}{' '}
                  <span class="sub">
                    {s.type} {s.ports.map((p) => p.port).join(', ')}
                  </span>
                </label>
                {s.forwarded ? (
                  <button
                    type="button"
                    class="small danger"
                    onClick={() =>
                      void actions.removeService(
                        s.forwardKey ??
                          formatServiceKey({ service: s.name, namespace: s.namespace, context: s.context }),
                      )
                    }
                  >
                    Stop
                  </button>
                ) : (
                  <button
                    type="button"
                    class="small"
                    onClick={() => void actions.addService(s.namespace, s.name, s.context)}
                  >
                    Forward
                  </button>
                )}
              </li>
            ))}
          </ul>
        </section>
      </div>
    </section>
  );
};
