import type { Command } from './command.js';
import { addCommand } from './commands/add.js';
import { lsCommand } from './commands/ls.js';
import { exportCommand } from './commands/export.js';
import { verifyCommand } from './commands/verify.js';
import { importLegacyCommand } from './commands/import-legacy.js';

export const commands: Command[] = [addCommand, lsCommand, exportCommand, verifyCommand, importLegacyCommand];

export function findCommand(name: string): Command | undefined {
  return commands.find((command) => command.name === name);
}
