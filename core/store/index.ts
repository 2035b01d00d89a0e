export { ChunkStore } from './chunk-store.js';
export { VideoWriter } from './video-writer.js';
export * from './types.js';
