/** The master this node currently uses, as the link to it reports it. */
export interface UpstreamView {
  /** Null while not registered anywhere (a source, or a child still looking for its master). */
  current(): { name: string; address: string; isSource: boolean } | null;
  /**
   * Tells the link its master did not answer, so it can fail over to the supermaster. `lied`: it
   * answered with bad bytes or an error of its own, so going back to it waits longer (see
   * MasterFinder.masterFailed).
   */
  masterFailed(address: string, reason: string, lied?: boolean): void;
  /** Resolves with the master once registered somewhere (after a failover), or null after the wait. */
  waitForMaster(timeoutMs: number): Promise<{ name: string; address: string; isSource: boolean } | null>;
}

/**
 * The master in use, waiting out a failover in progress (at most `timeoutMs`). `hasUpstream` is
 * false for a source, which has none: nothing to wait for.
 */
export async function masterInUse(
  upstream: UpstreamView,
  hasUpstream: boolean,
  timeoutMs: number,
): Promise<{ name: string; address: string; isSource: boolean } | null> {
  if (!hasUpstream) return null;
  return upstream.current() ?? (await upstream.waitForMaster(timeoutMs));
}
