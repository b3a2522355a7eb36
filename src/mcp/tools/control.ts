// Repair actions: reconnect and re-sync forwards.
import { SERVICE_KEY_DESCRIPTION } from '../../contract/service-key.js';
import { z } from 'zod';
import { keyField } from '../input.js';
import { defineTool } from './define.js';
import { explainNotForwarded } from './not-forwarded.js';

const ACTION = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: true,
} as const;

export const reconnectService = defineTool({
  name: 'reconnect_service',
  title: 'Reconnect a service',
  description:
    'Tear down and re-open the forwards of one service now, resetting its retry backoff. Use when the service ' +
    'is in error or waiting state, or connections through it fail (e.g. the pod restarted). Existing connections ' +
    'through it are closed. Requires the key from list_services.',
  input: z.strictObject({ key: keyField.describe(SERVICE_KEY_DESCRIPTION) }),
  output: z.object({ success: z.boolean(), service: z.string(), triggered: z.number(), message: z.string() }),
  annotations: ACTION,
  async run({ key }, api) {
    const r = await api.reconnectService(key).catch((err: unknown) => explainNotForwarded(api, key, err));
    const message = 'Reconnection triggered successfully';
    return {
      data: { success: true, service: key, triggered: r.triggered, message },
      text: `${message} for ${key}. Check get_service in a moment.`,
    };
  },
});

export const reconnectAllErrors = defineTool({
  name: 'reconnect_all_errors',
  title: 'Reconnect all failing services',
  description:
    'Reconnect every service that has a forward in error or waiting state, at once. Returns how many were ' +
    'triggered and their keys.',
  input: z.strictObject({}),
  output: z.object({
    success: z.boolean(),
    triggered: z.number(),
    services: z.array(z.string()),
    message: z.string(),
  }),
  annotations: ACTION,
  async run(_args, api) {
    const r = await api.reconnectAll();
    const message = `Reconnection triggered for ${r.triggered} services`;
    return {
      data: { success: true, triggered: r.triggered, services: r.services ?? [], message },
      text: `${message}${r.services?.length ? `: ${r.services.join(', ')}` : ''}.`,
    };
  },
});

export const syncService = defineTool({
  name: 'sync_service',
  title: 'Re-sync a service with its pods',
  description:
    'Re-read the pods behind a service and move its forward to a current ready pod. Use after deployments or ' +
    'pod restarts, or when a forward points at a pod that is gone. force skips the debounce and re-syncs now.',
  input: z.strictObject({
    key: keyField,
    force: z.boolean().optional().describe('re-sync now, skipping the debounce'),
  }),
  output: z.object({ success: z.boolean(), service: z.string(), force: z.boolean(), message: z.string() }),
  annotations: ACTION,
  async run({ key, force }, api) {
    await api
      .syncService(key, { force: force ?? false })
      .catch((err: unknown) => explainNotForwarded(api, key, err));
    const message = 'Pod sync triggered successfully';
    return {
      data: { success: true, service: key, force: force ?? false, message },
      text: `${message} for ${key}${force ? ' (forced)' : ''}.`,
    };
  },
});
