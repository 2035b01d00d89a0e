/**
 * Lets the feed's loops sleep until there may be work (a fetch settled, the play head moved, the
 * manifest came) instead of polling, with a timeout as the backstop.
 */
export class Wakeup {
  private wakeUp: (() => void) | undefined;

  wake(): void {
    const wake = this.wakeUp;
    this.wakeUp = undefined;
    wake?.();
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = undefined;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
