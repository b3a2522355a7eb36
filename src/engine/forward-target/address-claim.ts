// This process's claim on a forward's address (ListenerGateway.claim): asked once per address, so
// every port of the forward shares the answer, and released when the forward moves or stops.
import type { AddressClaim, ListenerGateway } from '../gateways.js';

export class AddressClaimHolder {
  private claim: { ip: string; result: Promise<AddressClaim> } | undefined;

  constructor(private readonly listener: ListenerGateway) {}

  /** The claim on `ip` (held at once when the gateway does not claim addresses). */
  claimFor(ip: string): Promise<AddressClaim> {
    if (this.claim?.ip !== ip)
      this.claim = {
        ip,
        result:
          this.listener.claim?.(ip) ?? Promise.resolve({ held: true, release: () => Promise.resolve() }),
      };
    return this.claim.result;
  }

  async release(): Promise<void> {
    const claim = this.claim;
    this.claim = undefined;
    const result = await claim?.result;
    if (result?.held) await result.release();
  }
}
