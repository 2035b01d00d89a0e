import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INIT_INDEX } from '../../core/store/types.js';
import { compileStore, fixtures } from './compiled-store.js';
import { expectCode, openStore, sha256 } from './helpers.js';
import { cleanupTempDirs, tempDir } from '../helpers/temp-dirs.js';

let compiled: ReturnType<typeof compileStore>;
const children = new Set<ChildProcess>();

beforeAll(() => {
  compiled = compileStore();
});

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  compiled.cleanup();
  cleanupTempDirs();
});

/** Starts a fixture script and resolves with the first line it prints. */
function startChild(script: string, args: string[]): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, [path.join(fixtures, script), compiled.moduleUrl, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (data: Buffer) => {
      stdout += data.toString();
      const end = stdout.indexOf('\n');
      if (end >= 0) resolve({ child, line: stdout.slice(0, end) });
    });
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code} before printing: ${stderr}`)));
  });
}

/** Starts a fixture script that prints lines as it goes; `waitFor` resolves at the first line matching. */
function startTalkingChild(
  script: string,
  args: string[],
): { child: ChildProcess; lines: string[]; waitFor(pattern: RegExp): Promise<string> } {
  const child = spawn(process.execPath, [path.join(fixtures, script), compiled.moduleUrl, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  const lines: string[] = [];
  let stderr = '';
  let partial = '';
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
  child.stdout!.on('data', (data: Buffer) => {
    const parts = (partial + data.toString()).split('\n');
    partial = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const waiter of waiters.splice(0)) {
        if (waiter.pattern.test(line)) waiter.resolve(line);
        else waiters.push(waiter);
      }
    }
  });
  const exited = new Promise<never>((_, reject) =>
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}: ${stderr}`))),
  );
  exited.catch(() => undefined);
  return {
    child,
    lines,
    waitFor: (pattern) =>
      Promise.race([
        exited,
        new Promise<string>((resolve) => {
          const seen = lines.find((line) => pattern.test(line));
          if (seen !== undefined) resolve(seen);
          else waiters.push({ pattern, resolve });
        }),
      ]),
  };
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  }).then(() => {
    children.delete(child);
  });
}

