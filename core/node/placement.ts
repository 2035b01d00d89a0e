import type { PeerRef } from '../protocol/messages.js';
import type { LinkContext } from './master-link-context.js';
import { tryInsteadOf } from './master-refusals.js';

/**
 * Registers tried in one placement, redirects included: enough to go down a deep tree and past a
 * few unreachable suggestions, not so many that a node is stuck in a loop of full masters.
 */
const MAX_PLACEMENT_ATTEMPTS = 8;

/**
 * Registers at `address`, and when that master is full (MASTER_FULL), at one of the children it
 * suggests instead, and so on down, trying the next suggestion when one cannot be reached. Never
 * below itself: its own children and any node already tried are skipped. Resolves with the
 * suggestion that took this node (its new home), or null when `address` itself did.
 */
export async function placeFrom(
  link: LinkContext,
  address: string,
  isSupermaster: boolean,
): Promise<PeerRef | null> {
  const tried = new Set<string>([link.options.self.address]);
  let queue: PeerRef[] = [{ name: '', address }];
  let lastError: unknown;
  for (let attempt = 0; attempt < MAX_PLACEMENT_ATTEMPTS && queue.length > 0; attempt++) {
    const target = queue.shift()!;
    tried.add(target.address);
    const redirected = target.address !== address;
    try {
      await link.register(target.address, redirected ? false : isSupermaster);
      return redirected ? target : null;
    } catch (error) {
      lastError = error;
      if (link.stopped()) throw error;
      const places = tryInsteadOf(error).filter(
        (place) => !tried.has(place.address) && !link.options.isOwnChild?.(place.name),
      );
      // A full master's suggestions are one level further down: they replace this level's others.
      if (places.length > 0) queue = places;
    }
  }
  throw lastError;
}
