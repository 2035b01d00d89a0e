import type { Command } from './command.js';
import { addCommand } from './commands/add.js';
import { lsCommand } from './commands/ls.js';
import { exportCommand } from './commands/export.js';
import { verifyCommand } from './commands/verify.js';
import { importLegacyCommand } from './commands/import-legacy.js';
import { nodeCommand } from './commands/node.js';
import { statsCommand } from './commands/stats.js';
import { topologyCommand } from './commands/topology.js';
import { playCommand } from './commands/play.js';
import { demoCommand } from './commands/demo.js';

export const commands: Command[] = [
  addCommand,
  lsCommand,
  exportCommand,
  verifyCommand,
  importLegacyCommand,
  nodeCommand,
  playCommand,
  statsCommand,
  topologyCommand,
  demoCommand,
];

export function findCommand(name: string): Command | undefined {
  return commands.find((command) => command.name === name);
}
