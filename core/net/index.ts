/** ZeroMQ transport: one PeerServer (ROUTER) per node, one PeerClient (pool of DEALERs) per node. */
export { PeerServer, type PeerServerOptions } from './server.js';
export type { ServerCounters } from './server-counters.js';
export type { PeerContext, Handler, HandlerResult, RequestRouter } from './handlers.js';
export type { Transport, RequestOptions } from './transport.js';
export { PeerClient, type PeerClientOptions, type ClientReply } from './client.js';
export type { ClientCounters } from './client-counters.js';
export type { PeerSnapshot, PeerCounters } from './peer-table.js';
export { ROUTER_SOCKET_OPTIONS, DEALER_SOCKET_OPTIONS, type SocketOptionSpec } from './socket-options.js';
export { remoteError } from './remote-error.js';
export { tryPeers, type TryPeersResult } from './try-peers.js';
