import { describe, expect, it } from 'vitest';
import { KubefwdError } from '../../contract/errors.js';
import { formatServiceKey, parseForwardKey } from '../../domain/keys.js';
import type { TargetIdentity } from './context.js';
import { forwardRecordOf, serviceRecordOf, type TargetView } from './records.js';

// A context name with dots and slashes: the keys are built by the key module, never glued here.
const context = 'arn:aws:eks:us-east-1:123:cluster/prod.eu';
const id: TargetIdentity = {
  key: formatServiceKey({ service: 'web', namespace: 'shop', context }),
  registryKey: 'web.shop',
  name: 'web',
  namespace: 'shop',
  context,
  label: 'web.shop',
  headless: false,
  ip: '127.1.27.1',
  hostnames: ['web', 'web.shop'],
};
const view: TargetView = {
  pod: 'web-0',
  status: 'Active',
  reason: undefined,
  error: undefined,
  errorCode: undefined,
  nextRetryAt: undefined,
  reconnects: 2,
};
const plan = { port: 80, localPort: 80, targetPort: 'http', protocol: 'TCP' as const };

describe('forward target records', () => {
  it('a service record lists every planned port', () => {
    expect(serviceRecordOf(id, [plan, { ...plan, name: 'alt', localPort: 81 }]).ports).toEqual([
      { port: 80, localPort: 80, targetPort: 'http', protocol: 'TCP' },
      { name: 'alt', port: 80, localPort: 81, targetPort: 'http', protocol: 'TCP' },
    ]);
  });

  it('a forward record shows the pod port once a pod is chosen, the target port before', () => {
    const before = forwardRecordOf(id, { plan, startedAt: 't' }, { ...view, pod: undefined });
    expect(before).toMatchObject({ podName: '', podPort: 'http', status: 'Active', reconnects: 2 });
    const after = forwardRecordOf(
      id,
      { plan: { ...plan, podPort: 8080, containerName: 'c' }, startedAt: 't' },
      view,
    );
    expect(after).toMatchObject({ podName: 'web-0', podPort: '8080', containerName: 'c' });
    expect(after.key).not.toBe(before.key);
    expect(parseForwardKey(after.key)).toEqual({
      service: 'web',
      namespace: 'shop',
      context,
      forwardPod: 'web-0',
      localPort: 80,
    });
  });

  it('a port that cannot listen is in Error whatever the session does', () => {
    const listenError = new KubefwdError('PORT_IN_USE', 'address in use');
    expect(forwardRecordOf(id, { plan, startedAt: 't', listenError }, view)).toMatchObject({
      status: 'Error',
      errorCode: 'PORT_IN_USE',
      reason: 'cannot listen on 127.1.27.1:80: address in use',
    });
  });

  it('carries the reason, error and next retry of the target', () => {
    const r = forwardRecordOf(
      id,
      { plan, startedAt: 't' },
      {
        ...view,
        status: 'Waiting',
        reason: 'no ready pod',
        errorCode: 'NO_PODS',
        nextRetryAt: 'soon',
      },
    );
    expect(r).toMatchObject({
      status: 'Waiting',
      reason: 'no ready pod',
      errorCode: 'NO_PODS',
      nextRetryAt: 'soon',
    });
    expect(r).not.toHaveProperty('error');
  });
});
