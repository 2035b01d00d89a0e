/**
 * Adds videos the user picked or dropped, one at a time (ffmpeg is CPU-bound; two at once would
 * only both be slower), reporting progress to the window (taskbar bar + renderer notification).
 * The running node adds each one (PeerNode.addVideo, what `peerstreamer add` asks of a running node
 * too), so it is pinned and announced to the node's children at once.
 */
import type { PeerNode } from '../core/node/peer-node.js';
import { defaultVideoName } from '../core/library/ingest.js';
import { errorMessage } from '../core/util/errors.js';
import type { Logger } from '../core/util/logger.js';
import type { IngestProgress } from './ipc/contract.js';

export type ProgressSink = (progress: IngestProgress) => void;

export class VideoIngester {
  private queue: Promise<void> = Promise.resolve();
  private waiting = 0;

  /** `onBusyChange`: true when files are queued on an idle ingester, false once the last is done. */
  constructor(
    private readonly node: () => PeerNode | null,
    private readonly report: ProgressSink,
    private readonly logger: Logger,
    private readonly onBusyChange: (busy: boolean) => void = () => undefined,
  ) {}

  /** Queues the files; resolves when these have been ingested (or failed, which is reported). */
  add(files: readonly string[]): Promise<void> {
    if (files.length > 0 && this.waiting === 0) this.onBusyChange(true);
    this.waiting += files.length;
    for (const file of files) {
      // ingestOne reports its own failures and never rejects.
      this.queue = this.queue.then(() => this.ingestOne(file)).finally(() => this.doneOne());
    }
    return this.queue;
  }

  private doneOne(): void {
    this.waiting -= 1;
    if (this.waiting === 0) this.onBusyChange(false);
  }

  private async ingestOne(file: string): Promise<void> {
    const name = defaultVideoName(file);
    const node = this.node();
    if (node === null) {
      this.report({
        file,
        name,
        state: 'failed',
        fraction: null,
        message: 'The node is not running; fix Settings first.',
      });
      return;
    }
    this.report({ file, name, state: 'running', fraction: 0 });
    try {
      await node.addVideo(file, {
        onProgress: ({ mediaSeconds, totalSeconds }) => {
          const fraction = totalSeconds ? Math.min(1, mediaSeconds / totalSeconds) : null;
          this.report({ file, name, state: 'running', fraction });
        },
      });
      this.report({ file, name, state: 'done', fraction: 1 });
      this.logger.info({ file, video: name }, 'video added');
    } catch (error) {
      // Reported to the user, who can act on it (rename, pick another file); the queue goes on.
      this.logger.warn({ file, err: error }, 'video not added');
      this.report({ file, name, state: 'failed', fraction: null, message: errorMessage(error) });
    }
  }
}
