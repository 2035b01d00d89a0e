import type { Command } from '../command.js';
import { parseCommand, requireString } from '../args.js';
import { withStoreOrNode } from '../open-store.js';
import { formatBytes } from '../../shared/format.js';
import { checkStore } from '../../library/check-store.js';
import type { VerifyProblem } from '../../store/types.js';

const PROBLEM_TEXT: Record<VerifyProblem['problem'], string> = {
  missing: 'its file is missing',
  'wrong-size': 'its file has the wrong size',
  'wrong-hash': "its file's sha256 does not match the manifest",
};

const usage = 'peerstreamer verify --store <dir> [--json]';

export const verifyCommand: Command = {
  name: 'verify',
  summary: 're-hash every chunk in a store and report',
  usage,
  help: `${usage}

Re-reads and re-hashes every init segment and chunk against its manifest. Bad chunks are dropped from
the index (a node fetches them again from its peers). Chunks missing from videos this store ingested
or imported (pinned) are reported too. The exit code is 1 when any problem was found. When a node
runs on the store, the node verifies it and drops bad chunks the same way (it stops serving them and
tells its master), while it keeps serving the rest.
  --store <dir>   the store directory
  --json          print the report as JSON`,
  async run(argv) {
    const parsed = parseCommand('verify', argv, { store: { type: 'string' }, json: { type: 'boolean' } });
    const dir = requireString(parsed, 'store', 'verify');
    const report = await withStoreOrNode(
      dir,
      { node: (node) => node.verify(), store: checkStore },
      { mustExist: { command: 'verify' } },
    );
    const bad = report.problems.length + report.notHeld.length;
    if (parsed.values.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return bad === 0 ? 0 : 1;
    }
    const parts = [
      ...(report.problems.length > 0 ? [`${report.problems.length} bad, dropped from the store`] : []),
      ...(report.notHeld.length > 0 ? [`${report.notHeld.length} missing from pinned videos`] : []),
    ];
    process.stdout.write(
      `checked ${report.checkedChunks} chunks (${formatBytes(report.checkedBytes)}) in ${dir}: ${bad === 0 ? 'all good' : parts.join(', ')}\n`,
    );
    for (const problem of report.problems) {
      process.stdout.write(`  ${problem.video} ${what(problem.index)}: ${PROBLEM_TEXT[problem.problem]}\n`);
    }
    for (const key of report.notHeld) {
      process.stdout.write(
        `  ${key.video} ${what(key.index)}: not held (its file was missing or had the wrong size, so the store dropped it)\n`,
      );
    }
    if (bad > 0) {
      const names = [...report.problems, ...report.notHeld].map((entry) => JSON.stringify(entry.video));
      process.stdout.write(
        `To restore ${[...new Set(names)].join(', ')}: add the source file again with \`peerstreamer add <file> --store ${dir} --name <name> --replace\`, or let a node fetch the chunks from its peers.\n`,
      );
    }
    return bad === 0 ? 0 : 1;
  },
};

function what(index: number): string {
  return index === -1 ? 'init segment' : `chunk ${index}`;
}
