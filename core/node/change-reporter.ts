import { errorMessage } from '../util/errors.js';
import { countIndexes } from '../protocol/inventory.js';
import { Batcher } from '../util/timers-with-work.js';
import type { LinkContext, Upstream } from './master-link-context.js';
import { remoteCodeOf } from './master-refusals.js';
import { liveViewerFields, roomFields } from './master-link-options.js';
import { PendingChanges, toInventory, type ChangeSet } from './pending-changes.js';
import { withDigests } from './inventory.js';
import {
  MAX_REQUEST_INVENTORY_INDEXES,
  MAX_REQUEST_INVENTORY_VIDEOS,
  MAX_SUSPECTS,
} from '../protocol/limits.js';

/**
 * A child's reports of chunks stored and evicted: listens to the store, keeps the changes not yet
 * sent (PendingChanges) and sends them to the master in use in batches. A register carries the
 * whole inventory, so it takes the changes queued so far, and puts them back when it fails.
 */
export class ChangeReporter {
  private readonly pending = new PendingChanges();
  /** Siblings banned since the last report, to name in the next (see SuspectChecks at the master). */
  private readonly suspects = new Set<string>();
  /** Sends queued changes a batch window after the first, so a burst of chunks is one report. */
  private readonly batcher: Batcher;
  private readonly onAdded = (key: { video: string; index: number }): void => this.queue(key, true);
  private readonly onRemoved = (key: { video: string; index: number }): void => this.queue(key, false);

  constructor(private readonly link: LinkContext) {
    const { options, clock } = link;
    const logFailure = (error: unknown): void =>
      options.logger.error({ error: errorMessage(error) }, 'master link task failed');
    this.batcher = new Batcher(clock, options.reportBatchMs ?? 200, () => this.flush(), logFailure);
  }

  start(): void {
    this.link.options.store.on('chunk-added', this.onAdded);
    this.link.options.store.on('chunk-removed', this.onRemoved);
  }

  stop(): void {
    this.batcher.stop();
    this.link.options.store.off('chunk-added', this.onAdded);
    this.link.options.store.off('chunk-removed', this.onRemoved);
  }

  /** The changes so far, leaving none: a register about to read the whole inventory covers them. */
  takeForRegister(): ChangeSet {
    return this.pending.take();
  }

  /** Changes a register took and did not deliver: the current master (if any) still needs them. */
  putBack(covered: ChangeSet): void {
    this.pending.putBack(covered);
  }

  /**
   * The part of the inventory a register could not carry: queued as added under any change since
   * the register read the store (those are newer), for the reports that follow it.
   */
  followRegister(rest: Map<string, Set<number>>): void {
    if (rest.size > 0) this.pending.putBack({ added: rest, removed: new Map() });
  }

  /** Sends what came in while a register was on the wire, to the master it reached. */
  sendLeftovers(): void {
    if (!this.pending.empty) this.batcher.ask();
  }

  /**
   * A video's manifest was replaced with its chunks kept (re-signed: the same bytes under a new
   * signature, so a new digest and no store events): every chunk held of it goes in the next report
   * again, under the new digest, and the master lists them anew.
   */
  resend(video: string): void {
    const held = this.link.options.store.heldChunks(video);
    for (const { index } of held) this.pending.add(video, index, true);
    if (held.length > 0) this.batcher.ask();
  }

  /** A sibling this node banned for bad bytes or silence: named to the master in the next report. */
  suspect(name: string): void {
    if (name === this.link.options.self.name || this.suspects.size >= MAX_SUSPECTS) return;
    this.suspects.add(name);
    this.batcher.ask();
  }

  private queue(key: { video: string; index: number }, added: boolean): void {
    this.pending.add(key.video, key.index, added);
    this.batcher.ask();
  }

  /**
   * Sends the queued changes, in reports that each fit a request. A backlog larger than one report
   * (the inventory a register could not carry) goes out one report after another; changes that come
   * in meanwhile wait for the next batch window, as ever.
   */
  private async flush(): Promise<void> {
    const upstream = this.link.upstream();
    if (!upstream) return;
    let first = true;
    // Later batches only while the same master answers: a failed one is repaired by a register.
    while (this.link.upstream() === upstream && (!this.pending.empty || (first && this.suspects.size > 0))) {
      if ((await this.send(upstream, first)) !== 'full') break;
      first = false;
    }
  }

  /** One report: `full` when it carried a whole budget (more may be waiting), `failed` when unanswered. */
  private async send(upstream: Upstream, withSuspects: boolean): Promise<'full' | 'sent' | 'failed'> {
    const changes = this.pending.takeBatch(MAX_REQUEST_INVENTORY_INDEXES, MAX_REQUEST_INVENTORY_VIDEOS);
    // Digests read with the changes: a manifest replaced since takes its chunks with it, in
    // removals queued behind these.
    const { digestOf } = this.link.options;
    const added = withDigests(toInventory(changes.added), digestOf);
    const removed = withDigests(toInventory(changes.removed), digestOf);
    // Best effort: a report that is lost loses its suspects too; the next ban names them again.
    const suspects = withSuspects ? [...this.suspects] : [];
    if (withSuspects) this.suspects.clear();
    if (added.length === 0 && removed.length === 0 && suspects.length === 0) return 'sent';
    const full =
      countIndexes(added) + countIndexes(removed) === MAX_REQUEST_INVENTORY_INDEXES ||
      Math.max(added.length, removed.length) === MAX_REQUEST_INVENTORY_VIDEOS;
    const { options } = this.link;
    try {
      const sentAt = this.link.clock.now();
      const { reply } = await options.transport.request(
        upstream.address,
        {
          type: 'report',
          name: options.self.name,
          nodeId: options.nodeId,
          added,
          removed,
          ...roomFields(options),
          ...liveViewerFields(options),
          ...(suspects.length > 0 ? { suspects } : {}),
        },
        { timeoutMs: this.link.requestTimeoutMs },
      );
      this.link.answered(upstream, reply.path, sentAt);
      if (reply.liveStreams !== undefined) options.onLiveStreams?.(upstream, reply.liveStreams);
      return full ? 'full' : 'sent';
    } catch (error) {
      options.logger.debug({ error: errorMessage(error) }, 'report failed');
      if (remoteCodeOf(error) === 'NOT_REGISTERED') {
        // The register sends the whole inventory, so these changes are in it.
        await this.link.attach(upstream.address, upstream.isSupermaster).catch(() => undefined);
      } else if (remoteCodeOf(error) === 'OVERLOADED') {
        // Past the master's bytes per second for this connection (a large backlog after a register):
        // the same changes go again in the next batch window, under any newer ones.
        this.pending.putBack(changes);
        this.batcher.ask();
      }
      return 'failed';
    }
  }
}
