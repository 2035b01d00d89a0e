import { describe, expect, it } from 'vitest';
import { parseLiveInputSpec, resolveSpecPath } from '../../core/media/live-input-spec.js';

function problem(spec: string, options: { loop?: boolean } = {}): string {
  try {
    parseLiveInputSpec(spec, options);
  } catch (error) {
    return `${(error as { code?: string }).code}: ${(error as Error).message}`;
  }
  throw new Error(`${spec} was accepted`);
}

describe('live input specs', () => {
  it('reads each shape into its LiveInput', () => {
    expect(parseLiveInputSpec('testsrc')).toEqual({ kind: 'test-pattern' });
    expect(parseLiveInputSpec('testsrc:320x240@15')).toEqual({
      kind: 'test-pattern',
      width: 320,
      height: 240,
      fps: 15,
    });
    expect(parseLiveInputSpec('file:/srv/talk.mp4', { loop: true })).toEqual({
      kind: 'file',
      path: '/srv/talk.mp4',
      loop: true,
    });
    expect(parseLiveInputSpec('rtmp://0.0.0.0:1935/live')).toEqual({
      kind: 'rtmp',
      listen: 'rtmp://0.0.0.0:1935/live',
    });
    expect(parseLiveInputSpec('srt://0.0.0.0:9000')).toEqual({ kind: 'srt', listen: 'srt://0.0.0.0:9000' });
    expect(parseLiveInputSpec('v4l2:/dev/video0')).toEqual({ kind: 'camera', device: '/dev/video0' });
  });

  it('refuses, in one line naming the spec and the shapes, what it cannot read', () => {
    expect(problem('')).toMatch(/^INVALID_ARGUMENT: live input "" is empty; give one of testsrc,/);
    expect(problem('http://example.com/a.m3u8')).toMatch(
      /"http:\/\/example.com\/a.m3u8" is not a live input/,
    );
    expect(problem('file:')).toMatch(/names no file/);
    expect(problem('testsrc', { loop: true })).toMatch(/cannot loop: only a file input/);
    expect(problem('testsrc:321x240')).toMatch(
      /^INVALID_ARGUMENT: live input width 321 is not valid; use an even/,
    );
    expect(problem('rtmp://0.0.0.0:1935')).toMatch(/the path names the RTMP application/);
    expect(problem('srt://0.0.0.0')).toMatch(/an SRT listener needs a port/);
    expect(problem('v4l2:video0')).toMatch(/absolute path of a capture device/);
  });

  it("makes a file's relative path absolute for a node whose directory is another", () => {
    expect(resolveSpecPath('file:talk.mp4', '/home/ann')).toBe('file:/home/ann/talk.mp4');
    expect(resolveSpecPath('file:/srv/talk.mp4', '/home/ann')).toBe('file:/srv/talk.mp4');
    expect(resolveSpecPath('testsrc', '/home/ann')).toBe('testsrc');
  });
});
