import type { Transport } from '../net/transport.js';
import type { Logger } from '../util/logger.js';
import { errorMessage } from '../util/errors.js';
import type { ChildRegistry } from './child-registry.js';

/** Long enough for a far child on a loaded link, short enough that it is listed soon after joining. */
const DIAL_BACK_TIMEOUT_MS = 2_000;

/**
 * A master's check that a registering child is where it says: a `ping` to the address it gave,
 * over CURVE to the key it registered with, which must answer with the child's own name. Until it does the child is registered (it plays
 * through its master) but never named as a holder nor suggested as a place to register, so a peer
 * cannot send a subtree's requests to an address it does not serve (its own fakes, or a victim's).
 * A child behind a NAT stays unlisted: it plays but does not serve. One ping per registration at a
 * new address; the number in flight is bounded by the children a master takes.
 */
export class DialBack {
  /** Children found unreachable since start (shown in `stats` under limitHits). */
  unreachable = 0;

  constructor(
    private readonly transport: Transport,
    private readonly registry: ChildRegistry,
    private readonly logger: Logger,
    private readonly timeoutMs = DIAL_BACK_TIMEOUT_MS,
  ) {}

  /** Checks a child just registered, unless the master already knows the answer for that address. */
  check(name: string): void {
    const child = this.registry.child(name);
    if (child === undefined || child.reachable !== undefined) return;
    const { address } = child;
    // To the key that registered the name, not only to the address: only that node can answer, so a
    // child cannot be listed at an address another node serves.
    void this.answersAs(name, `${address}#${child.nodeId}`).then((reachable) => {
      this.registry.setReachable(name, address, reachable);
      if (reachable) return;
      this.unreachable += 1;
      this.logger.info(
        { child: name, address },
        'a child did not answer at the address it registered with; it plays through this node but is not listed as a holder',
      );
    });
  }

  private async answersAs(name: string, address: string): Promise<boolean> {
    try {
      const { reply } = await this.transport.request(
        address,
        { type: 'ping' },
        { timeoutMs: this.timeoutMs },
      );
      return reply.name === name;
    } catch (error) {
      this.logger.debug({ child: name, address, error: errorMessage(error) }, 'dial-back failed');
      return false;
    }
  }
}
