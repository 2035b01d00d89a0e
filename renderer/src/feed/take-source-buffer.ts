/**
 * Where the SourceBuffer came from: primed before the click with this video's type ('primed') or
 * another's ('switched', via changeType), or added at the start ('new').
 */
export type SourceBufferFrom = 'primed' | 'switched' | 'new';

/**
 * The primed SourceBuffer when there is one (switched to this video's type if it was primed for
 * another: the init segment appended next reconfigures it), else a new one.
 */
export async function takeSourceBuffer(
  mediaSource: MediaSource,
  mimeType: string,
  primedBuffer: Promise<{ buffer: SourceBuffer; mimeType: string } | null> | null | undefined,
): Promise<{ buffer: SourceBuffer; from: SourceBufferFrom }> {
  const primed = await (primedBuffer ?? null);
  if (primed === null || mediaSource.sourceBuffers.length !== 1) {
    return { buffer: mediaSource.addSourceBuffer(mimeType), from: 'new' };
  }
  if (primed.mimeType === mimeType) return { buffer: primed.buffer, from: 'primed' };
  primed.buffer.changeType(mimeType);
  return { buffer: primed.buffer, from: 'switched' };
}
