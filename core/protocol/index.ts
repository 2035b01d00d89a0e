/** The PeerStreamer wire protocol: message types, limits, and the one place frames are encoded and decoded. */
export * from './limits.js';
export * from './messages.js';
export { WireProblem, type WireErrorCode, type InvalidReason } from './problems.js';
export { tcpAddressProblem, parseTcpAddress, type TcpAddress } from './address.js';
export {
  encodeRequest,
  decodeRequest,
  encodeOkReply,
  encodeErrorReply,
  decodeReply,
  isRequestType,
  type Frame,
} from './codec.js';
export { replyMismatch } from './match.js';
export { countIndexes } from './inventory.js';
export { videoNameProblem } from '../shared/video-name.js';
export { printableProblem } from './fields.js';
