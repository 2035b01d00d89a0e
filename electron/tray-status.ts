/** Live figures for the tray, sampled from the node; the upload rate is bytes served between samples. */
import type { PeerNode } from '../core/node/peer-node.js';
import type { TrayStatus } from './tray-menu.js';
import { describePlace } from '../core/shared/format.js';

export class TrayStatusSampler {
  private last: { at: number; bytesServed: number } | null = null;

  constructor(private readonly now: () => number = () => performance.now()) {}

  sample(node: PeerNode | null, problem: string | null): TrayStatus {
    if (node === null) {
      this.last = null;
      return {
        running: false,
        problem,
        node: '',
        peers: 0,
        uploadBytesPerSecond: 0,
        videosSeeded: 0,
        seeding: false,
      };
    }
    const stats = node.stats();
    const at = this.now();
    const previous = this.last;
    this.last = { at, bytesServed: stats.bytesServed };
    const seconds = previous === null ? 0 : (at - previous.at) / 1000;
    const rate = seconds > 0 ? Math.max(0, stats.bytesServed - previous!.bytesServed) / seconds : 0;
    return {
      running: true,
      problem: null,
      node: `${stats.name} (${describePlace(stats)})`,
      peers: stats.peers.length,
      uploadBytesPerSecond: rate,
      videosSeeded: node.store.listVideos().filter((video) => video.chunksHeld > 0).length,
      seeding: node.seeding,
    };
  }
}
