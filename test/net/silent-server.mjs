// A CURVE server in its own process that reads requests and never answers, so a test can SIGKILL it
// with a request in flight. Usage: node silent-server.mjs. Prints `tcp://127.0.0.1:PORT#KEY` once
// bound, then `got` for each request it reads.
import * as zmq from 'zeromq';

const keys = zmq.curveKeyPair();
const router = new zmq.Router({
  linger: 0,
  curveServer: true,
  curvePublicKey: keys.publicKey,
  curveSecretKey: keys.secretKey,
});
await router.bind('tcp://127.0.0.1:*');
process.stdout.write(`${router.lastEndpoint}#${keys.publicKey}\n`);
for await (const frames of router) {
  void frames;
  process.stdout.write('got\n');
}
