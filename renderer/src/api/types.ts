/** The node's API shapes, imported as types only: the renderer never loads core/ code. */
export type {
  ChunkOrigin,
  GoLiveRequest,
  LibraryEntry,
  LinkCheck,
  LiveSessionView,
  LiveStreamUpdate,
  LiveUpdate,
  NodeStats,
  PeerStat,
  StopLiveReply,
  StopLiveRequest,
  TopologyNode,
  VideoLinkReply,
} from '../../../core/shared/api-types.js';
export type { ChunkEntry, Manifest, MediaManifest } from '../../../core/shared/manifest.js';
