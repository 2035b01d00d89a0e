import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { BenchRow, BenchSuite } from './harness.js';

/** Suites register here; `npm run bench -- store` runs only suites whose name contains "store". */
const suites: Array<() => Promise<BenchSuite>> = [
  () => import('./store.bench.js').then((module) => module.suite),
  () => import('./media.bench.js').then((module) => module.suite),
  () => import('./curve.bench.js').then((module) => module.suite),
  () => import('./node.bench.js').then((module) => module.suite),
  () => import('./player.bench.js').then((module) => module.suite),
  () => import('./sim.bench.js').then((module) => module.suite),
  () => import('./schema.bench.js').then((module) => module.suite),
  () => import('./flood.bench.js').then((module) => module.suite),
  () => import('./trust.bench.js').then((module) => module.suite),
  () => import('./live.bench.js').then((module) => module.suite),
];

function formatValue(row: BenchRow): string {
  const digits = Math.abs(row.value) >= 100 ? 0 : Math.abs(row.value) >= 10 ? 1 : 2;
  return `${row.value.toFixed(digits)} ${row.unit}`;
}

function printTable(rows: BenchRow[]): void {
  const header = ['suite', 'what', 'measured', 'target', 'ok', 'detail'];
  const lines = rows.map((row) => [
    row.suite,
    row.what,
    formatValue(row),
    row.target,
    row.pass ? 'yes' : 'NO',
    row.detail ?? '',
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => line[column]!.length)),
  );
  const render = (cells: string[]): string =>
    cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ');
  console.log(render(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const line of lines) console.log(render(line));
}

async function main(): Promise<void> {
  const filter = process.argv[2] ?? '';
  const rows: BenchRow[] = [];
  for (const load of suites) {
    const suite = await load();
    if (!suite.name.includes(filter)) continue;
    console.error(`running ${suite.name} ...`);
    rows.push(...(await suite.run()));
  }
  printTable(rows);
  const resultsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = path.join(resultsDir, `bench-${stamp}.json`);
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), rows }, null, 2));
  console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
}

await main();