describe('one store, several processes', () => {
  it('gives a second opener STORE_LOCKED naming the directory and the holder, until the holder dies', async () => {
    const dir = tempDir('locked');
    const { child, line } = await startChild('hold-open.mjs', [dir]);
    expect(line).toBe(`open ${child.pid}`);

    const error = await expectCode(openStore(dir), 'STORE_LOCKED');
    expect(error.message).toContain(dir);
    expect(error.message).toContain(`process ${child.pid}`);
    // A failed attempt must not weaken the holder's lock.
    await expectCode(openStore(dir), 'STORE_LOCKED');
    const second = await startChild('hold-open.mjs', [dir]).catch((e: Error) => e);
    expect(String((second as { line?: string }).line ?? second)).toMatch(/STORE_LOCKED/);

    await kill(child);
    const store = await openStore(dir);
    // And now this process holds it: a child is refused.
    const third = await startChild('hold-open.mjs', [dir]);
    expect(third.line).toMatch(/^error STORE_LOCKED .*process \d+/);
    store.close();
    const fourth = await startChild('hold-open.mjs', [dir]);
    expect(fourth.line).toMatch(/^open /);
    await kill(fourth.child);
  });

  it('refuses a second open of the same store inside one process', async () => {
    const dir = tempDir('twice');
    const store = await openStore(dir);
    try {
      const error = await expectCode(openStore(path.join(dir, '.')), 'STORE_LOCKED');
      expect(error.message).toContain('this process');
      expect(error.message).toContain(dir);
      store.putManifest({
        version: 1,
        kind: 'legacy',
        name: 'still works',
        mimeType: 'application/octet-stream',
        duration: null,
        width: null,
        height: null,
        init: null,
        createdAt: '2026-01-01T00:00:00.000Z',
        chunks: [],
      });
    } finally {
      store.close();
    }
  });

  it('survives SIGKILL at random moments: every chunk it returns afterwards is whole and verified', async () => {
    const dir = tempDir('crash');
    const repairs: number[] = [];
    for (let run = 0; run < 20; run++) {
      const { child } = await startChild('crash-writer.mjs', [dir, String(run)]);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 300));
      // Still writing when killed; a writer that died on its own would prove nothing.
      expect(child.exitCode, `crash-writer run ${run} stopped by itself`).toBeNull();
      await kill(child);

      const store = await openStore(dir);
      try {
        repairs.push(store.reconcileReport.tempFiles + store.reconcileReport.orphanBlobs);
        const held = store.heldChunks();
        expect(held.length).toBeGreaterThan(0);
        for (const key of held) {
          const manifest = store.getManifest(key.video)!;
          const ref = key.index === INIT_INDEX ? manifest.init! : manifest.chunks[key.index]!;
          const bytes =
            key.index === INIT_INDEX
              ? await store.getInit(key.video, { verify: true })
              : await store.getChunk(key.video, key.index, { verify: true });
          expect(bytes, `run ${run}: ${key.video}/${key.index}`).toBeDefined();
          expect(bytes!.length).toBe(ref.size);
          expect(sha256(bytes!)).toBe(ref.sha256);
        }
        expect((await store.verifyAll()).problems).toEqual([]);
        expect(readdirSync(path.join(dir, 'tmp'))).toEqual([]);
      } finally {
        store.close();
      }
    }
    console.log(`crash runs: temp files + orphans found per reopen: ${repairs.join(' ')}`);
  });

  it('survives SIGKILL in the middle of a batch: no partial video, committed ones whole, cached chunks verified', async () => {
    const dir = tempDir('batch-crash');
    const landed = { ingest: 0, puts: 0 };
    for (let run = 0; run < 8; run++) {
      const kind = run % 2 === 0 ? 'ingest' : 'puts';
      const round = run % 3;
      const writer = startTalkingChild('batch-crash-writer.mjs', [dir, String(run)]);
      await writer.waitFor(new RegExp(`^mid-batch ${round} ${kind}$`));
      await kill(writer.child);
      const committed = writer.lines
        .filter((line) => line.startsWith('committed '))
        .map((line) => line.slice(10));

      const store = await openStore(dir);
      try {
        const videos = new Map(store.listVideos().map((video) => [video.name, video]));
        const cutShort = `${kind === 'ingest' ? 'ingest' : 'cached'} ${run}-${round}`;
        if (!committed.includes(cutShort)) landed[kind] += 1;
        // A video whose ingest was cut short is not there at all; every committed one is whole.
        if (kind === 'ingest' && !committed.includes(cutShort)) {
          expect(videos.has(cutShort), `run ${run}: half-ingested video visible`).toBe(false);
        }
        for (const name of committed) {
          const video = videos.get(name);
          expect(video, `run ${run}: committed ${name} missing`).toBeDefined();
          expect(video!.chunksHeld, `run ${run}: ${name}`).toBe(video!.manifest.chunks.length);
          expect(video!.hasInit).toBe(true);
        }
        // Chunks of the batch cut short may or may not have made it; any that did is whole.
        for (const key of store.heldChunks()) {
          const manifest = store.getManifest(key.video)!;
          const ref = key.index === INIT_INDEX ? manifest.init! : manifest.chunks[key.index]!;
          const bytes =
            key.index === INIT_INDEX
              ? await store.getInit(key.video, { verify: true })
              : await store.getChunk(key.video, key.index, { verify: true });
          expect(bytes, `run ${run}: ${key.video}/${key.index}`).toBeDefined();
          expect(sha256(bytes!)).toBe(ref.sha256);
        }
        expect((await store.verifyAll()).problems).toEqual([]);
        expect(readdirSync(path.join(dir, 'tmp'))).toEqual([]);
      } finally {
        store.close();
      }
    }
    // A kill that came only after the batch finished proves nothing; most land inside it.
    console.log(`kills inside a batch: ${landed.ingest}/4 ingests, ${landed.puts}/4 put groups`);
    expect(landed.ingest).toBeGreaterThan(0);
    expect(landed.puts).toBeGreaterThan(0);
  });

  it('survives SIGKILL while an ingested chunk is written under its final name: reconcile removes the partial file and nothing corrupt is served', async () => {
    const dir = tempDir('direct-crash');
    let partial = 0;
    const runs = 4;
    for (let run = 0; run < runs; run++) {
      const writer = startTalkingChild('ingest-crash-writer.mjs', [dir, String(run)]);
      const [, sha, sizeText] = (await writer.waitFor(/^writing [0-9a-f]{64} \d+$/)).split(' ') as [
        string,
        string,
        string,
      ];
      const file = path.join(dir, 'blobs', sha.slice(0, 2), sha);
      // Polled synchronously, so the kill follows the file's creation as closely as possible; the
      // child first hashes 96 MiB, and writing and syncing them takes far longer than one stat.
      const deadline = Date.now() + 60_000;
      while (!existsSync(file) && Date.now() < deadline);
      writer.child.kill('SIGKILL');
      await kill(writer.child);
      expect(existsSync(file), `run ${run}: the chunk file never appeared`).toBe(true);
      expect(writer.lines).not.toContain(`committed cut ${run}`);
      if (statSync(file).size < Number(sizeText)) partial += 1;

      const store = await openStore(dir);
      try {
        // The file under a valid hash name that nothing indexes is gone, whatever it held.
        expect(store.reconcileReport.orphanBlobs).toBeGreaterThanOrEqual(1);
        expect(existsSync(file)).toBe(false);
        const videos = new Map(store.listVideos().map((video) => [video.name, video]));
        expect(videos.has(`cut ${run}`), `run ${run}: half-ingested video visible`).toBe(false);
        expect([...videos.keys()].sort()).toEqual(Array.from({ length: run + 1 }, (_, n) => `kept ${n}`));
        for (const video of videos.values()) {
          // The chunk the cut-short ingest shared with it was reused, never rewritten: still whole.
          expect(video.chunksHeld).toBe(video.manifest.chunks.length);
          expect(video.hasInit).toBe(true);
          for (const [index, ref] of video.manifest.chunks.entries()) {
            const bytes = await store.getChunk(video.name, index, { verify: true });
            expect(bytes && sha256(bytes)).toBe(ref.sha256);
          }
        }
        expect((await store.verifyAll()).problems).toEqual([]);
      } finally {
        store.close();
      }
    }
    // A kill after the file was complete would not test a partial file; nearly every kill is earlier.
    console.log(`kills while the chunk file was partial: ${partial}/${runs}`);
    expect(partial).toBeGreaterThan(0);
  });
});
