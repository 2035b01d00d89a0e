/**
 * How the command line is read, now that commander reads it: `--flag=value`, a flag given twice, no
 * abbreviations, `--` before arguments that begin with a dash, `help <command>`, and no command at
 * all. Each check uses a command that fails or stops before it needs ffmpeg or a running node.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli } from '../helpers/swarm.js';
import { expectOneLineError, literal } from './cli-helpers.js';
import { tempDir } from '../helpers/temp-dirs.js';

let work: string;

beforeAll(() => {
  assertBuilt();
  work = tempDir('cli-flag-syntax');
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('flag values', () => {
  it('--flag=value is the same as --flag value', async () => {
    const missing = path.join(work, 'no-such-store');
    const result = await runCli(['verify', `--store=${missing}`]);
    expectOneLineError(result, literal(`the store ${missing} does not exist`));
    expect(result.code).toBe(1);
    expectOneLineError(
      await runCli(['add', 'x.mp4', `--store=${missing}`, '--chunk-size=1k']),
      /--chunk-size "1k" is out of range/,
    );
  });

  it('a value that starts with a dash is still the flag’s value (the validator says why it is wrong)', async () => {
    const result = await runCli(['add', 'x.mp4', '--store', path.join(work, 's'), '--chunk-duration', '-1']);
    expectOneLineError(result, /--chunk-duration "-1" is out of range/);
    expect(result.code).toBe(2);
  });

  it('a flag given twice: the last value counts, but every value must be valid', async () => {
    const first = path.join(work, 'first');
    const last = path.join(work, 'last');
    expectOneLineError(await runCli(['verify', '--store', first, '--store', last]), literal(last));
    const result = await runCli(['stats', '--from', 'http://x:1', '--from', 'tcp://127.0.0.1:1']);
    expectOneLineError(result, /--from "http:\/\/x:1" is not a node address/);
    expect(result.code).toBe(2);
  });

  it('a short flag takes its value attached or apart', async () => {
    const store = path.join(work, 'empty-store');
    mkdirSync(store, { recursive: true });
    const out = path.join(work, 'out.mp4');
    for (const args of [['-o', out], [`-o${out}`]]) {
      const result = await runCli(['export', 'clip', '--store', store, ...args]);
      expectOneLineError(result, /video "clip" is not in the store/);
    }
  });
});

describe('abbreviations', () => {
  it('are not taken: a flag cut short is refused, with the flag it begins as the guess', async () => {
    const result = await runCli(['verify', '--sto', path.join(work, 'x')]);
    expectOneLineError(result, /verify: unknown option '--sto'; did you mean --store\?/);
    expect(result.code).toBe(2);
  });

  it('get no guess when they begin more than one flag', async () => {
    const result = await runCli(['add', 'x.mp4', '--store', path.join(work, 'x'), '--chunk', '2s']);
    const line = expectOneLineError(result, /add: unknown option '--chunk'\. Run `peerstreamer add --help`/);
    expect(line).not.toContain('did you mean');
  });
});

describe('--', () => {
  it('makes every later word an argument, even one that begins with a dash', async () => {
    const store = path.join(work, 'no-store');
    const result = await runCli(['export', '--store', store, '--', '-a', '--b']);
    expectOneLineError(result, /export: expected 1 argument \(<name>\), got "-a", "--b"/);
    expect(result.code).toBe(2);
  });

  it('lets a video be named like a flag', async () => {
    const store = path.join(work, 'dash-store');
    mkdirSync(store, { recursive: true });
    const out = path.join(work, 'dash.mp4');
    const result = await runCli(['export', '--store', store, '-o', out, '--', '-clip']);
    expectOneLineError(result, /video "-clip" is not in the store/);
  });
});

describe('help', () => {
  it('help <command> prints that command’s help, as <command> --help does', async () => {
    const viaHelp = await runCli(['help', 'export']);
    const viaFlag = await runCli(['export', '--help']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
    expect(viaHelp.stdout).toMatch(/^Usage: peerstreamer export <name> --store <dir>/);
    expect(viaHelp.stdout).toMatch(/--from-chunk <k> +first chunk to write/);
  });

  it('no command at all prints the overview on stdout and exits 2', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(2);
    for (const command of [
      'add',
      'ls',
      'export',
      'verify',
      'import-legacy',
      'node',
      'play',
      'stats',
      'topology',
      'demo',
    ]) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
  });

  it('--help after an argument still shows the help', async () => {
    const result = await runCli(['play', 'clip', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: peerstreamer play/);
  });
});
