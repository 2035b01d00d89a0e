/**
 * Which hashes the writes and deletions of this process have a claim on. A write holds its hash
 * from the moment it knows it until an index row references the file (or it gives up), and runs as
 * the only write of that hash once no deletion of it is under way. A deletion starts only for a
 * hash nobody holds. So a delete can never remove a file that a concurrent write just decided to
 * reuse, and no write takes a file still being written for another.
 */
export class BlobClaims {
  private readonly held = new Map<string, number>();
  private readonly deleting = new Map<string, Promise<void>>();
  /** The write of each hash under way in this process; a second store of that hash waits for it. */
  private readonly writing = new Map<string, Promise<unknown>>();

  /** Marks a hash as in use by a write that has not reached the index yet. Pair with release(). */
  hold(sha256: string): void {
    this.held.set(sha256, (this.held.get(sha256) ?? 0) + 1);
  }

  release(sha256: string): void {
    const count = (this.held.get(sha256) ?? 0) - 1;
    if (count > 0) this.held.set(sha256, count);
    else this.held.delete(sha256);
  }

  /** Whether a deletion of `sha256` may start: no write holds it and none is deleting it already. */
  mayDelete(sha256: string): boolean {
    return !this.held.has(sha256) && !this.deleting.has(sha256);
  }

  /** Records `deletion` as under way until it settles; writes of the hash wait for it meanwhile. */
  trackDeletion(sha256: string, deletion: Promise<void>): Promise<void> {
    const tracked = deletion.finally(() => this.deleting.delete(sha256));
    this.deleting.set(sha256, tracked);
    return tracked;
  }

  /**
   * Runs `write` as the only write of this hash in this process, once no deletion or other write of
   * it is under way. The caller holds the hash, so no deletion can start meanwhile.
   */
  async exclusive<T>(sha256: string, write: () => Promise<T>): Promise<T> {
    for (;;) {
      const busy = this.deleting.get(sha256) ?? this.writing.get(sha256);
      if (busy === undefined) break;
      await busy.then(
        () => undefined,
        () => undefined,
      );
    }
    const work = write();
    const entry = work.finally(() => this.writing.delete(sha256));
    entry.catch(() => undefined);
    this.writing.set(sha256, entry);
    return work;
  }

  /** Resolves once every deletion started so far has finished. */
  async idle(): Promise<void> {
    while (this.deleting.size > 0) await Promise.allSettled([...this.deleting.values()]);
  }
}
