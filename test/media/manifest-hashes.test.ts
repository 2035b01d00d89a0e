/**
 * Ingest hashes each piece once: the store hashes what it writes, and the manifest takes those
 * hashes (ManifestBuilder 'given', VideoWriter.writtenRefs) instead of hashing the bytes again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ingestVideo } from '../../core/library/ingest.js';
import { ManifestBuilder } from '../../core/media/manifest-builder.js';
import type { SegmentRef } from '../../core/shared/manifest.js';
import { sha256Hex } from '../../core/util/hash.js';
import { h264VideoOnly } from '../helpers/media-fixtures.js';
import { lacks, requires } from '../helpers/requirements.js';
import { openStore } from '../store/helpers.js';
import { cutAll } from './media-checks.js';
import { cleanupTempDirs, tempDir } from '../helpers/temp-dirs.js';

const noFfmpeg = lacks(requires.ffmpeg);

afterEach(cleanupTempDirs);

describe.skipIf(noFfmpeg)('the manifest of an ingest', () => {
  it("takes each piece's hash from what the store wrote, and says which one is missing", async () => {
    const out = await cutAll((await h264VideoOnly(4)).path);
    const builder = new ManifestBuilder('given', 'given');
    for (const event of out.events) builder.add(event);
    // Refs the builder could not have computed itself: it must use them as given.
    const written = new Map<number, SegmentRef>([[-1, { size: out.init.length, sha256: 'a'.repeat(64) }]]);
    for (const chunk of out.chunks)
      written.set(chunk.index, { size: chunk.bytes.length, sha256: String(chunk.index % 10).repeat(64) });
    const manifest = builder.build(new Date(), written);
    expect(manifest.init).toEqual({ size: out.init.length, sha256: 'a'.repeat(64) });
    expect(manifest.chunks.map((chunk) => chunk.sha256)).toEqual(
      out.chunks.map((chunk) => String(chunk.index % 10).repeat(64)),
    );

    written.delete(1);
    expect(() => builder.build(new Date(), written)).toThrow(/chunk 1 .*none was given/);
    written.set(1, { size: 1, sha256: 'b'.repeat(64) });
    expect(() => builder.build(new Date(), written)).toThrow(/chunk 1 .*the store wrote 1 bytes/);
  });

  it('from ingestVideo names every piece by the sha256 of the bytes stored', async () => {
    const file = (await h264VideoOnly(4)).path;
    const store = await openStore(tempDir('ingest-hashes'));
    try {
      const manifest = await ingestVideo(store, file, { name: 'clip', poster: false });
      expect(manifest.chunks.length).toBeGreaterThan(1);
      const init = await store.getInit('clip');
      expect(manifest.init).toEqual({ size: init!.length, sha256: sha256Hex(init!) });
      for (const entry of manifest.chunks) {
        const bytes = await store.getChunk('clip', entry.index);
        expect({ size: entry.size, sha256: entry.sha256 }).toEqual({
          size: bytes!.length,
          sha256: sha256Hex(bytes!),
        });
      }
      // And they are what the cutter produced from the file, piece for piece.
      const out = await cutAll(file);
      expect(manifest.chunks.map((entry) => entry.sha256)).toEqual(
        out.chunks.map((chunk) => sha256Hex(chunk.bytes)),
      );
    } finally {
      store.close();
    }
  });
});
