/**
 * Which key sent a request. CURVE proves to libzmq who is on a connection, but zeromq.js does not
 * expose a message's "User-Id" property, and a ZAP handler does not see the connecting peer's
 * routing id (libzmq puts the *server* socket's own routing id in the ZAP request: checked with
 * libzmq 4.3 under zeromq 6.8), so the ZAP handler cannot tie a routing id to the key it admits.
 *
 * So every DEALER names itself `<its z85 public key>.<nonce>.<proof>`, the proof being an HMAC of
 * the key, the nonce and the server's key, keyed by the X25519 secret that only the holder of that
 * key and the server share. The nonce is new for each DEALER, so two DEALERs of one node to one
 * server (reached under two addresses) never share a routing id, which libzmq would not allow. The ROUTER's routing-id frame
 * then carries a key claim that only its holder could have made for this server. The claim travels
 * inside the CURVE handshake (encrypted), never in logs or on the wire in the clear; a proof is of
 * no use against another server (it names the server's key).
 */
import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { KEY_BYTES, Z85_KEY_CHARS, z85Decode, z85KeyProblem } from '../protocol/peer-key.js';
import type { CurveKeyPair } from './curve-keys.js';

const LABEL = 'peerstreamer routing id v1';
const PROOF_HEX = 32;
const NONCE_HEX = 16;
/** `<40 z85>.<16 hex>.<32 hex>` */
export const ROUTING_ID_CHARS = Z85_KEY_CHARS + 1 + NONCE_HEX + 1 + PROOF_HEX;

const base64url = (key: string): string => z85Decode(key).toString('base64url');

function privateKeyOf(pair: CurveKeyPair): KeyObject {
  return createPrivateKey({
    key: { kty: 'OKP', crv: 'X25519', d: base64url(pair.secretKey), x: base64url(pair.publicKey) },
    format: 'jwk',
  });
}

function publicKeyOf(key: string): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: base64url(key) }, format: 'jwk' });
}

/** The proof for `clientKey` to `serverKey`, from whichever side's secret is at hand. */
function proof(
  own: KeyObject,
  other: string,
  clientKey: string,
  nonce: string,
  serverKey: string,
): string | undefined {
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey: own, publicKey: publicKeyOf(other) });
  } catch {
    return undefined; // a point X25519 refuses (low order): no one can prove such a key
  }
  if (shared.length !== KEY_BYTES || shared.every((byte) => byte === 0)) return undefined;
  return createHmac('sha256', shared)
    .update(`${LABEL}\n${clientKey}\n${nonce}\n${serverKey}`)
    .digest('hex')
    .slice(0, PROOF_HEX);
}

/** The routing id a DEALER with `own` keys sets to talk to the server whose key is `serverKey`. */
export function routingIdFor(own: CurveKeyPair, serverKey: string): string {
  const nonce = randomBytes(NONCE_HEX / 2).toString('hex');
  const made = proof(privateKeyOf(own), serverKey, own.publicKey, nonce, serverKey);
  if (made === undefined) throw new Error('cannot make a routing id for an unusable server key');
  return `${own.publicKey}.${nonce}.${made}`;
}

export interface RoutingIdentity {
  /** The sender's proven z85 public key, or undefined when the routing id proves none. */
  peerKey: string | undefined;
  /** What the server calls this peer in counters and logs: never the routing id (it holds a proof). */
  peerId: string;
}

/** The server's side: reads routing ids, remembering the answer for each (bounded). */
export class RoutingIdVerifier {
  private readonly own: KeyObject;
  private readonly known = new Map<string, RoutingIdentity>();

  constructor(
    private readonly keys: CurveKeyPair,
    private readonly remember = 4096,
  ) {
    this.own = privateKeyOf(keys);
  }

  identify(routingId: Buffer): RoutingIdentity {
    const text = routingId.toString('latin1');
    let identity = this.known.get(text);
    if (identity === undefined) {
      identity = { peerKey: this.verify(text), peerId: peerIdOf(routingId) };
      // Forgetting all at once is crude but bounded; a verification costs about 50 µs.
      if (this.known.size >= this.remember) this.known.clear();
      this.known.set(text, identity);
    }
    return identity;
  }

  private verify(text: string): string | undefined {
    const [claimed, nonce, given] = [
      text.slice(0, Z85_KEY_CHARS),
      text.slice(Z85_KEY_CHARS + 1, Z85_KEY_CHARS + 1 + NONCE_HEX),
      text.slice(-PROOF_HEX),
    ];
    if (text.length !== ROUTING_ID_CHARS || `${claimed}.${nonce}.${given}` !== text) return undefined;
    if (z85KeyProblem(claimed) !== null || !/^[0-9a-f]+$/.test(nonce + given)) return undefined;
    const expected = proof(this.own, claimed, claimed, nonce, this.keys.publicKey);
    if (expected === undefined || !timingSafeEqual(Buffer.from(expected), Buffer.from(given))) {
      return undefined;
    }
    return claimed;
  }
}

/** A short name for a connection: a hash of its routing id, so the proof never reaches a log. */
export function peerIdOf(routingId: Buffer): string {
  return createHash('sha256').update(routingId).digest('hex').slice(0, 16);
}
