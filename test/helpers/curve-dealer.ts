/**
 * A raw ZeroMQ DEALER that speaks CURVE to a node, as hostile tests need: with a key pair of its
 * own (or one it was given), and a routing id that proves it (`proveKey`), a forged one, or none.
 */
import * as zmq from 'zeromq';
import { newCurveKeyPair, type CurveKeyPair } from '../../core/net/curve-keys.js';
import { routingIdFor } from '../../core/net/routing-proof.js';

export interface CurveDealerOptions {
  keys?: CurveKeyPair;
  /** Make the routing id a PeerClient would (it proves `keys`). Default false: libzmq's own. */
  proveKey?: boolean;
  routingId?: string;
  receiveTimeout?: number;
}

export function curveDealer(
  address: string,
  serverKey: string,
  options: CurveDealerOptions = {},
): { dealer: zmq.Dealer; keys: CurveKeyPair } {
  const keys = options.keys ?? newCurveKeyPair();
  const routingId = options.proveKey ? routingIdFor(keys, serverKey) : options.routingId;
  const dealer = new zmq.Dealer({
    linger: 0,
    curveServerKey: serverKey,
    curvePublicKey: keys.publicKey,
    curveSecretKey: keys.secretKey,
    ...(routingId !== undefined ? { routingId } : {}),
    ...(options.receiveTimeout !== undefined ? { receiveTimeout: options.receiveTimeout } : {}),
  });
  dealer.connect(address);
  return { dealer, keys };
}
