/** Codec strings as people know them, for error messages a viewer can act on. */
const FAMILIES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(hvc1|hev1)/i, 'H.265'],
  [/^(avc1|avc3)/i, 'H.264'],
  [/^av01/i, 'AV1'],
  [/^(vp09|vp9)/i, 'VP9'],
  [/^(vp08|vp8)/i, 'VP8'],
  [/^mp4a\.40/i, 'AAC'],
  [/^mp4a\.6b|^mp3/i, 'MP3'],
  [/^ac-3/i, 'Dolby Digital (AC-3)'],
  [/^ec-3/i, 'Dolby Digital Plus (E-AC-3)'],
  [/^opus/i, 'Opus'],
  [/^flac/i, 'FLAC'],
];

export function codecName(codec: string): string {
  return FAMILIES.find(([pattern]) => pattern.test(codec))?.[1] ?? codec;
}

/** `video/mp4; codecs="avc1.64001f, mp4a.40.2"` -> ['avc1.64001f', 'mp4a.40.2']. */
export function codecsOf(mimeType: string): string[] {
  const match = mimeType.match(/codecs\s*=\s*"?([^";]+)"?/i);
  return (
    match?.[1]
      ?.split(',')
      .map((codec) => codec.trim())
      .filter(Boolean) ?? []
  );
}

/**
 * Null when MediaSource can take `mimeType`; otherwise a sentence naming the codec that this browser
 * lacks, found by asking about each codec of the type on its own.
 */
export function unsupportedCodecMessage(
  mimeType: string,
  isSupported: (type: string) => boolean,
): string | null {
  if (isSupported(mimeType)) return null;
  const container = mimeType.split(';')[0]?.trim() ?? 'video/mp4';
  const codecs = codecsOf(mimeType);
  const missing = codecs.filter(
    (codec) =>
      !isSupported(`${container}; codecs="${codec}"`) &&
      !isSupported(`${container.replace(/^video\//, 'audio/')}; codecs="${codec}"`),
  );
  const named = (missing.length > 0 ? missing : codecs).map((codec) => `${codecName(codec)} (${codec})`);
  const what = named.length > 0 ? named.join(' and ') : `"${mimeType}"`;
  return `This browser can't play ${what}. Ask the source to ingest it as H.264/AAC, or open the video's HLS playlist in VLC or mpv.`;
}
