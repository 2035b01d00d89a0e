/**
 * The producer reference time box (prft, ISO/IEC 14496-12 8.16.5): a wall-clock time paired with the
 * media time of the fragment that follows it. ffmpeg writes one before each moof with
 * `-write_prft wallclock`. Which moment the wall clock stands for is in its flags: the time the frame
 * entered the encoder (0, when the encoder exports it: libx264 with `-export_side_data prft`), or the
 * time the muxer wrote the fragment (24 in ffmpeg, what a stream copy gets).
 */
import { PeerStreamerError } from '../util/errors.js';
import { fullBoxHeader, type Box } from './mp4-boxes.js';

/** Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
const NTP_TO_UNIX_SECONDS = 2_208_988_800;
/** ISO flag value: the time the frame was input to the encoder, the capture time we want. */
const PRFT_ENCODER_INPUT = 0;

export interface ProducerReferenceTime {
  trackId: number;
  /** Milliseconds since the Unix epoch. */
  wallClockMs: number;
  /** True when the wall clock is when the frame entered the encoder, false when the fragment was written. */
  atEncoderInput: boolean;
}

/** Reads a top-level prft box; throws FFMPEG_FAILED if it is too short for its version. */
export function parseProducerReferenceTime(prft: Box): ProducerReferenceTime {
  const bytes = prft.bytes;
  const payload = { type: prft.type, start: prft.headerSize, end: bytes.length };
  const { version, flags } = fullBoxHeader(bytes, payload);
  const needed = payload.start + 4 + 4 + 8 + (version === 1 ? 8 : 4);
  if (bytes.length < needed) {
    throw new PeerStreamerError(
      'FFMPEG_FAILED',
      `ffmpeg wrote a prft box of ${bytes.length} bytes, too short for version ${version}; check the ffmpeg build (PEERSTREAMER_FFMPEG).`,
      { size: bytes.length, version },
    );
  }
  const trackId = bytes.readUInt32BE(payload.start + 4);
  const seconds = bytes.readUInt32BE(payload.start + 8);
  const fraction = bytes.readUInt32BE(payload.start + 12);
  const wallClockMs = (seconds - NTP_TO_UNIX_SECONDS) * 1000 + (fraction / 2 ** 32) * 1000;
  // The media time that follows is not read: a chunk's times come from its own moof.
  return { trackId, wallClockMs, atEncoderInput: flags === PRFT_ENCODER_INPUT };
}
