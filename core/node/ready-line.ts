/**
 * The ready line: the one machine-readable line a foreground node (`peerstreamer node`,
 * `<app> --node`) prints on stdout once it serves. Scripts and tests wait for it instead of matching
 * log text, and read the port from it when the node was started with `--port 0`.
 *
 *   {"event":"ready","name":"ben","role":"child","address":"tcp://127.0.0.1:40123","port":40123,
 *    "key":"<40 z85>","fingerprint":"1a2b3c4d","store":"/abs/store","pid":4242,
 *    "ui":"http://127.0.0.1:41234/?token=..."}
 *
 * Printed once, after the ROUTER is bound (and the player is served, with --ui), as the node's last
 * line on stdout; logs go to stderr. A child prints it before it has registered with its master:
 * `stats` (currentMaster) tells when it has.
 */
export interface ReadyEvent {
  event: 'ready';
  name: string;
  role: 'source' | 'child';
  /** The address other nodes reach it by (--ip and the bound port). */
  address: string;
  /** The port the ROUTER bound: the one the kernel chose for --port 0. */
  port: number;
  /** The node's CURVE public key (Z85): peers may dial `${address}#${key}` and skip the key ask. */
  key: string;
  /** The key's fingerprint, for people comparing keys (8 hex digits of its sha256). */
  fingerprint: string;
  /** The store directory, absolute. */
  store: string;
  pid: number;
  /**
   * The publisher key the node trusts and vouches for: a source's own, which nodes below it may be
   * given with --publisher. Absent while a child has learned none yet.
   */
  publisher?: string;
  /**
   * The player's URL with its token, with --ui. Scripts and tests open the player from it, so it keeps
   * the token, as the `player:` line before it on the same stdout does; the logger gets the URL without.
   */
  ui?: string;
}

export function formatReadyLine(event: ReadyEvent): string {
  return `${JSON.stringify(event)}\n`;
}
