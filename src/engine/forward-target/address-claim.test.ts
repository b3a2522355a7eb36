import { describe, expect, it } from 'vitest';
import type { AddressClaim, ListenerGateway } from '../gateways.js';
import { AddressClaimHolder } from './address-claim.js';

describe('AddressClaimHolder', () => {
  it('lets a settled claim go in the same turn, before the address can be handed to another forward', async () => {
    const released: string[] = [];
    const gateway: ListenerGateway = {
      listen: () => Promise.reject(new Error('not used')),
      claim: (ip): Promise<AddressClaim> =>
        Promise.resolve({
          held: true,
          release: () => {
            released.push(ip);
            return Promise.resolve();
          },
        }),
    };
    const holder = new AddressClaimHolder(gateway);
    expect((await holder.claimFor('127.9.9.1')).held).toBe(true);
    const done = holder.release();
    expect(released).toEqual(['127.9.9.1']);
    await done;
    // Released once: a second release has nothing left to let go.
    await holder.release();
    expect(released).toEqual(['127.9.9.1']);
  });
});
