/**
 * Where a client gets the key of the server it dials. CURVE needs it before the first byte, so:
 * - an address that carries it (`tcp://host:port#<key>`) says it;
 * - otherwise the server is asked over UDP on its own port (key-fetch.ts), once per process;
 * - and for the addresses a user gave (`--master`, `--supermaster`), what was learned the first time
 *   is pinned (trust on first use, as SSH's known_hosts): a later answer with another key is
 *   refused, naming both fingerprints. When the server does not answer the UDP ask, a pinned key is
 *   used as it is: the CURVE handshake itself then checks it.
 */
import { PeerStreamerError, errorMessage } from '../util/errors.js';
import { parseTcpAddress } from '../protocol/address.js';
import { keyFingerprint } from '../protocol/peer-key.js';
import { fetchServerKey } from './key-fetch.js';

/** What PeerClient asks for the key of a server it is about to dial (`tcp://host:port`). */
export interface ServerKeySource {
  keyFor(dial: string, timeoutMs: number): Promise<string>;
  /** The connection to `dial` closed: a key learned for it is asked again next time. */
  forget?(dial: string): void;
}

/** Where pinned keys are kept (core/node/known-hosts.ts: a file in the store). */
export interface KeyPins {
  /** Whether keys learned for `dial` are pinned (the user named it), and the one pinned if any. */
  pinFor(dial: string): { pinned: boolean; key: string | undefined };
  pin(dial: string, key: string): Promise<void>;
  /** What a user does to accept a new key for `dial`, for the mismatch error. */
  howToForget(dial: string): string;
}

export interface ServerKeysOptions {
  pins?: KeyPins;
  /** Keys the user gave with an address (`--master tcp://host:port#<key>`): used as they are. */
  given?: ReadonlyMap<string, string>;
  /** How a key is asked for. Default: UDP (key-fetch.ts). */
  fetch?: (host: string, port: number, timeoutMs: number) => Promise<string>;
}

export class ServerKeys implements ServerKeySource {
  /** Keys learned in this process, by address; a failed ask is forgotten, so it is asked again. */
  private readonly learned = new Map<string, Promise<string>>();
  private readonly fetch: NonNullable<ServerKeysOptions['fetch']>;

  constructor(private readonly options: ServerKeysOptions = {}) {
    this.fetch = options.fetch ?? fetchServerKey;
  }

  keyFor(dial: string, timeoutMs: number): Promise<string> {
    let key = this.learned.get(dial);
    if (key === undefined) {
      key = this.learn(dial, timeoutMs);
      this.learned.set(dial, key);
      key.catch(() => this.learned.delete(dial));
    }
    return key;
  }

  /**
   * A sibling set up again with a new store comes back with a new key at its old address; asking
   * again on the next connection finds it (a pinned address is still held to its pin).
   */
  forget(dial: string): void {
    this.learned.delete(dial);
  }

  private async learn(dial: string, timeoutMs: number): Promise<string> {
    const given = this.options.given?.get(dial);
    if (given !== undefined) return given;
    const { host, port } = parseTcpAddress(dial);
    const pin = this.options.pins?.pinFor(dial) ?? { pinned: false, key: undefined };
    let fetched: string;
    try {
      fetched = await this.fetch(host, port, timeoutMs);
    } catch (error) {
      if (pin.key !== undefined) return pin.key;
      throw new PeerStreamerError(
        'UNREACHABLE',
        `could not learn the key of ${dial}: ${errorMessage(error)}. Check that a node runs there (its UDP port ${port} must be reachable too), or give its address with its key: ${dial}#<key> (the node prints it in its ready line and in stats).`,
        { address: dial, timeoutMs },
        { cause: error },
      );
    }
    if (pin.key !== undefined && pin.key !== fetched) {
      throw new PeerStreamerError(
        'KEY_MISMATCH',
        `the node at ${dial} now has key ${keyFingerprint(fetched)}, but this node pinned key ${keyFingerprint(pin.key)} for that address when it first met it. Someone may be posing as it; or it was set up again with a new store. If you know it was, ${this.options.pins!.howToForget(dial)}, and start again.`,
        { address: dial, pinned: keyFingerprint(pin.key), offered: keyFingerprint(fetched) },
      );
    }
    if (pin.pinned && pin.key === undefined) await this.options.pins!.pin(dial, fetched);
    return fetched;
  }
}
