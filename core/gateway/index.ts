export type { GatewayBackend } from './backend.js';
export { createGateway, type Gateway, type GatewayOptions } from './gateway.js';
export { serveGatewayHttp, type ServeOptions, type ServedGateway } from './serve-http.js';
export { createGatewayToken } from './token.js';
export { hlsPlaylist } from './hls.js';
