/**
 * The only place IPC handlers are registered. Each message is checked twice before its handler
 * runs: the sender must be our player window's main frame showing our own origin (anything else -
 * another window, an iframe, a page that somehow navigated away - is dropped), and the payload must
 * pass its channel's schema.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { Logger } from '../../core/util/logger.js';
import { isAppUrl } from '../app-identity.js';
import { PayloadError, readPayload, type InvokeChannel, type PayloadOf } from './schemas.js';

export type InvokeHandler<C extends InvokeChannel> = (payload: PayloadOf<C>) => unknown;

export class IpcManager {
  /** Messages dropped because of their sender, for tests and diagnostics. */
  droppedFromUnknownSenders = 0;
  rejectedPayloads = 0;
  private readonly channels = new Set<InvokeChannel>();

  constructor(
    private readonly ipc: Pick<IpcMain, 'handle' | 'removeHandler'>,
    /** The WebContents allowed to talk to us (the player window's), or null when none is open. */
    private readonly trustedContents: () => WebContents | null,
    private readonly logger: Logger,
  ) {}

  handle<C extends InvokeChannel>(channel: C, handler: InvokeHandler<C>): void {
    this.channels.add(channel);
    this.ipc.handle(channel, async (event, ...args: unknown[]) => {
      if (!this.isTrusted(event)) {
        this.droppedFromUnknownSenders += 1;
        this.logger.warn(
          { channel, url: event.senderFrame?.url ?? null },
          'IPC message from an unknown sender dropped',
        );
        // Deliberately uninformative: an untrusted frame learns nothing about our channels.
        throw new Error('Request refused.');
      }
      // The call's arity, before its one payload meets the channel's schema.
      if (args.length > 1) {
        this.rejectedPayloads += 1;
        throw new PayloadError(`${channel} takes at most one argument.`);
      }
      let payload: PayloadOf<C>;
      try {
        payload = readPayload(channel, args[0]);
      } catch (error) {
        this.rejectedPayloads += 1;
        this.logger.warn({ channel, err: error }, 'IPC payload rejected');
        throw error;
      }
      return handler(payload);
    });
  }

  isTrusted(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>): boolean {
    const trusted = this.trustedContents();
    const frame = event.senderFrame;
    if (trusted === null || frame === null || event.sender !== trusted) return false;
    // The main frame only: an iframe (even one on our origin) is not the player.
    if (frame.parent !== null) return false;
    return isAppUrl(frame.url);
  }

  dispose(): void {
    for (const channel of this.channels) this.ipc.removeHandler(channel);
    this.channels.clear();
  }
}
