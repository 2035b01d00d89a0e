/**
 * The gateway's backend while no node runs (it failed to start, e.g. its port is taken, or it is
 * restarting). The player page still loads, so the user can reach Settings and fix the cause; every
 * API call answers with that cause in words.
 */
import type { GatewayBackend } from '../core/gateway/backend.js';
import { PeerStreamerError } from '../core/util/errors.js';

export class OfflineBackend implements GatewayBackend {
  constructor(private readonly problem: string) {}

  private fail(): never {
    throw new PeerStreamerError(
      'UNREACHABLE',
      `The node is not running: ${this.problem} Open Settings to fix it.`,
    );
  }

  listVideos = async (): Promise<never> => this.fail();
  getManifest = async (): Promise<never> => this.fail();
  getInit = async (): Promise<never> => this.fail();
  getChunk = async (): Promise<never> => this.fail();
  getPoster = async (): Promise<never> => this.fail();
  videoLink = async (): Promise<never> => this.fail();
  checkLink = async (): Promise<never> => this.fail();
  stats = async (): Promise<never> => this.fail();
  topology = async (): Promise<never> => this.fail();
  startLive = async (): Promise<never> => this.fail();
  stopLive = async (): Promise<never> => this.fail();
  liveSessions = async (): Promise<never> => this.fail();
  subscribe(): () => void {
    return () => undefined;
  }
}
