/** A live stream's manifest as a node process serves it, and waiting for it to grow: for the live e2e tests. */
import { PeerClient } from '../../core/net/client.js';
import type { LiveManifest } from '../../core/shared/manifest.js';
import type { NodeProcess } from './swarm.js';
import { waitFor } from './wait.js';

/** `video`'s manifest as `node` answers `get-manifest`. */
export async function liveManifestOf(node: NodeProcess, video: string): Promise<LiveManifest> {
  const client = new PeerClient({ timeoutMs: 10_000 });
  try {
    return (await client.request(node.address, { type: 'get-manifest', video })).reply
      .manifest as LiveManifest;
  } finally {
    await client.close();
  }
}

/** `node`'s manifest of `video` once it lists `more` chunks beyond `from`'s. */
export function grownBy(
  node: NodeProcess,
  video: string,
  from: LiveManifest,
  more: number,
  what: string,
  timeoutMs: number,
): Promise<LiveManifest> {
  return waitFor(
    async () => {
      const now = await liveManifestOf(node, video);
      return now.chunks.length >= from.chunks.length + more && now;
    },
    what,
    timeoutMs,
  );
}
