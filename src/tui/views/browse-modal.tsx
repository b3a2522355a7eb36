// The browse modal (`f`; `x` opens it on contexts): contexts → namespaces → services of the
// cluster, with "Forward All Services" (a namespace watcher) and, as kubefwd's docs promised,
// multi-select (Space marks a service, `a` marks all, Enter forwards the marked ones).
import { Box } from 'ink';
import { Text } from '../text.js';
import type { KeyRoute } from '../use-keys.js';
import { useEffect, useState } from 'react';
import type { TuiBackend, TuiBrowseContext, TuiBrowseNamespace, TuiBrowseService } from '../backend.js';
import type { Theme } from '../theme.js';

export type BrowseView = 'contexts' | 'namespaces' | 'services';

export interface BrowseModalProps {
  backend: TuiBackend;
  theme: Theme;
  width: number;
  height: number;
  /** The context to browse first (the current one). */
  context: string;
  initialView?: 'contexts' | 'namespaces';
  onClose: () => void;
  notify: (message: string) => void;
  /** Where the app sends this modal's keys. */
  keys: KeyRoute;
}

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

// One component: its key handler and its rows read the same local state.
export const BrowseModal = (p: BrowseModalProps) => {
  const { backend, theme } = p;
  const [view, setView] = useState<BrowseView>(p.initialView ?? 'namespaces');
  const [context, setContext] = useState(p.context);
  const [currentContext, setCurrentContext] = useState(p.context);
  const [contexts, setContexts] = useState<TuiBrowseContext[]>([]);
  const [namespaces, setNamespaces] = useState<TuiBrowseNamespace[]>([]);
  const [namespace, setNamespace] = useState<string | undefined>(undefined);
  const [services, setServices] = useState<TuiBrowseService[]>([]);
  const [cursor, setCursor] = useState(0);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | undefined>(undefined);
  const [marked, setMarked] = useState<ReadonlySet<string>>(new Set());
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let alive = true;
    setLoading(true);
    const done = (): void => {
      if (alive) setLoading(false);
    };
    const fail =
      (what: string) =>
      (e: unknown): void => {
        if (alive) setError(`Error loading ${what}: ${errText(e)}`);
      };
    if (view === 'contexts')
      void backend
        .listContexts()
        .then((r) => {
          if (!alive) return;
          setContexts(r.contexts);
          setCurrentContext(r.current);
          setCursor(
            Math.max(
              0,
              r.contexts.findIndex((c) => c.name === context),
            ),
          );
        }, fail('contexts'))
        .finally(done);
    else if (view === 'namespaces')
      void backend
        .listNamespaces(context)
        .then((r) => {
          if (!alive) return;
          setNamespaces(r);
        }, fail('namespaces'))
        .finally(done);
    else if (namespace !== undefined)
      void backend
        .listServices(namespace, context)
        .then((r) => {
          if (!alive) return;
          setServices(r);
        }, fail('services'))
        .finally(done);
    return () => {
      alive = false;
    };
  }, [backend, view, context, namespace, reload]);

  const itemCount =
    view === 'contexts' ? contexts.length : view === 'namespaces' ? namespaces.length : services.length + 1;

  const go = (v: BrowseView): void => {
    setView(v);
    setCursor(0);
    setError(undefined);
  };

  const forwardServices = (names: string[]): void => {
    if (namespace === undefined) return;
    const ns = namespace;
    setLoading(true);
    void Promise.allSettled(
      names.map((serviceName) => backend.addService({ namespace: ns, serviceName, context })),
    )
      .then((results) => {
        const failed = results.flatMap((r, i) =>
          r.status === 'rejected' ? [`${names[i]}: ${errText(r.reason)}`] : [],
        );
        const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
        if (ok.length === 1)
          p.notify(
            `Forwarded service ${names[results.findIndex((r) => r.status === 'fulfilled')]} (${ok[0]!.localIP})`,
          );
        else if (ok.length > 1) p.notify(`Forwarded ${ok.length} services from ${ns}`);
        if (failed.length > 0) setError(`Error forwarding service: ${failed.join('; ')}`);
        setMarked(new Set());
        setReload((n) => n + 1);
      })
      .finally(() => setLoading(false));
  };

  // Keys come through the app's router (see DetailView).
  p.keys.current = (input, key) => {
    if (loading) {
      if (key.escape || input === 'q') p.onClose();
      return;
    }
    if (error) setError(undefined); // any key clears a shown error
    if (input === 'q') return p.onClose();
    if (key.escape || (key.leftArrow && view !== 'namespaces')) {
      if (view === 'namespaces') return p.onClose();
      return go('namespaces');
    }
    if (view === 'namespaces' && input === 'f') return p.onClose();
    if (input === 'j' || key.downArrow) return setCursor((c) => Math.min(Math.max(0, itemCount - 1), c + 1));
    if (input === 'k' || key.upArrow) return setCursor((c) => Math.max(0, c - 1));
    if (input === 'g' || key.home) return setCursor(0);
    if (input === 'G' || key.end) return setCursor(Math.max(0, itemCount - 1));
    if (input === 'x' && view !== 'contexts') return go('contexts');
    if (view === 'services' && input === ' ') {
      const s = services[cursor - 1];
      if (!s || s.forwarded) return;
      const next = new Set(marked);
      if (next.has(s.name)) next.delete(s.name);
      else next.add(s.name);
      return setMarked(next);
    }
    if (view === 'services' && input === 'a') {
      const all = services.filter((s) => !s.forwarded).map((s) => s.name);
      return setMarked(marked.size === all.length ? new Set() : new Set(all));
    }
    if (!key.return) return;
    if (view === 'contexts') {
      const c = contexts[cursor];
      if (!c) return;
      setContext(c.name);
      return go('namespaces');
    }
    if (view === 'namespaces') {
      const n = namespaces[cursor];
      if (!n) return;
      setNamespace(n.name);
      setServices([]);
      setMarked(new Set());
      return go('services');
    }
    if (namespace === undefined) return;
    if (marked.size > 0) return forwardServices([...marked]);
    if (cursor === 0) {
      const ns = namespace;
      setLoading(true);
      void backend
        .addNamespace({ namespace: ns, context })
        .then(
          () => {
            p.notify(`Forwarding all services of namespace ${ns} (${context})`);
            p.onClose();
          },
          (e: unknown) => setError(`Error forwarding namespace: ${errText(e)}`),
        )
        .finally(() => setLoading(false));
      return;
    }
    const s = services[cursor - 1];
    if (!s) return;
    if (s.forwarded) return setError(`${s.name} is already forwarded`);
    forwardServices([s.name]);
  };

  const title =
    view === 'contexts'
      ? 'Select Context'
      : view === 'namespaces'
        ? 'Browse Namespaces'
        : `Services in ${namespace ?? ''}`;
  const subtitle =
    view === 'contexts'
      ? `Current: ${currentContext}`
      : `Context: ${context}${view === 'namespaces' ? ' [x: change]' : ''}`;
  const footer =
    view === 'contexts'
      ? 'j/k: navigate | enter: select | esc: back'
      : view === 'namespaces'
        ? 'j/k: navigate | enter: browse services | x: change context | esc: close'
        : 'j/k: navigate | space: mark | a: mark all | enter: forward | esc: back';

  const items: { text: string; tag?: string }[] =
    view === 'contexts'
      ? contexts.map((c) => ({ text: c.name, ...(c.name === currentContext ? { tag: ' (current)' } : {}) }))
      : view === 'namespaces'
        ? namespaces.map((n) => ({ text: n.name, ...(n.forwarded ? { tag: ' [forwarded]' } : {}) }))
        : [
            { text: 'Forward All Services' },
            ...services.map((s) => ({
              text: `${marked.has(s.name) ? '[x] ' : ''}${s.name} (${s.type}) [${s.ports.join(',')}]`,
              ...(s.forwarded ? { tag: ' [forwarded]' } : {}),
            })),
          ];

  const listHeight = Math.max(1, p.height - 7);
  const first = Math.min(Math.max(0, cursor - listHeight + 1), Math.max(0, items.length - listHeight));
  const width = Math.min(80, Math.max(40, p.width - 10));

  return (
    <Box
      flexDirection="column"
      borderStyle="round"
      borderColor={theme.focus}
      width={width}
      height={p.height}
      paddingX={1}
    >
      <Text bold color={theme.title}>
        {title}
      </Text>
      <Text color={theme.muted}>{subtitle}</Text>
      <Box flexDirection="column" height={listHeight}>
        {loading ? (
          <Text color={theme.muted}>Loading...</Text>
        ) : items.length === 0 ? (
          <Text color={theme.muted}>(none)</Text>
        ) : (
          items.slice(first, first + listHeight).map((it, i) => {
            const idx = first + i;
            return (
              <Text
                key={idx}
                wrap="truncate"
                color={idx === cursor ? theme.accent : undefined}
                bold={idx === cursor}
              >
                {idx === cursor ? '> ' : '  '}
                {it.text}
                {it.tag ? <Text color={theme.ok}>{it.tag}</Text> : null}
                {view === 'services' && idx === 0 ? <Text color={theme.muted}> ─────</Text> : null}
              </Text>
            );
          })
        )}
      </Box>
      {error ? (
        <Text color={theme.error} wrap="truncate">
          {error}
        </Text>
      ) : (
        <Text> </Text>
      )}
      <Text color={theme.muted} wrap="truncate">
        {footer}
      </Text>
    </Box>
  );
};
