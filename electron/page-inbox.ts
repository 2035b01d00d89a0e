/**
 * What the app hands the page, on its way there: peerstreamer: links it was asked to open, and pages
 * its menu asked for ("Go live…"). Either can come before there is a page to take it (the click
 * that launched the app, a menu item that opened the window, a window closed or reloading), so it
 * waits here until the page says it listens (TakeLinks, TakePages), then goes straight on.
 */
export class PageInbox<T> {
  private waiting: T[] = [];
  private listening = false;

  /**
   * `send` hands an item to the page; false when there is no page to send to. `maxWaiting`: items
   * kept while no page listens, the oldest dropped past it (a burst of links is someone's script,
   * not a person clicking; a page asked for twice is shown once).
   */
  constructor(
    private readonly send: (item: T) => boolean,
    private readonly maxWaiting: number,
  ) {}

  deliver(item: T): void {
    if (this.listening && this.send(item)) return;
    this.waiting.push(item);
    if (this.waiting.length > this.maxWaiting) this.waiting.shift();
  }

  hasWaiting(): boolean {
    return this.waiting.length > 0;
  }

  /** The page listens now: it gets what waited, and later items go to it at once. */
  take(): T[] {
    this.listening = true;
    const waiting = this.waiting;
    this.waiting = [];
    return waiting;
  }

  /** The page went away (window closed, reloaded, crashed): items wait for the next one. */
  pageGone(): void {
    this.listening = false;
  }
}
