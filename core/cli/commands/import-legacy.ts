import type { Command } from 'commander';
import { newCommand, requiredFlag } from '../command.js';
import { storeDirectory, withStore } from '../open-store.js';
import { checkLegacyDatabase, importLegacyDatabase } from '../../library/legacy-import.js';
import { PeerStreamerError, isPeerStreamerError } from '../../util/errors.js';

export function importLegacyCommand(): Command {
  return newCommand('import-legacy')
    .usage('<db-dir> --store <dir> [--replace]')
    .description(
      'Reads <db-dir>/manifest.json ({"name": chunkCount}) and <db-dir>/<name>/<n>.chunk, as the original bin/split_video wrote them, into the store. ' +
        'Such videos are byte-split: they play in order from the start (export reproduces the original bytes exactly) but cannot seek.',
    )
    .argument('<db-dir>', "the original system's video database")
    .addOption(requiredFlag('--store <dir>', 'the store directory', storeDirectory))
    .option('--replace', 'replace videos of the same name')
    .action(importLegacy);
}

async function importLegacy(
  databaseDir: string,
  options: { store: string; replace?: boolean },
): Promise<void> {
  const dir = options.store;
  // Checked before the store is opened, so a bad database does not even create the store directory.
  const checked = await checkLegacyDatabase(databaseDir);
  const result = await withStore(dir, (store) =>
    importLegacyDatabase(databaseDir, store, {
      checked,
      replace: options.replace === true,
      onVideo: (name, chunks) =>
        process.stderr.write(`imported ${name} (${chunks} chunk${chunks === 1 ? '' : 's'})\n`),
    }),
  ).catch((error: unknown) => {
    // The store's wording serves every caller; here it names the database and the flag that helps.
    if (isPeerStreamerError(error, 'VIDEO_EXISTS') && !/in progress/.test(error.message)) {
      const name = String(error.context.video ?? '');
      throw new PeerStreamerError(
        'VIDEO_EXISTS',
        `cannot import ${databaseDir}: the store ${dir} already has a video named ${JSON.stringify(name)}. Pass --replace to overwrite it, or rename it in the database's manifest.json and directory. Nothing was imported.`,
        { ...error.context, database: databaseDir },
        { cause: error },
      );
    }
    throw error;
  });
  process.stdout.write(`imported ${result.imported.length} video(s) into ${dir}\n`);
}
