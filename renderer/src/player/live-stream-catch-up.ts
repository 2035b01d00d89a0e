import { catchUpRate } from '../../../core/shared/live-edge.js';

/** The part of a <video> the catch-up reads and sets (structural, so tests run it in Node). */
export interface CatchUpMedia {
  currentTime: number;
  playbackRate: number;
  readonly paused: boolean;
  readonly ended: boolean;
  play(): Promise<void>;
  addEventListener(type: string, handler: () => void): void;
  removeEventListener(type: string, handler: () => void): void;
}

/**
 * Brings a live viewer who fell behind (a stall, a slow chunk) back to the edge by playing slightly
 * faster (core/shared/live-edge.ts catchUpRate), not by a jump that would stall it again.
 *
 * It only hurries a viewer who is following live: from the start, and again after "Go to live".
 * A viewer who paused or sought back into the DVR window chose to be behind and plays at normal
 * speed. A rate the viewer picked in the controls (anything but 1) is never overridden.
 */
export class LiveCatchUp {
  /** The rate this class set last; a ratechange to anything else came from the viewer. */
  private ours: number | null = null;
  private userRate = false;
  private following = true;
  private played = false;
  /** Set while a seek this player made ("Go to live") is under way. */
  private ownSeek = false;
  private readonly detach: Array<() => void> = [];

  constructor(private readonly video: CatchUpMedia) {
    this.on('ratechange', () => {
      if (video.playbackRate === this.ours) return;
      this.ours = null;
      this.userRate = video.playbackRate !== 1;
    });
    this.on('playing', () => {
      this.played = true;
    });
    this.on('seeking', () => {
      if (this.ownSeek) this.ownSeek = false;
      // The feed's own start position lands before playback starts: not the viewer's choice.
      else if (this.played) this.following = false;
    });
    this.on('pause', () => {
      if (!video.ended) this.following = false;
    });
  }

  /** Whether the viewer is following live (not paused or sought back). */
  get isFollowing(): boolean {
    return this.following;
  }

  /** Called about once a second with how far behind live the play head is (null: not known). */
  update(behindSeconds: number | null, ongoing: boolean): void {
    if (this.userRate) return;
    const rate = ongoing && this.following && behindSeconds !== null ? catchUpRate(behindSeconds) : 1;
    if (this.video.playbackRate !== rate) {
      this.ours = rate;
      this.video.playbackRate = rate;
    }
  }

  /** "Go to live": seeks to `seconds` and follows live from there. */
  goTo(seconds: number): void {
    this.following = true;
    this.ownSeek = true;
    this.video.currentTime = seconds;
    if (this.video.paused) void this.video.play().catch(() => undefined);
  }

  dispose(): void {
    for (const off of this.detach) off();
  }

  private on(type: string, handler: () => void): void {
    this.video.addEventListener(type, handler);
    this.detach.push(() => this.video.removeEventListener(type, handler));
  }
}
