/**
 * What a person sees for the commonest slips: a mistyped command or flag gets one line with the most
 * likely meaning and exit code 2; `--version` prints the version from package.json, also from an
 * installed copy of the package.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, assertBuilt, runCli, type CliResult } from '../helpers/swarm.js';
import { expectOneLineError } from './cli-helpers.js';
import { tempDir } from '../helpers/temp-dirs.js';

const version = (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string })
  .version;
let work: string;

beforeAll(() => {
  assertBuilt();
  work = tempDir('cli-typos');
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

function runNode(script: string, args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** What npm installs beside the package: the CLI's own dependencies (the parser) must resolve. */
function withDependencies(dir: string): void {
  mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  symlinkSync(path.join(REPO, 'node_modules', 'commander'), path.join(dir, 'node_modules', 'commander'));
}

describe('--version', () => {
  it.each(['--version', '-v'])('%s prints the version in package.json', async (flag) => {
    const result = await runCli([flag]);
    expect(result).toEqual({ code: 0, stdout: `peerstreamer ${version}\n`, stderr: '' });
  });

  it('reads the installed package’s own package.json, not the app’s that installed it', async () => {
    const app = path.join(work, 'app');
    const installed = path.join(app, 'node_modules', 'peerstreamer');
    mkdirSync(installed, { recursive: true });
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'some-app', version: '1.0.0' }));
    writeFileSync(
      path.join(installed, 'package.json'),
      JSON.stringify({ name: 'peerstreamer', version: '7.8.9-installed', type: 'module' }),
    );
    cpSync(path.join(REPO, 'dist', 'core'), path.join(installed, 'dist', 'core'), { recursive: true });
    withDependencies(app);
    const result = await runNode(path.join(installed, 'dist', 'core', 'cli', 'main.js'), ['--version']);
    expect(result).toEqual({ code: 0, stdout: 'peerstreamer 7.8.9-installed\n', stderr: '' });
  });

  it('says the installation is incomplete when no package.json of peerstreamer is above it', async () => {
    const broken = path.join(work, 'broken');
    mkdirSync(broken, { recursive: true });
    writeFileSync(path.join(broken, 'package.json'), JSON.stringify({ name: 'other', type: 'module' }));
    cpSync(path.join(REPO, 'dist', 'core'), path.join(broken, 'dist', 'core'), { recursive: true });
    withDependencies(broken);
    const result = await runNode(path.join(broken, 'dist', 'core', 'cli', 'main.js'), ['--version']);
    expectOneLineError(result, /no package\.json of peerstreamer found in .*broken/, /reinstall it/);
    expect(result.code).toBe(1);
  });
});

describe('a mistyped command', () => {
  it.each<[string, string]>([
    ['plya', 'play'],
    ['stat', 'stats'],
    ['topolgy', 'topology'],
    ['hlep', 'help'],
    ['exprot', 'export'],
    ['veryfi', 'verify'],
    ['lss', 'ls'],
    // Cut short or in capitals: too far for commander's edit distance, yet plainly meant.
    ['import', 'import-legacy'],
    ['PLAY', 'play'],
  ])('%s: one line suggesting `%s`, exit 2', async (typed, meant) => {
    const result = await runCli([typed, '--from', 'tcp://127.0.0.1:1']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `peerstreamer: error: unknown command '${typed}'; did you mean ${meant}? Run \`peerstreamer --help\` to list commands.\n`,
    );
  });

  it('help for a mistyped command answers as the command itself would', async () => {
    const result = await runCli(['help', 'plya']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "peerstreamer: error: unknown command 'plya'; did you mean play? Run `peerstreamer --help` to list commands.\n",
    );
  });

  it.each(['frobnicate', 'xyzzy', 'serve'])('suggests nothing for %s, which is no slip', async (typed) => {
    const result = await runCli([typed]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `peerstreamer: error: unknown command '${typed}'. Run \`peerstreamer --help\` to list commands.\n`,
    );
  });
});

describe('a mistyped flag, for every command', () => {
  const cases: Array<[string, string[], string, string]> = [
    ['add', ['add', 'x.mp4', '--stroe', 'd'], '--stroe', '--store'],
    ['add', ['add', 'x.mp4', '--chunk-durration', '2s'], '--chunk-durration', '--chunk-duration'],
    ['ls', ['ls', '--jsno'], '--jsno', '--json'],
    ['export', ['export', 'v', '--from', '2'], '--from', '--from-chunk'],
    ['export', ['export', 'v', '--ouptut', 'f'], '--ouptut', '--output'],
    ['verify', ['verify', '--stor', 'd'], '--stor', '--store'],
    ['import-legacy', ['import-legacy', 'db', '--sotre', 'd'], '--sotre', '--store'],
    ['node', ['node', '--nmae', 'x'], '--nmae', '--name'],
    ['node', ['node', '--name', 'x', '--mater', 'tcp://127.0.0.1:1'], '--mater', '--master'],
    ['node', ['node', '--name', 'x', '--supermastr', 'tcp://127.0.0.1:1'], '--supermastr', '--supermaster'],
    ['node', ['--nmae', 'x'], '--nmae', '--name'],
    ['play', ['play', 'v', '--frmo', 'tcp://127.0.0.1:1'], '--frmo', '--from'],
    ['play', ['play', 'v', '--strat', '3'], '--strat', '--start'],
    ['stats', ['stats', '--form', 'tcp://127.0.0.1:1'], '--form', '--from'],
    ['topology', ['topology', '--jsn'], '--jsn', '--json'],
    ['demo', ['demo', '--viewr', 'ben'], '--viewr', '--viewer'],
    ['demo', ['demo', '--ui-prot', '0'], '--ui-prot', '--ui-port'],
    ['play', ['play', 'v', '--hlep'], '--hlep', '--help'],
  ];
  it.each(cases)('%s %s: %s gets one line suggesting %s, exit 2', async (command, args, typed, meant) => {
    const result = await runCli(args);
    const line = expectOneLineError(
      result,
      new RegExp(`${command}: unknown option '${typed}'; did you mean ${meant}\\?`),
      new RegExp(`Run \`peerstreamer ${command} --help\``),
    );
    expect(line).not.toMatch(/To specify a positional/);
    expect(result.code).toBe(2);
  });

  it('names an unknown flag without a guess when nothing is close', async () => {
    const result = await runCli(['play', 'v', '--colour', 'red']);
    const line = expectOneLineError(
      result,
      /play: unknown option '--colour'\. Run `peerstreamer play --help`/,
    );
    expect(line).not.toContain('did you mean');
    expect(result.code).toBe(2);
  });
});
