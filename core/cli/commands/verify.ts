import type { Command } from 'commander';
import { newCommand, requiredFlag } from '../command.js';
import { storeDirectory, withStoreOrNode } from '../open-store.js';
import { formatBytes } from '../../shared/format.js';
import { checkStore } from '../../library/check-store.js';
import type { VerifyProblem } from '../../store/types.js';
import { INIT_INDEX } from '../../shared/segments.js';

const PROBLEM_TEXT: Record<VerifyProblem['problem'], string> = {
  missing: 'its file is missing',
  'wrong-size': 'its file has the wrong size',
  'wrong-hash': "its file's sha256 does not match the manifest",
};

export function verifyCommand(): Command {
  return newCommand('verify')
    .usage('--store <dir> [--json]')
    .description(
      'Re-reads and re-hashes every init segment and chunk against its manifest. ' +
        'Bad chunks are dropped from the index (a node fetches them again from its peers). ' +
        'Chunks missing from videos this store ingested or imported (pinned) are reported too. The exit code is 1 when any problem was found. ' +
        'When a node runs on the store, the node verifies it and drops bad chunks the same way (it stops serving them and tells its master), while it keeps serving the rest.',
    )
    .addOption(requiredFlag('--store <dir>', 'the store directory', storeDirectory))
    .option('--json', 'print the report as JSON')
    .action(verify);
}

async function verify(options: { store: string; json?: boolean }): Promise<void> {
  const dir = options.store;
  const report = await withStoreOrNode(
    dir,
    { node: (node) => node.verify(), store: checkStore },
    { mustExist: { command: 'verify' } },
  );
  const bad = report.problems.length + report.notHeld.length;
  process.exitCode = bad === 0 ? 0 : 1;
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
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
}

/** As describeSegment, without its article: the line already starts with the video's name. */
function what(index: number): string {
  return index === INIT_INDEX ? 'init segment' : `chunk ${index}`;
}
