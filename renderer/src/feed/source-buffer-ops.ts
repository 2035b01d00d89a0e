import { rangesOf, type Range } from './timeline.ts';

/**
 * SourceBuffer operations as promises. Only one may run at a time; the caller (the feed's single pump
 * loop) guarantees that, and `abort()` of an append resolves the pending promise via updateend.
 */
export function appendTo(buffer: SourceBuffer, bytes: ArrayBuffer): Promise<void> {
  return whenUpdated(buffer, () => buffer.appendBuffer(bytes));
}

export function removeFrom(buffer: SourceBuffer, start: number, end: number): Promise<void> {
  return whenUpdated(buffer, () => buffer.remove(start, end));
}

function whenUpdated(buffer: SourceBuffer, operation: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      buffer.removeEventListener('updateend', done);
      buffer.removeEventListener('error', failed);
      resolve();
    };
    const failed = (): void => {
      buffer.removeEventListener('updateend', done);
      buffer.removeEventListener('error', failed);
      reject(new Error('The browser rejected the media data (SourceBuffer error).'));
    };
    buffer.addEventListener('updateend', done);
    buffer.addEventListener('error', failed);
    try {
      operation();
    } catch (error) {
      buffer.removeEventListener('updateend', done);
      buffer.removeEventListener('error', failed);
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

export function isQuotaExceeded(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'QuotaExceededError';
}

/** What `buffer` holds, or nothing once it is detached from its MediaSource (buffered then throws). */
export function safeRanges(buffer: SourceBuffer): Range[] {
  try {
    return rangesOf(buffer.buffered);
  } catch {
    return [];
  }
}
