// Server-side apply (`kubectl apply --server-side`: PATCH with application/apply-patch+yaml): the
// object is created when absent, else the applied configuration is merged into it and the fields
// this field manager applied last time but left out now are removed. A simplification of the API
// server's field ownership: lists are replaced whole (as by a merge patch), and another manager's
// fields are never a conflict.
import { isObj, mergePatch } from './patch.js';
import { nameMismatch, parseYaml } from './requests.js';
import { ApiError } from './status.js';
import type { KObj } from './store.js';

export const APPLY_PATCH_MEDIA_TYPE = 'application/apply-patch+yaml';

/** The fields of `previous` that `config` no longer has, as a merge patch that removes them (null). */
export const removedFields = (previous: unknown, config: unknown): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  if (!isObj(previous) || !isObj(config)) return out;
  for (const [k, v] of Object.entries(previous)) {
    if (!(k in config)) out[k] = null;
    else if (isObj(v) && isObj(config[k])) {
      const nested = removedFields(v, config[k]);
      if (Object.keys(nested).length > 0) out[k] = nested;
    }
  }
  return out;
};

/** The applied configuration in a request body: a whole object naming itself. */
export const readAppliedConfig = (body: Buffer, name: string, kind: string): KObj => {
  const config = parseYaml(body);
  if (!isObj(config) || typeof config.apiVersion !== 'string' || config.kind !== kind)
    throw new ApiError(
      400,
      'BadRequest',
      `an applied configuration must be a whole ${kind} with apiVersion and kind`,
    );
  const meta = config.metadata as { name?: unknown } | undefined;
  if (meta?.name !== name) throw nameMismatch(String(meta?.name), name);
  return config as unknown as KObj;
};

/** What each field manager applied last, per object (by uid). */
export class AppliedConfigs {
  private readonly last = new Map<string, KObj>();

  /** `existing` with `config` applied by `manager`. */
  merge(existing: KObj, config: KObj, manager: string): KObj {
    const previous = this.last.get(`${existing.metadata.uid ?? ''}/${manager}`);
    return mergePatch(existing, mergePatch(removedFields(previous, config), config)) as KObj;
  }

  remember(stored: KObj, config: KObj, manager: string): void {
    this.last.set(`${stored.metadata.uid ?? ''}/${manager}`, structuredClone(config));
  }
}
