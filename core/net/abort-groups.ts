/**
 * Items grouped by the AbortSignal that cancels them, with one abort listener per signal rather
 * than per item: a stream typically shares one signal across all its requests, and a listener each
 * would pile up (and trip Node's MaxListeners warning).
 */
export class AbortGroups<T> {
  private readonly bySignal = new Map<AbortSignal, { items: Set<T>; listener: () => void }>();

  /** `onAbort` is called for each item still watched when its signal aborts. */
  constructor(private readonly onAbort: (item: T, reason: unknown) => void) {}

  watch(item: T, signal: AbortSignal): void {
    let watched = this.bySignal.get(signal);
    if (watched === undefined) {
      const items = new Set<T>();
      const listener = (): void => {
        for (const aborted of [...items]) this.onAbort(aborted, signal.reason);
      };
      watched = { items, listener };
      this.bySignal.set(signal, watched);
      signal.addEventListener('abort', listener, { once: true });
    }
    watched.items.add(item);
  }

  unwatch(item: T, signal: AbortSignal): void {
    const watched = this.bySignal.get(signal);
    if (watched === undefined) return;
    watched.items.delete(item);
    if (watched.items.size === 0) {
      signal.removeEventListener('abort', watched.listener);
      this.bySignal.delete(signal);
    }
  }
}
