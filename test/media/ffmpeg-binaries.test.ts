import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveBinary } from '../../core/media/ffmpeg-binaries.js';
import { lacks, requires } from '../helpers/requirements.js';
import { tempDir } from '../helpers/temp-dirs.js';

const noScripts = lacks(requires.executableScripts);
const noFfmpeg = lacks(requires.ffmpeg);

describe('resolveBinary', () => {
  const dir = tempDir('peerstreamer-binaries-');

  it('uses PEERSTREAMER_FFMPEG when it names a working ffmpeg', ({ skip }) => {
    skip(noFfmpeg);
    const onPath = resolveBinary('ffmpeg', { PATH: process.env.PATH });
    const pinned = resolveBinary('ffmpeg', { PATH: '', PEERSTREAMER_FFMPEG: onPath.path });
    expect(pinned).toEqual({ path: onPath.path, source: 'env' });
  });

  it('prefers PATH, then falls back to the npm package', ({ skip }) => {
    skip(noScripts);
    const fakeBin = path.join(dir, 'bin');
    mkdirSync(fakeBin, { recursive: true });
    writeFileSync(path.join(fakeBin, 'ffprobe'), '#!/bin/sh\necho "ffprobe version fake"\n');
    chmodSync(path.join(fakeBin, 'ffprobe'), 0o755);
    expect(resolveBinary('ffprobe', { PATH: fakeBin })).toEqual({
      path: path.join(fakeBin, 'ffprobe'),
      source: 'path',
    });
    const bundled = resolveBinary('ffmpeg', { PATH: path.join(dir, 'empty') });
    expect(bundled.source).toBe('npm');
    expect(bundled.path).toContain('@ffmpeg-installer');
  });

  it('explains a missing or unrunnable binary named in the env var', ({ skip }) => {
    skip(noScripts);
    const missing = path.join(dir, 'nope', 'ffmpeg');
    expect(() => resolveBinary('ffmpeg', { PEERSTREAMER_FFMPEG: missing })).toThrow(
      expect.objectContaining({
        code: 'FFMPEG_FAILED',
        message: `PEERSTREAMER_FFMPEG=${missing} does not name an executable file; point PEERSTREAMER_FFMPEG at a ffmpeg binary or unset it to use ffmpeg from PATH.`,
      }),
    );
    const impostor = path.join(dir, 'not-ffprobe');
    writeFileSync(impostor, '#!/bin/sh\necho hello\n');
    chmodSync(impostor, 0o755);
    expect(() => resolveBinary('ffprobe', { PEERSTREAMER_FFPROBE: impostor })).toThrow(
      /PEERSTREAMER_FFPROBE=.*not-ffprobe is not a working ffprobe \(`ffprobe -version` printed "hello"\)/,
    );
  });
});
