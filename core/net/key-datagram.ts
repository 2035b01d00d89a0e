/**
 * The key ask over UDP, both sides' datagrams. A node answers on the UDP port with the number of its
 * TCP port (another protocol, so no clash, and `--port 0` needs nothing more), with its Z85 public
 * key. The ask is padded to more bytes than the answer, so the responder can never be used to
 * amplify a flood at a forged source address; anything that is not exactly an ask gets no answer.
 */
import { Z85_KEY_CHARS, z85KeyProblem } from '../protocol/peer-key.js';

const ASK_MAGIC = 'PSKEY?1\n';
const ANSWER_MAGIC = 'PSKEY=1\n';
/** The ask: its magic, then zeros up to this size. */
export const ASK_BYTES = 64;
export const ANSWER_BYTES = ANSWER_MAGIC.length + Z85_KEY_CHARS;

export function askDatagram(): Buffer {
  const ask = Buffer.alloc(ASK_BYTES);
  ask.write(ASK_MAGIC, 'latin1');
  return ask;
}

/** Whether `datagram` is an ask, exactly: its size, its magic and zeros after. */
export function isAsk(datagram: Buffer): boolean {
  if (datagram.length !== ASK_BYTES) return false;
  if (datagram.toString('latin1', 0, ASK_MAGIC.length) !== ASK_MAGIC) return false;
  for (let at = ASK_MAGIC.length; at < ASK_BYTES; at++) if (datagram[at] !== 0) return false;
  return true;
}

export function answerDatagram(publicKey: string): Buffer {
  return Buffer.from(ANSWER_MAGIC + publicKey, 'latin1');
}

/** The key in an answer, or why the datagram is not one. */
export function readAnswer(datagram: Buffer): { key: string } | { problem: string } {
  if (datagram.length !== ANSWER_BYTES) {
    return { problem: `an answer of ${datagram.length} bytes (expected ${ANSWER_BYTES})` };
  }
  if (datagram.toString('latin1', 0, ANSWER_MAGIC.length) !== ANSWER_MAGIC) {
    return { problem: 'an answer that is not a PeerStreamer key answer' };
  }
  const key = datagram.toString('latin1', ANSWER_MAGIC.length);
  const problem = z85KeyProblem(key);
  return problem === null ? { key } : { problem: `an answer whose key is not usable (${problem})` };
}
