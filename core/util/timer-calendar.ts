/**
 * The VirtualClock's queue of timers: one list per due time, in the order they were scheduled, and a
 * min-heap of the due times that have a list. A large simulation keeps hundreds of thousands of
 * timers pending, most of them request timeouts that are cancelled long before they are due; with
 * due times rounded to a millisecond, scheduling one is an append to the list of its millisecond,
 * and a cancelled one costs nothing until its list comes up. A heap of all timers paid a sift
 * through twenty levels for each, twice.
 */
export interface CalendarEntry {
  at: number;
  work: () => void;
  /** Set for a repeating timer. */
  periodMs: number | undefined;
  cancelled: boolean;
}

/** The timers due at one time, in the order they were set, and how many have been taken. */
interface DueList<Entry> {
  entries: Entry[];
  taken: number;
}

export class TimerCalendar<Entry extends CalendarEntry> {
  private readonly lists = new Map<number, DueList<Entry>>();
  /** Due times with a list, as a binary min-heap. */
  private readonly times: number[] = [];

  add(entry: Entry): void {
    const list = this.lists.get(entry.at);
    if (list !== undefined) {
      list.entries.push(entry);
      return;
    }
    this.lists.set(entry.at, { entries: [entry], taken: 0 });
    this.pushTime(entry.at);
  }

  /** The earliest live entry, left in place; cancelled ones met on the way are dropped. */
  peek(): Entry | undefined {
    for (;;) {
      const at = this.times[0];
      if (at === undefined) return undefined;
      // The list keeps its own place: a timer set for an earlier time than a list whose cancelled
      // head was skipped puts a new list in front of it.
      const list = this.lists.get(at)!;
      const { entries } = list;
      while (list.taken < entries.length && entries[list.taken]!.cancelled) list.taken += 1;
      if (list.taken < entries.length) return entries[list.taken];
      this.lists.delete(at);
      this.popTime();
    }
  }

  /** Removes and returns the earliest live entry. */
  take(): Entry | undefined {
    const entry = this.peek();
    if (entry !== undefined) this.lists.get(entry.at)!.taken += 1;
    return entry;
  }

  private pushTime(at: number): void {
    const heap = this.times;
    heap.push(at);
    let child = heap.length - 1;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (heap[parent]! <= at) break;
      heap[child] = heap[parent]!;
      child = parent;
    }
    heap[child] = at;
  }

  private popTime(): void {
    const heap = this.times;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    let parent = 0;
    for (;;) {
      const left = parent * 2 + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const smaller = right < heap.length && heap[right]! < heap[left]! ? right : left;
      if (heap[smaller]! >= last) break;
      heap[parent] = heap[smaller]!;
      parent = smaller;
    }
    heap[parent] = last;
  }
}
