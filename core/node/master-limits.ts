/**
 * How many children a master takes, and the refusal past that: the defaults a node starts with and
 * the counts `stats` shows under limitHits.
 */
import { PeerStreamerError } from '../util/errors.js';
import type { PeerRef } from '../protocol/messages.js';

/**
 * Children a node takes when not told (--max-children): a bound on what strangers can make a master
 * keep (registrations, directory entries, dial-backs), and about what a 100 Mbit/s uplink serves at
 * 1.25 Mbit/s per child. 10,000 fake registrations were all accepted in 0.5 s before it.
 */
export const DEFAULT_MAX_CHILDREN = 64;

/**
 * The most children a full master takes when none of its children can take a newcomer: twice
 * --max-children, and at least 8 over it (so a node told to take none still takes a few orphans).
 */
export function hardMaxChildren(maxChildren: number): number {
  return Math.max(2 * maxChildren, maxChildren + 8);
}

/** Limits a master hit, counted since start (shown in `stats` under limitHits). */
export interface MasterLimitHits {
  /** Newcomers sent elsewhere (MASTER_FULL) because the node had --max-children. */
  childrenFull: number;
  /** Newcomers refused outright at twice --max-children, with nowhere to send them. */
  childrenHardCap: number;
  /** Newcomers sent elsewhere (MASTER_FULL) because their address already had its share of children. */
  childrenPerAddress: number;
}

/**
 * Travels as the wire code MASTER_FULL (see docs/PROTOCOL.md) with `tryInstead`: the newcomer
 * registers with one of those instead, and takes it as its master from then on. `why` says what is
 * full; `otherwise` what to do when no child can take the newcomer either.
 */
function fullRefusal(
  masterName: string,
  why: string,
  otherwise: string,
  places: PeerRef[],
): PeerStreamerError {
  const instead =
    places.length > 0
      ? `register with one of its children instead: ${places.map((place) => JSON.stringify(place.name)).join(', ')}.`
      : otherwise;
  return new PeerStreamerError('MASTER_FULL', `${JSON.stringify(masterName)} ${why}; ${instead}`, {
    tryInstead: places,
  });
}

/** A master with its --max-children (or twice that, with no child to send the newcomer to). */
export function masterFull(masterName: string, children: number, places: PeerRef[]): PeerStreamerError {
  return fullRefusal(
    masterName,
    `already has ${children} children, as many as it takes`,
    'and none of them can take more; register with another node, or try again later.',
    places,
  );
}

/**
 * The newcomer's address has its share of children here (see ChildrenPerAddress). The same code as
 * a full master, so a newcomer does the same: register with one of `tryInstead` (each with its own
 * share per address), or try again later.
 */
export function addressFull(
  masterName: string,
  address: string,
  children: number,
  places: PeerRef[],
): PeerStreamerError {
  return fullRefusal(
    masterName,
    `already has ${children} children from ${address}, as many as it takes from one address`,
    'register with another node, or try again when one of them has left.',
    places,
  );
}
