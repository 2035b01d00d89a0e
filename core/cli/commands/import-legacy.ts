import type { Command } from '../command.js';
import { exactlyPositionals, parseCommand, requireString } from '../args.js';
import { withStore } from '../open-store.js';
import { checkLegacyDatabase, importLegacyDatabase } from '../../library/legacy-import.js';
import { PeerStreamerError, isPeerStreamerError } from '../../util/errors.js';

const usage = 'peerstreamer import-legacy <db-dir> --store <dir> [--replace]';

export const importLegacyCommand: Command = {
  name: 'import-legacy',
  summary: "import a video database in the original system's format",
  usage,
  help: `${usage}

Reads <db-dir>/manifest.json ({"name": chunkCount}) and <db-dir>/<name>/<n>.chunk, as the original
bin/split_video wrote them, into the store. Such videos are byte-split: they play in order from the
start (export reproduces the original bytes exactly) but cannot seek.
  --store <dir>   the store directory
  --replace       replace videos of the same name`,
  async run(argv) {
    const parsed = parseCommand('import-legacy', argv, {
      store: { type: 'string' },
      replace: { type: 'boolean' },
    });
    const [databaseDir] = exactlyPositionals(parsed, 1, 'import-legacy', '<db-dir>');
    const dir = requireString(parsed, 'store', 'import-legacy');
    // Checked before the store is opened, so a bad database does not even create the store directory.
    const checked = await checkLegacyDatabase(databaseDir!);
    const result = await withStore(dir, (store) =>
      importLegacyDatabase(databaseDir!, store, {
        checked,
        replace: parsed.values.replace === true,
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
    return 0;
  },
};
