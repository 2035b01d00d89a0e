/** Later work, behind an interface so tests fire "a day later" at once instead of waiting for it. */
export interface Scheduler {
  /** Runs `task` after `ms`; the returned function cancels it. */
  after(ms: number, task: () => void): () => void;
}

export const timerScheduler: Scheduler = {
  after(ms, task) {
    const timer = setTimeout(task, ms);
    // A pending update check must never keep the process alive on its own.
    timer.unref();
    return () => clearTimeout(timer);
  },
};
