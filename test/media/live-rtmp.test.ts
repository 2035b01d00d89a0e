/**
 * Live inputs that wait for a publisher: a real ffmpeg publishes a test pattern in real time into the
 * cutter's listener, then leaves (a clean end) or freezes (SIGSTOP: the connection stays open and
 * silent, which only the stall watchdog can notice).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startLiveCutter } from '../../core/media/live-cutter.js';
import { freePort } from '../../core/util/free-port.js';
import { lacks, requires } from '../helpers/requirements.js';
import { cleanupTempDirs, tempDir } from '../helpers/temp-dirs.js';
import { waitFor } from '../helpers/wait.js';
import { expectCaptureTimes, expectPlayableChunks } from './live-checks.js';
import { collector, exited, publish, waitForTcpListener, waitForUdpSocket } from './live-helpers.js';

afterAll(cleanupTempDirs);

describe.skipIf(lacks(requires.ffmpeg))('live cutter with a publisher', () => {
  it('takes one RTMP publisher, copies what it sends, and ends when the publisher leaves', async () => {
    const dir = tempDir('live-rtmp');
    const port = await freePort();
    const listen = `rtmp://127.0.0.1:${port}/live`;
    const collected = collector();
    const cutter = await startLiveCutter({ kind: 'rtmp', listen }, collected.handlers);
    expect(cutter.mode).toBe('remux');
    await waitForTcpListener(port);

    // A second listener on the same port is refused at once, in one line naming the URL and port.
    const second = await startLiveCutter({ kind: 'rtmp', listen });
    const refused = await second.finished;
    expect(refused.outcome).toBe('failed');
    if (refused.outcome !== 'failed') return;
    expect(refused.error.code).toBe('PORT_IN_USE');
    expect(refused.error.message).toContain(listen);
    expect(refused.error.message).toContain(`port ${port} is already in use`);
    expect(refused.error.message).not.toContain('\n');

    const publisher = publish(listen, 3);
    try {
      const end = await cutter.finished;
      expect(end).toEqual({ outcome: 'ended', chunkCount: collected.chunks.length });
    } finally {
      publisher.kill('SIGKILL');
      await exited(publisher);
    }
    expect(collected.chunks.length).toBeGreaterThanOrEqual(2);
    expect(collected.chunks.length).toBeLessThanOrEqual(4);
    expectCaptureTimes(collected);
    const duration = await expectPlayableChunks(dir, collected);
    expect(duration).toBeGreaterThan(2.5);
  });

  it('encodes a publisher with 3 s keyframe spacing into 1 s chunks when told to transcode', async () => {
    const dir = tempDir('live-rtmp-gop');
    const port = await freePort();
    const listen = `rtmp://127.0.0.1:${port}/live`;
    const collected = collector();
    const cutter = await startLiveCutter(
      { kind: 'rtmp', listen },
      { forceTranscode: true, x264Preset: 'ultrafast', ...collected.handlers },
    );
    expect(cutter.mode).toBe('transcode');
    await waitForTcpListener(port);
    const publisher = publish(listen, 3, 75);
    try {
      const end = await cutter.finished;
      expect(end.outcome, end.outcome === 'failed' ? end.error.message : '').toBe('ended');
    } finally {
      publisher.kill('SIGKILL');
      await exited(publisher);
    }
    const { chunks } = collected;
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    for (const chunk of chunks.slice(0, -1)) expect(chunk.duration).toBeLessThan(1.1);
    // The first second reaches the encoder in a burst after probing, so the stream clock dates it
    // (on a loaded machine the burst can take the second chunk too); from then on frames reach the
    // encoder as they arrive, and its own times are used.
    const sources = chunks.map((chunk) => chunk.captureTimeSource);
    const firstOwn = sources.indexOf('encoder-input');
    expect(sources[0]).toBe('stream-start');
    expect(firstOwn).toBeGreaterThan(0);
    expect(firstOwn).toBeLessThanOrEqual(2);
    expect(sources.slice(0, firstOwn).every((source) => source === 'stream-start')).toBe(true);
    expect(sources.slice(firstOwn).every((source) => source === 'encoder-input')).toBe(true);
    expectCaptureTimes(collected);
    await expectPlayableChunks(dir, collected);
  });

  it('stops at once while still waiting for a publisher', async () => {
    const port = await freePort();
    const cutter = await startLiveCutter({ kind: 'rtmp', listen: `rtmp://127.0.0.1:${port}/live` });
    await waitForTcpListener(port);
    const asked = Date.now();
    expect(await cutter.stop()).toEqual({ outcome: 'stopped', chunkCount: 0 });
    // SIGINT reaches ffmpeg's accept loop: no waiting out the kill grace time.
    expect(Date.now() - asked).toBeLessThan(4000);
  });

  it('takes one SRT caller, copies its video, encodes its audio, and ends when it leaves', async () => {
    const dir = tempDir('live-srt');
    const port = await freePort();
    const listen = `srt://127.0.0.1:${port}`;
    const collected = collector();
    const cutter = await startLiveCutter({ kind: 'srt', listen }, collected.handlers);
    expect(cutter.mode).toBe('partial-transcode');
    await waitForUdpSocket(port);
    const publisher = publish(`${listen}?mode=caller`, 3);
    try {
      const end = await cutter.finished;
      expect(end.outcome, end.outcome === 'failed' ? end.error.message : '').toBe('ended');
    } finally {
      publisher.kill('SIGKILL');
      await exited(publisher);
    }
    expect(collected.chunks.length).toBeGreaterThanOrEqual(2);
    await expectPlayableChunks(dir, collected);
  });

  it('fails with "input stopped sending" when a publisher freezes', async () => {
    const port = await freePort();
    const listen = `rtmp://127.0.0.1:${port}/live`;
    const collected = collector();
    const cutter = await startLiveCutter(
      { kind: 'rtmp', listen },
      { stallSeconds: 2, ...collected.handlers },
    );
    await waitForTcpListener(port);
    const publisher = publish(listen, 30);
    try {
      await waitFor(() => collected.chunks.length >= 1, 'a first chunk from the publisher', 15_000);
      publisher.kill('SIGSTOP');
      const frozenAt = Date.now();
      const end = await cutter.finished;
      const waited = Date.now() - frozenAt;
      expect(end.outcome).toBe('failed');
      if (end.outcome !== 'failed') return;
      expect(end.error.code).toBe('TIMEOUT');
      expect(end.error.message).toMatch(new RegExp(`^${listen}: input stopped sending`));
      expect(end.error.message).not.toContain('\n');
      // Quiet for the 2 s allowed, noticed within a check interval, then ffmpeg stopped.
      expect(waited).toBeGreaterThan(1500);
      expect(waited).toBeLessThan(8000);
    } finally {
      publisher.kill('SIGCONT');
      publisher.kill('SIGKILL');
      await exited(publisher);
      await cutter.stop();
    }
  });
});
