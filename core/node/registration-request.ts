import type { OkReplyOf } from '../protocol/messages.js';
import type { PeerStreamerError } from '../util/errors.js';
import type { ChangeReporter } from './change-reporter.js';
import { inventoryFrom, splitInventory, withDigests } from './inventory.js';
import { MAX_REQUEST_INVENTORY_INDEXES, MAX_REQUEST_INVENTORY_VIDEOS } from '../protocol/limits.js';
import type { LinkContext } from './master-link-context.js';
import { roomFields } from './master-link-options.js';
import { remoteCodeOf, retryAfterOf } from './master-refusals.js';

/** Beyond the master's figure, so timers and clocks a millisecond apart do not make the retry too early. */
const NAME_EXPIRY_MARGIN_MS = 100;

/**
 * The register request (this node, everything it holds, its capacity and room), and the one wait a
 * taken name earns: the master may still hold this node's earlier self under that name.
 */
export class RegistrationRequest {
  /**
   * Set once this node waited for a holder of its name to time out, and cleared by a registration:
   * a name still taken after that wait is another live node's, and the link gives up.
   */
  private waitedForName = false;

  constructor(
    private readonly link: LinkContext,
    private readonly reports: ChangeReporter,
    /** Stops the link for good over a name the master refused, and returns the error to throw. */
    private readonly giveUp: (address: string, error: unknown) => PeerStreamerError,
  ) {}

  /** Registers at `address`: the master's reply, or null when the link stopped meanwhile. */
  async send(address: string, isSupermaster: boolean, moveUp = false): Promise<OkReplyOf<'register'> | null> {
    const { options } = this.link;
    const { self, store, role, transport, nodeId } = options;
    // The inventory below is read now; changes queued so far are in it, and changes from here on
    // (a chunk stored while this register is on the wire) are not, so they stay queued for a report.
    const covered = this.reports.takeForRegister();
    // A register fits one request (MAX_REQUEST_BYTES): it carries the first part of the inventory,
    // and the rest follows in reports to the master it reaches, as if stored just after.
    const { first, rest } = splitInventory(
      inventoryFrom(store.heldChunks()),
      MAX_REQUEST_INVENTORY_INDEXES,
      MAX_REQUEST_INVENTORY_VIDEOS,
    );
    let reply;
    try {
      ({ reply } = await transport.request(
        address,
        {
          type: 'register',
          name: self.name,
          nodeId,
          address: self.address,
          role: role(),
          seeding: options.seeding(),
          chunks: withDigests(first, options.digestOf),
          capacity: options.capacity(),
          ...roomFields(options),
          ...(moveUp ? { moveUp } : {}),
          ...options.standing?.(),
        },
        { timeoutMs: this.link.requestTimeoutMs * 2 },
      ));
    } catch (error) {
      // Not delivered: the current master (if any) still needs those changes.
      this.reports.putBack(covered);
      // A supermaster may have a child of this name of its own; that only rules it out as a fallback
      // (and a master this node would drift up to, as a place to go: it has one already).
      if (remoteCodeOf(error) !== 'NAME_TAKEN' || isSupermaster || moveUp) throw error;
      const expiresInMs = retryAfterOf(error);
      if (expiresInMs === undefined || this.waitedForName) throw this.giveUp(address, error);
      // Perhaps this node's earlier self under another store id (a store replaced, a node killed
      // and started afresh): the master says when that registration times out unless it is alive.
      this.waitedForName = true;
      options.logger.warn(
        { master: address, retryAfterMs: expiresInMs },
        `the master at ${address} has another node under the name ${JSON.stringify(self.name)}; waiting ${expiresInMs} ms for it to time out, then trying once more`,
      );
      await this.link.pause(expiresInMs + NAME_EXPIRY_MARGIN_MS);
      if (this.link.stopped()) return null;
      return this.send(address, isSupermaster, moveUp);
    }
    if (this.link.stopped()) return null;
    if (!isSupermaster) this.waitedForName = false;
    this.reports.followRegister(rest);
    return reply;
  }
}
