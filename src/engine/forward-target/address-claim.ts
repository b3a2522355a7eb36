// This process's claim on a forward's address (ListenerGateway.claim): asked once per address, so
// every port of the forward shares the answer, and released when the forward moves or stops.
import type { AddressClaim, ListenerGateway } from '../gateways.js';

export class AddressClaimHolder {
  private claim: { ip: string; result: Promise<AddressClaim>; settled?: AddressClaim } | undefined;

  constructor(private readonly listener: ListenerGateway) {}

  /** The claim on `ip` (held at once when the gateway does not claim addresses). */
  claimFor(ip: string): Promise<AddressClaim> {
    if (this.claim?.ip !== ip) {
      const claim: { ip: string; result: Promise<AddressClaim>; settled?: AddressClaim } = {
        ip,
        result:
          this.listener.claim?.(ip) ?? Promise.resolve({ held: true, release: () => Promise.resolve() }),
      };
      claim.result.then(
        (settled) => (claim.settled = settled),
        () => undefined,
      );
      this.claim = claim;
    }
    return this.claim.result;
  }

  /**
   * Lets the address go. A settled claim is let go in the caller's turn: a forward that moves gives
   * its old address back to the allocator in that same turn, and another forward given it next
   * must find the marker gone, not "another kubefwd" (this one) holding it.
   */
  async release(): Promise<void> {
    const claim = this.claim;
    this.claim = undefined;
    const result = claim?.settled ?? (await claim?.result);
    if (result?.held) await result.release();
  }
}
