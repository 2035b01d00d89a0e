/**
 * A live stream growing in real time, for the player's tests: the real live cutter (ffmpeg making a
 * test pattern in real time, cut into 1 s chunks) feeding the source's own LiveManifestBuilder, and
 * served beside a real node's videos by wrapping its GatewayBackend. The node's live session is not
 * wired into the node yet; when it is, these tests can run against it instead.
 *
 * `hold()` withholds new chunks from the manifest (the cutter goes on), as a slow source or a
 * congested tree would, until `release()`: the player then stalls and has to catch up.
 */
import { createHash } from 'node:crypto';
import type { GatewayBackend } from '../../core/gateway/backend.js';
import { libraryEntry } from '../../core/gateway/library-entry.js';
import { startLiveCutter, type LiveCutter } from '../../core/media/live-cutter.js';
import type { LiveManifest } from '../../core/shared/manifest.js';
import { LiveManifestBuilder, newLiveStreamId } from '../../core/trust/live-manifest-builder.js';
import { publisherKeyPairFromSeed } from '../../core/trust/publisher-key.js';
import { PeerStreamerError } from '../../core/util/errors.js';
import { waitFor } from '../helpers/wait.js';

const KEY = publisherKeyPairFromSeed(new Uint8Array(32).fill(12));

export class LiveStreamSource {
  private builder: LiveManifestBuilder | undefined;
  private init: Buffer | undefined;
  private readonly bytes = new Map<number, Buffer>();
  private cutter: LiveCutter | undefined;
  /** While set, the manifest lists no chunk past this index. */
  private heldAt: number | null = null;
  /** Manifest reads, to see the player poll. */
  manifestReads = 0;

  constructor(
    readonly name: string,
    private readonly window: number,
  ) {}

  async start(): Promise<void> {
    const stream = newLiveStreamId();
    this.cutter = await startLiveCutter(
      { kind: 'test-pattern', width: 320, height: 180, fps: 25 },
      {
        chunkDuration: 1,
        x264Preset: 'ultrafast',
        onInit: (init) => {
          this.init = init.bytes;
          this.builder = new LiveManifestBuilder(
            {
              name: this.name,
              mimeType: init.mimeType,
              width: init.width,
              height: init.height,
              init: { size: init.bytes.length, sha256: sha256(init.bytes) },
              ingest: { mode: 'transcode', sourceCodecs: ['h264', 'aac'] },
              stream,
              window: this.window,
            },
            KEY,
          );
        },
        onChunk: (chunk) => {
          const entry = this.builder!.append({
            start: chunk.start,
            duration: chunk.duration,
            size: chunk.bytes.length,
            sha256: chunk.sha256,
            captureTime: chunk.captureTime,
          });
          this.bytes.set(entry.index, chunk.bytes);
          // The window dropped the older ones: their bytes go too, as a source's would.
          const first = this.builder!.manifest().chunks[0]!.index;
          for (const index of this.bytes.keys()) if (index < first) this.bytes.delete(index);
        },
      },
    );
  }

  /** The manifest as a viewer's node would serve it now. */
  manifest(): LiveManifest {
    const whole = this.builder!.manifest();
    if (this.heldAt === null) return whole;
    const chunks = whole.chunks.filter((chunk) => chunk.index <= this.heldAt!);
    const newest = chunks.at(-1)!;
    return { ...whole, chunks, duration: newest.start + newest.duration };
  }

  /** Resolves once the stream lists at least `count` chunks. */
  async waitForChunks(count: number): Promise<LiveManifest> {
    return waitFor(() => {
      if (this.builder === undefined || this.bytes.size === 0) return false;
      const manifest = this.manifest();
      return manifest.chunks.at(-1)!.index + 1 >= count ? manifest : false;
    }, `${count} live chunks`);
  }

  hold(): void {
    this.heldAt = this.builder!.manifest().chunks.at(-1)!.index;
  }

  release(): void {
    this.heldAt = null;
  }

  /** Stops the cutter and ends the stream (`ended`): its manifest says so from now on. */
  async end(): Promise<void> {
    this.heldAt = null;
    await this.cutter?.stop();
    this.cutter = undefined;
    this.builder!.end('ended');
  }

  async close(): Promise<void> {
    await this.cutter?.stop();
  }

  /** `backend` with this stream listed after its own videos and served beside them. */
  wrap(backend: GatewayBackend): GatewayBackend {
    const live = (name: string): boolean => name === this.name && this.builder !== undefined;
    return Object.assign(Object.create(backend) as GatewayBackend, {
      listVideos: async () => {
        const videos = await backend.listVideos();
        if (this.builder === undefined || this.bytes.size === 0) return videos;
        const manifest = this.manifest();
        const held = manifest.chunks.reduce((sum, chunk) => sum + chunk.size, 0);
        return [...videos, libraryEntry(manifest, manifest.chunks.length, held + this.init!.length)];
      },
      getManifest: async (name: string) => {
        if (!live(name)) return backend.getManifest(name);
        this.manifestReads++;
        return this.manifest();
      },
      getInit: async (name: string, signal?: AbortSignal) =>
        live(name) ? new Uint8Array(this.init!) : backend.getInit(name, signal),
      getChunk: async (name: string, index: number, signal?: AbortSignal) => {
        if (!live(name)) return backend.getChunk(name, index, signal);
        const bytes = this.bytes.get(index);
        if (bytes === undefined || (this.heldAt !== null && index > this.heldAt)) {
          throw new PeerStreamerError('CHUNK_NOT_FOUND', `live chunk ${index} is not here`, {});
        }
        return { bytes: new Uint8Array(bytes), origin: 'source' as const };
      },
      getPoster: async (name: string, signal?: AbortSignal) =>
        live(name) ? null : backend.getPoster(name, signal),
    });
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
