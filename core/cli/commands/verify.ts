import type { Command } from '../command.js';
import { parseCommand, requireString } from '../args.js';
import { withStore } from '../open-store.js';
import { formatBytes } from '../../util/units.js';

const usage = 'peerstreamer verify --store <dir> [--json]';

export const verifyCommand: Command = {
  name: 'verify',
  summary: 're-hash every chunk in a store and report',
  usage,
  help: `${usage}

Re-reads and re-hashes every init segment and chunk against its manifest. Bad chunks are dropped from
the index (a node fetches them again from its peers); the exit code is 1 when any problem was found.
  --store <dir>   the store directory
  --json          print the report as JSON`,
  async run(argv) {
    const parsed = parseCommand('verify', argv, { store: { type: 'string' }, json: { type: 'boolean' } });
    const dir = requireString(parsed, 'store', 'verify');
    const report = await withStore(dir, (store) => store.verifyAll());
    if (parsed.values.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      process.stdout.write(
        `checked ${report.checkedChunks} chunks (${formatBytes(report.checkedBytes)}): ${report.problems.length} problem(s)\n`,
      );
      for (const problem of report.problems) {
        const what = problem.index === -1 ? 'init segment' : `chunk ${problem.index}`;
        process.stdout.write(`  ${problem.video} ${what}: ${problem.problem}\n`);
      }
    }
    return report.problems.length === 0 ? 0 : 1;
  },
};
