// The object store: every object of every resource, one global monotonic resourceVersion bumped on
// each write (as etcd's revision), and a bounded history of changes so watches can resume from a
// resourceVersion or learn that it is too old (410 Expired).
import { randomUUID } from 'node:crypto';

export interface KObj {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: ChangeType;
  resource: string;
  rv: number;
  object: KObj;
  /** The object before a MODIFIED/DELETED (watch filters need it to turn MODIFIED into ADDED/DELETED). */
  previous?: KObj;
}

export class StoreError extends Error {
  constructor(
    readonly code: 404 | 409,
    readonly reason: 'NotFound' | 'AlreadyExists' | 'Conflict',
    message: string,
  ) {
    super(message);
  }
}

const keyOf = (ns: string | undefined, name: string): string => `${ns ?? ''}/${name}`;

export class ObjectStore {
  private readonly byResource = new Map<string, Map<string, KObj>>();
  private readonly log: StoreEvent[] = [];
  private readonly listeners = new Set<(e: StoreEvent) => void>();
  private revision: number;
  /** Lowest RV a watch may resume from; anything older is "too old" (410). */
  private compactedAt: number;

  constructor(
    private readonly historyLimit = 5000,
    startRevision = 1000,
  ) {
    this.revision = startRevision;
    this.compactedAt = startRevision;
  }

  get resourceVersion(): number {
    return this.revision;
  }

  private table(resource: string): Map<string, KObj> {
    let t = this.byResource.get(resource);
    if (!t) {
      t = new Map();
      this.byResource.set(resource, t);
    }
    return t;
  }

  get(resource: string, ns: string | undefined, name: string): KObj | undefined {
    const o = this.table(resource).get(keyOf(ns, name));
    return o === undefined ? undefined : structuredClone(o);
  }

  list(resource: string, ns?: string): KObj[] {
    const out: KObj[] = [];
    for (const o of this.table(resource).values()) {
      if (ns === undefined || o.metadata.namespace === ns) out.push(structuredClone(o));
    }
    return out.sort((a, b) =>
      keyOf(a.metadata.namespace, a.metadata.name).localeCompare(
        keyOf(b.metadata.namespace, b.metadata.name),
      ),
    );
  }

  /**
   * The stored objects themselves, unsorted and NOT copied: for hot read-only paths (controllers,
   * admission). Callers must not mutate them or keep them across writes.
   */
  scan(resource: string, ns?: string): readonly KObj[] {
    const out: KObj[] = [];
    for (const o of this.table(resource).values())
      if (ns === undefined || o.metadata.namespace === ns) out.push(o);
    return out;
  }

  /** Stores a new object (with `dryRun`, only checks and returns what it would store, as the API server). */
  create(resource: string, obj: KObj, opts: { dryRun?: boolean } = {}): KObj {
    const t = this.table(resource);
    const k = keyOf(obj.metadata.namespace, obj.metadata.name);
    if (t.has(k)) {
      throw new StoreError(409, 'AlreadyExists', `${resource} "${obj.metadata.name}" already exists`);
    }
    const stored = structuredClone(obj);
    stored.metadata.uid = stored.metadata.uid ?? randomUUID();
    stored.metadata.creationTimestamp =
      stored.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    if (opts.dryRun) return stored;
    return this.commit(resource, 'ADDED', stored, undefined);
  }

  /** Replace an existing object (keeps uid and creationTimestamp). */
  update(resource: string, obj: KObj): KObj {
    const t = this.table(resource);
    const prev = t.get(keyOf(obj.metadata.namespace, obj.metadata.name));
    if (!prev) throw new StoreError(404, 'NotFound', `${resource} "${obj.metadata.name}" not found`);
    const stored = structuredClone(obj);
    stored.metadata.uid = prev.metadata.uid;
    stored.metadata.creationTimestamp = prev.metadata.creationTimestamp;
    return this.commit(resource, 'MODIFIED', stored, prev);
  }

  /** Read-modify-write helper; returns undefined when the object is gone. */
  mutate(resource: string, ns: string | undefined, name: string, fn: (o: KObj) => void): KObj | undefined {
    const cur = this.get(resource, ns, name);
    if (!cur) return undefined;
    const before = JSON.stringify(cur);
    fn(cur);
    if (JSON.stringify(cur) === before) return cur;
    return this.update(resource, cur);
  }

  delete(resource: string, ns: string | undefined, name: string): KObj {
    const t = this.table(resource);
    const prev = t.get(keyOf(ns, name));
    if (!prev) throw new StoreError(404, 'NotFound', `${resource} "${name}" not found`);
    return this.commit(resource, 'DELETED', structuredClone(prev), prev);
  }

  private commit(resource: string, type: ChangeType, obj: KObj, previous: KObj | undefined): KObj {
    this.revision += 1;
    obj.metadata.resourceVersion = String(this.revision);
    const t = this.table(resource);
    const k = keyOf(obj.metadata.namespace, obj.metadata.name);
    if (type === 'DELETED') t.delete(k);
    else t.set(k, obj);
    const event: StoreEvent = {
      type,
      resource,
      rv: this.revision,
      object: obj,
      ...(previous ? { previous } : {}),
    };
    this.log.push(event);
    if (this.log.length > this.historyLimit) {
      const dropped = this.log.splice(0, this.log.length - this.historyLimit);
      this.compactedAt = dropped[dropped.length - 1]!.rv;
    }
    for (const l of [...this.listeners]) l(event);
    return structuredClone(obj);
  }

  /** Changes after `rv`, or 'expired' when history no longer reaches back that far. */
  since(rv: number): StoreEvent[] | 'expired' {
    if (rv < this.compactedAt) return 'expired';
    return this.log.filter((e) => e.rv > rv);
  }

  /** Forget all history (etcd compaction): watches from any older resourceVersion get 410. */
  compact(): void {
    this.log.length = 0;
    this.compactedAt = this.revision;
  }

  subscribe(listener: (e: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
