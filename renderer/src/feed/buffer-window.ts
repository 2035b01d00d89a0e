import type { ReadAheadPolicy } from '../../../core/shared/read-ahead-policy.js';
import { removeFrom } from './source-buffer-ops.ts';
import { rangesOf, removableSpans } from './timeline.ts';

/**
 * How much media the feed keeps around the play head: the policy's read-ahead (lowered each time the
 * browser's buffer fills, so its limit is respected from then on) and its stretch behind for small
 * seeks back. Memory stays flat however long the video.
 */
export class BufferWindow {
  private aheadLimit: number;
  private readonly keepBehind: number;
  /** Times the browser refused an append for lack of room. */
  quotaEvictions = 0;

  constructor(policy: Pick<ReadAheadPolicy, 'aheadSeconds' | 'behindSeconds'>) {
    this.aheadLimit = policy.aheadSeconds;
    this.keepBehind = policy.behindSeconds;
  }

  /** Seconds of media to fetch and append ahead of the play head. */
  get ahead(): number {
    return this.aheadLimit;
  }

  /** After a QuotaExceededError: read ahead half as far, but never under 6 s. */
  shrink(): void {
    this.quotaEvictions++;
    this.aheadLimit = Math.max(6, this.aheadLimit / 2);
  }

  /**
   * Removes media outside [t - behind, t + ahead + slack]; `hard` keeps only a few seconds behind.
   * Says whether anything was removed.
   */
  async trim(buffer: SourceBuffer, time: number, hard: boolean): Promise<boolean> {
    const behind = hard ? 2 : this.keepBehind;
    const keepTo = time + this.aheadLimit + (hard ? 4 : 30);
    const spans = removableSpans(rangesOf(buffer.buffered), time - behind, keepTo, hard ? 0.01 : 5);
    if (spans.length === 0) return false;
    for (const [start, end] of spans) await removeFrom(buffer, start, end);
    return true;
  }
}
