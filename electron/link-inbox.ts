/**
 * Links the app was asked to open, on their way to the page. A link can arrive before there is a
 * page to take it (the click that launched the app, or one while the window was closed or
 * reloading), so it waits here until the page says it listens (TakeLinks), then goes straight on.
 */

/** Links kept while no page listens; a burst past this is someone's script, not a person clicking. */
const MAX_WAITING = 8;

export class LinkInbox {
  private waiting: string[] = [];
  private listening = false;

  /** `send` hands a link to the page; false when there is no page to send to. */
  constructor(private readonly send: (link: string) => boolean) {}

  deliver(link: string): void {
    if (this.listening && this.send(link)) return;
    this.waiting.push(link);
    if (this.waiting.length > MAX_WAITING) this.waiting.shift();
  }

  hasWaiting(): boolean {
    return this.waiting.length > 0;
  }

  /** The page listens now: it gets what waited, and later links go to it at once. */
  take(): string[] {
    this.listening = true;
    const waiting = this.waiting;
    this.waiting = [];
    return waiting;
  }

  /** The page went away (window closed, reloaded, crashed): links wait for the next one. */
  pageGone(): void {
    this.listening = false;
  }
}
