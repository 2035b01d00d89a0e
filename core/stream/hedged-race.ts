import type { Clock, Timer } from '../util/clock.js';

/**
 * One time budget per chunk. Holders are asked one after another; if none has answered by
 * `hedgeMs`, the master is asked too, in parallel, and the first good answer wins. Before, each
 * silent holder cost a full peer timeout in turn: three of them held a viewer 4.5 s before the
 * master was asked at all.
 *
 * The loser's request is left to finish (nothing on the wire would stop its sender anyway): how it
 * ends, a late answer or a timeout, is what tells a slow holder from a dead or lying one. No holder
 * is asked after the race is won; the caller's signal calls everything off until then.
 *
 * `askHolder` resolves null when that holder failed (the next is tried); `askMaster` resolves with
 * the chunk or rejects, and its rejection is the race's when no holder succeeds either.
 */
export async function hedgedRace<T, H>(
  holders: readonly H[],
  askHolder: (holder: H, signal: AbortSignal) => Promise<T | null>,
  askMaster: (signal: AbortSignal) => Promise<T>,
  options: {
    hedgeMs: number;
    clock: Clock;
    signal?: AbortSignal;
    /** The holder still being asked when the master's answer won: slower than the master. */
    onOvertaken?: (holder: H) => void;
  },
): Promise<T> {
  const { clock, signal } = options;
  signal?.throwIfAborted();
  const race = new AbortController();
  const callOff = (): void => race.abort(signal?.reason);
  signal?.addEventListener('abort', callOff, { once: true });
  let settled = false;
  let master: Promise<T> | undefined;
  let hedge: Timer | undefined;
  /** The holder being asked right now, if any. */
  let asking: H | undefined;
  let masterWon = false;
  try {
    return await new Promise<T>((resolve, reject) => {
      let holdersFailed = false;
      let masterFailed: { error: unknown } | undefined;
      race.signal.addEventListener('abort', () => reject(race.signal.reason), { once: true });
      const askMasterToo = (): void => {
        if (master !== undefined || settled || race.signal.aborted) return;
        master = askMaster(race.signal);
        master.then(
          (result) => {
            masterWon = true;
            resolve(result);
          },
          (error: unknown) => {
            masterFailed = { error };
            if (holdersFailed) reject(error);
          },
        );
      };
      const fromHolders = async (): Promise<T | null> => {
        for (const holder of holders) {
          if (settled || race.signal.aborted) return null;
          asking = holder;
          const result = await askHolder(holder, race.signal);
          asking = undefined;
          if (result !== null) return result;
        }
        return null;
      };
      fromHolders().then((result) => {
        if (result !== null) return resolve(result);
        holdersFailed = true;
        if (masterFailed !== undefined) reject(masterFailed.error);
        else askMasterToo();
      }, reject);
      // Once the hedge fires the master is in the race too: its answer may come first.
      if (holders.length === 0) askMasterToo();
      else hedge = clock.after(options.hedgeMs, askMasterToo);
    });
  } finally {
    settled = true;
    hedge?.cancel();
    // What is left of the race ends by its own timeouts: a listener kept on the caller's signal
    // (a whole play session's) would be one more for every chunk.
    signal?.removeEventListener('abort', callOff);
    void master?.catch(() => undefined);
    if (masterWon && asking !== undefined) options.onOvertaken?.(asking);
  }
}
