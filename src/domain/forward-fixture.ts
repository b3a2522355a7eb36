// A forward as the API lists it, for the tests of what counts and groups forwards (domain, web):
// service `name` in shop.sim, its pod `name-0`, Active, 1 B/s in and 2 B/s out.
import type { ForwardView } from '../contract/state.js';

export const forwardFixture = (name: string, over: Partial<ForwardView> = {}): ForwardView =>
  ({
    key: `${name}.shop.sim.${name}-0.80`,
    serviceKey: `${name}.shop.sim`,
    registryKey: `${name}.shop.sim`,
    serviceName: name,
    namespace: 'shop',
    context: 'sim',
    headless: false,
    podName: `${name}-0`,
    localIP: '127.1.27.1',
    localPort: '80',
    podPort: '80',
    hostnames: [name],
    status: 'Active',
    rateIn: 1,
    rateOut: 2,
    reconnects: 0,
    ...over,
  }) as ForwardView;
