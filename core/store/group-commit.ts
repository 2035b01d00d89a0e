/**
 * Group commit for index writes: items enqueued while the event loop works through one turn (chunk
 * files whose writes finished in the same poll phase) are committed together in one SQLite
 * transaction, just after that turn. One transaction for many rows writes each touched index page
 * to the WAL once, not once per row, and costs the event loop one commit instead of many. A lone
 * item waits for nothing but the end of the current turn.
 */
export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export class GroupCommit<T, R> {
  private queue: Array<{ item: T; resolve: (value: R) => void; reject: (error: unknown) => void }> = [];
  private scheduled = false;

  /** `commit` gets every queued item, in order, and returns one outcome per item. */
  constructor(private readonly commit: (items: T[]) => Array<Outcome<R>>) {}

  enqueue(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.run());
      }
    });
  }

  private run(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    let outcomes: Array<Outcome<R>>;
    try {
      outcomes = this.commit(batch.map((entry) => entry.item));
    } catch (error) {
      // The transaction as a whole failed (disk full, a closed store): every item in it failed.
      for (const entry of batch) entry.reject(error);
      return;
    }
    for (const [position, entry] of batch.entries()) {
      const outcome = outcomes[position]!;
      if (outcome.ok) entry.resolve(outcome.value);
      else entry.reject(outcome.error);
    }
  }
}
