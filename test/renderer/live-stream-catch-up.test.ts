/**
 * The live catch-up's choices, without a browser: it hurries a viewer who follows live and fell
 * behind, lets one who paused or sought back watch at normal speed, and never overrides a rate the
 * viewer picked. The element is a fake whose events arrive a task later, as a browser queues them.
 */
import { describe, expect, it } from 'vitest';
import { LiveCatchUp, type CatchUpMedia } from '../../renderer/src/player/live-stream-catch-up.js';

class FakeVideo implements CatchUpMedia {
  private readonly listeners = new Map<string, Set<() => void>>();
  private rate = 1;
  private time = 0;
  paused = false;
  ended = false;

  get playbackRate(): number {
    return this.rate;
  }
  set playbackRate(rate: number) {
    this.rate = rate;
    this.emit('ratechange');
  }
  get currentTime(): number {
    return this.time;
  }
  set currentTime(seconds: number) {
    this.time = seconds;
    this.emit('seeking');
  }
  async play(): Promise<void> {
    this.paused = false;
    this.emit('playing');
  }
  pause(): void {
    this.paused = true;
    this.emit('pause');
  }
  addEventListener(type: string, handler: () => void): void {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)!.add(handler);
  }
  removeEventListener(type: string, handler: () => void): void {
    this.listeners.get(type)?.delete(handler);
  }
  emit(type: string): void {
    setTimeout(() => {
      for (const handler of this.listeners.get(type) ?? []) handler();
    }, 0);
  }
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

async function started(): Promise<{ video: FakeVideo; catchUp: LiveCatchUp }> {
  const video = new FakeVideo();
  const catchUp = new LiveCatchUp(video);
  // The feed's own start position, before playback: not the viewer's seek.
  video.currentTime = 40;
  video.emit('playing');
  await settle();
  return { video, catchUp };
}

describe('live catch-up', () => {
  it('plays faster while a viewer following live is behind, and at 1 once caught up', async () => {
    const { video, catchUp } = await started();
    expect(catchUp.isFollowing).toBe(true);
    catchUp.update(5, true);
    expect(video.playbackRate).toBe(1.05);
    catchUp.update(8, true);
    expect(video.playbackRate).toBe(1.1);
    await settle();
    catchUp.update(3.2, true);
    expect(video.playbackRate).toBe(1);
    // An ended stream: nothing to catch up with.
    catchUp.update(8, false);
    expect(video.playbackRate).toBe(1);
  });

  it('never overrides a rate the viewer picked', async () => {
    const { video, catchUp } = await started();
    catchUp.update(8, true);
    await settle();
    video.playbackRate = 1.5;
    await settle();
    catchUp.update(8, true);
    catchUp.update(2, true);
    expect(video.playbackRate).toBe(1.5);
    // Back at 1 by the viewer's hand: the catch-up may hurry again.
    video.playbackRate = 1;
    await settle();
    catchUp.update(8, true);
    expect(video.playbackRate).toBe(1.1);
  });

  it('leaves a viewer who paused or sought back at normal speed until "Go to live"', async () => {
    const { video, catchUp } = await started();
    video.pause();
    await settle();
    catchUp.update(9, true);
    expect(video.playbackRate).toBe(1);
    catchUp.goTo(60);
    await settle();
    expect(video.currentTime).toBe(60);
    expect(video.paused).toBe(false);
    catchUp.update(5, true);
    expect(video.playbackRate).toBe(1.05);
    await settle();
    video.currentTime = 20;
    await settle();
    catchUp.update(30, true);
    expect(video.playbackRate).toBe(1);
    catchUp.dispose();
  });
});
