// A hostile peer in its own process: it speaks ZeroMQ directly and sends what no PeerClient would.
// Usage: node hostile-client.mjs tcp://127.0.0.1:PORT ROUTING_ID SERVER_KEY (CURVE, a key of its own)
// Prints one JSON line: { sent, replies, pong }.
import * as zmq from 'zeromq';
import { Packr, Unpackr } from 'msgpackr';
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';

const [address, routingId, serverKey] = process.argv.slice(2);
const own = zmq.curveKeyPair();
const packr = new Packr({ useRecords: false });
const unpackr = new Unpackr({ useRecords: false });
const dealer = new zmq.Dealer({
  linger: 0,
  routingId,
  receiveTimeout: 3000,
  curveServerKey: serverKey,
  curvePublicKey: own.publicKey,
  curveSecretKey: own.secretKey,
});
dealer.connect(address);

const garbage = [
  [randomBytes(100)],
  [Buffer.alloc(0)],
  [packr.pack([1, 2, 3])],
  [packr.pack({ v: 1, id: 1, type: 'get', video: '../../etc/passwd', index: 0, fetchUpstream: false })],
  [packr.pack({ v: 1, id: 2, type: 'get', video: 'v', index: -3, fetchUpstream: false })],
  [packr.pack({ v: 1, id: 3, type: 'get', video: 'v', index: 'zero', fetchUpstream: false })],
  [packr.pack({ v: 7, id: 4, type: 'ping' })],
  [packr.pack({ v: 1, id: 5, type: 'format-disk' })],
];
for (const frames of garbage) await dealer.send(frames);
let replies = 0;
for (let i = 0; i < garbage.length; i++) {
  await dealer.receive();
  replies++;
}
await dealer.send(packr.pack({ v: 1, id: 6, type: 'ping', name: 'hostile' }));
const [pong] = await dealer.receive();
console.log(JSON.stringify({ sent: garbage.length, replies, pong: unpackr.unpack(pong) }));
dealer.close();
