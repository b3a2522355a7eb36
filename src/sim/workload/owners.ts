// Owner references: which controller a pod or ReplicaSet belongs to, and the reference a
// controller puts on what it creates.
import type { KObj } from '../api/store.js';

export interface Owner {
  kind: string;
  name: string;
  uid: string;
  apiVersion: string;
  controller: boolean;
  blockOwnerDeletion: boolean;
}

export const controllerOf = (o: KObj): Owner | undefined =>
  ((o.metadata.ownerReferences as Owner[] | undefined) ?? []).find((r) => r.controller);

export const ownerRef = (o: KObj): Owner => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  name: o.metadata.name,
  uid: o.metadata.uid ?? '',
  controller: true,
  blockOwnerDeletion: true,
});

/** Whether `o` is controlled by `owner`. */
export const ownedBy = (o: KObj, owner: KObj): boolean => controllerOf(o)?.uid === owner.metadata.uid;

/** The timestamps the API server writes (whole seconds). */
export const timestamp = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
