import type { Command } from 'commander';

/**
 * Every subcommand, with just enough to list it. A command's module (and what it pulls in: zeromq,
 * SQLite, the gateway) is loaded only when that command runs, so `peerstreamer ls` does not pay for
 * the node's dependencies.
 */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

export const commands: CommandEntry[] = [
  {
    name: 'add',
    summary: 'ingest a video file into a store (the successor of bin/split_video)',
    load: async () => (await import('./commands/add.js')).addCommand(),
  },
  {
    name: 'ls',
    summary: 'list the videos in a store, or (--from) the videos a running swarm offers',
    load: async () => (await import('./commands/ls.js')).lsCommand(),
  },
  {
    name: 'export',
    summary: 'write a video (init segment + chunks k..end) as a playable file',
    load: async () => (await import('./commands/export.js')).exportCommand(),
  },
  {
    name: 'verify',
    summary: 're-hash every chunk in a store and report',
    load: async () => (await import('./commands/verify.js')).verifyCommand(),
  },
  {
    name: 'import-legacy',
    summary: "import a video database in the original system's format",
    load: async () => (await import('./commands/import-legacy.js')).importLegacyCommand(),
  },
  {
    name: 'node',
    summary: 'run a node: a source (no --master) or a child that registers with its master',
    load: async () => (await import('./commands/node.js')).nodeCommand(),
  },
  {
    name: 'live',
    summary:
      'go live on the running node: live start <name> --input <spec>, live stop <name> [--keep], live ls',
    load: async () => (await import('./commands/live.js')).liveCommand(),
  },
  {
    name: 'play',
    summary: 'stream a video through a node to stdout or a file (pipe into mpv - or ffplay -)',
    load: async () => (await import('./commands/play.js')).playCommand(),
  },
  {
    name: 'link',
    summary: 'print a link to a video that others can play or join the swarm with',
    load: async () => (await import('./commands/link.js')).linkCommand(),
  },
  {
    name: 'stats',
    summary: "print a node's counters: bytes served and fetched by origin, chunks held, peers",
    load: async () => (await import('./commands/stats.js')).statsCommand(),
  },
  {
    name: 'topology',
    summary: 'print the tree a node knows (itself and everything registered below it)',
    load: async () => (await import('./commands/topology.js')).topologyCommand(),
  },
  {
    name: 'demo',
    summary: 'start a local swarm (a source, two level-1 and three level-2 nodes) and print a player URL',
    load: async () => (await import('./commands/demo.js')).demoCommand(),
  },
];
