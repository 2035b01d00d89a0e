/**
 * ffmpeg's fragmented MP4 byte stream, turned into what a cutter acts on: the init segment (ftyp+moov)
 * once, then each fragment (moof+mdat) with its parsed timing and the prft box written before it, if
 * any. The prft is read but not kept in the fragment's bytes: a player has no use for it, and chunks
 * stay byte-for-byte what an on-demand cut makes. Both the on-demand and the live cutter read their
 * ffmpeg through this, so the order rules (moov right after ftyp, mdat right after moof) live once.
 */
import { PeerStreamerError, errorMessage, isPeerStreamerError } from '../util/errors.js';
import { parseFragment, parseInitSegment, type FragmentInfo, type InitInfo } from './fmp4-parse.js';
import { mimeTypeOf } from './fragment-timeline.js';
import { BoxStreamReader, type Box } from './mp4-boxes.js';
import { parseProducerReferenceTime, type ProducerReferenceTime } from './producer-reference-time.js';

export interface InitSegment {
  kind: 'init';
  /** ftyp + moov, as a player appends them. */
  bytes: Buffer;
  init: InitInfo;
  mimeType: string;
  codecs: string[];
}

export interface ParsedFragment {
  kind: 'fragment';
  /** moof and mdat, in order. */
  parts: Buffer[];
  bytes: number;
  info: FragmentInfo;
  prft: ProducerReferenceTime | null;
}

/** The error for output that is not the fragmented MP4 we asked ffmpeg for, naming the input. */
export function malformedOutput(source: string, error: unknown): PeerStreamerError {
  if (isPeerStreamerError(error)) return error;
  return new PeerStreamerError(
    'FFMPEG_FAILED',
    `ffmpeg's output for ${source} could not be parsed as fragmented MP4 (${errorMessage(error)}); check the ffmpeg build (PEERSTREAMER_FFMPEG).`,
    { file: source },
    { cause: error },
  );
}

export class Fmp4Stream {
  private readonly reader: BoxStreamReader;
  private ftyp: Box | null = null;
  private initInfo: InitInfo | null = null;
  private moof: { box: Box; info: FragmentInfo } | null = null;
  private prft: ProducerReferenceTime | null = null;

  /** `source` names the input in errors; `maxBoxBytes` bounds one fragment (see BoxStreamReader). */
  constructor(
    private readonly source: string,
    maxBoxBytes?: number,
  ) {
    this.reader = new BoxStreamReader(maxBoxBytes);
  }

  /** Takes the next bytes from ffmpeg; returns the init segment and fragments they complete. */
  push(data: Buffer): Array<InitSegment | ParsedFragment> {
    try {
      const items: Array<InitSegment | ParsedFragment> = [];
      for (const box of this.reader.push(data)) {
        const item = this.take(box);
        if (item !== null) items.push(item);
      }
      return items;
    } catch (error) {
      throw malformedOutput(this.source, error);
    }
  }

  /** Checks that the stream ended between fragments, after an init segment; returns that segment's facts. */
  finish(): InitInfo {
    const pending = this.reader.pendingBytes;
    if (pending > 0)
      throw malformedOutput(this.source, new Error(`output ends inside a box (${pending} bytes left)`));
    if (this.initInfo === null)
      throw malformedOutput(this.source, new Error('no init segment (ftyp+moov) was written'));
    if (this.moof !== null) throw malformedOutput(this.source, new Error('the last moof has no mdat'));
    return this.initInfo;
  }

  private take(box: Box): InitSegment | ParsedFragment | null {
    switch (box.type) {
      case 'ftyp':
        this.ftyp = box;
        return null;
      case 'moov': {
        if (this.ftyp === null || this.initInfo !== null) throw new Error('moov not right after ftyp');
        const init = parseInitSegment(box);
        this.initInfo = init;
        const bytes = Buffer.concat([this.ftyp.bytes, box.bytes]);
        return { kind: 'init', bytes, init, ...mimeTypeOf(init.tracks) };
      }
      case 'prft':
        this.prft = parseProducerReferenceTime(box);
        return null;
      case 'moof':
        if (this.initInfo === null) throw new Error('moof before moov');
        this.moof = { box, info: parseFragment(box, this.initInfo) };
        return null;
      case 'mdat': {
        if (this.moof === null) throw new Error('mdat without moof');
        const { box: moof, info } = this.moof;
        const fragment: ParsedFragment = {
          kind: 'fragment',
          parts: [moof.bytes, box.bytes],
          bytes: moof.bytes.length + box.bytes.length,
          info,
          prft: this.prft,
        };
        this.moof = null;
        this.prft = null;
        return fragment;
      }
      default:
        // mfra (a random-access index of offsets in one big file), free and udta mean nothing to chunks.
        return null;
    }
  }
}
