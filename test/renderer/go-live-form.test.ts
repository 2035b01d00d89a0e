/**
 * The go-live form's request: the `--input` spec of each choice, loop only for a file, and a window
 * that is not whole digits sent as typed (so the node's refusal quotes it); and which field a node's
 * refusal names, to mark it. The node's own checks of these values run in test/gateway/go-live-routes.
 */
import { describe, expect, it } from 'vitest';
import {
  defaultForm,
  fieldOfProblem,
  goLiveRequest,
  inputSpec,
  type GoLiveForm,
} from '../../renderer/src/live/go-live-form.js';

const form = (patch: Partial<GoLiveForm>): GoLiveForm => ({ ...defaultForm(), name: 'cam', ...patch });

describe('the go-live form', () => {
  it('writes each choice as the spec `live start --input` takes', () => {
    expect(inputSpec(form({ kind: 'test-pattern', testPattern: '1280x720@30' }))).toBe('testsrc:1280x720@30');
    expect(inputSpec(form({ kind: 'file', file: ' /videos/talk.mp4 ' }))).toBe('file:/videos/talk.mp4');
    expect(inputSpec(form({ kind: 'rtmp' }))).toBe('rtmp://0.0.0.0:1935/live');
    expect(inputSpec(form({ kind: 'srt', srt: 'srt://0.0.0.0:9001' }))).toBe('srt://0.0.0.0:9001');
    expect(inputSpec(form({ kind: 'camera', camera: '/dev/video2' }))).toBe('v4l2:/dev/video2');
  });

  it('loops a file only, and sends the window as typed when it is not whole seconds', () => {
    expect(goLiveRequest(form({ kind: 'file', file: '/v.mp4', loop: true }))).toEqual({
      name: 'cam',
      input: 'file:/v.mp4',
      loop: true,
      window: 0,
    });
    expect(goLiveRequest(form({ kind: 'test-pattern', loop: true })).loop).toBe(false);
    expect(goLiveRequest(form({ window: ' 300 ' })).window).toBe(300);
    expect(goLiveRequest(form({ window: '' })).window).toBe(0);
    expect(goLiveRequest(form({ window: '5 min' })).window).toBe('5 min');
  });

  it('marks the field a refusal names', () => {
    expect(fieldOfProblem('go live: field "window" must be an integer from 0 to 86400; got 86401')).toBe(
      'window',
    );
    expect(fieldOfProblem('go live: field "name" must be a valid video name (empty)')).toBe('name');
    expect(fieldOfProblem('the live stream "cam" is already running on this node (...)')).toBe('name');
    expect(fieldOfProblem('live input width 641 is not valid; use an even number of pixels')).toBe('input');
    expect(fieldOfProblem('/v/nothing.mp4 does not exist; check the path and try again.')).toBe('input');
    expect(fieldOfProblem('The node did not answer (Failed to fetch).')).toBeNull();
  });
});
