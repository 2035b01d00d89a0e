/**
 * A node's CURVE key pair, in Z85 as libzmq takes it. A node keeps one in its store (see
 * core/node/node-keys.ts); servers and clients made without one get a fresh pair for their lifetime
 * (a play client, tests), which is a real identity too, only not a lasting one.
 */
import * as zmq from 'zeromq';

export interface CurveKeyPair {
  publicKey: string;
  secretKey: string;
}

export function newCurveKeyPair(): CurveKeyPair {
  const { publicKey, secretKey } = zmq.curveKeyPair();
  return { publicKey, secretKey };
}
