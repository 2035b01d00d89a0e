/**
 * The "Go live…" form as typed, and the request it makes. The form only assembles the input spec
 * `peerstreamer live start --input` takes; the node judges every value (the control channel's rules,
 * core/control/request-schemas.ts and core/media/live-input-spec.ts), so a wrong one comes back in
 * the node's words, not in a second set of rules kept here.
 */
import type { GoLiveRequest } from '../api/types.ts';

export type InputKind = 'test-pattern' | 'file' | 'rtmp' | 'srt' | 'camera';

export interface InputChoice {
  kind: InputKind;
  label: string;
  /** What the field below the choice asks for, in a sentence. */
  hint: string;
}

export const INPUT_CHOICES: readonly InputChoice[] = [
  { kind: 'test-pattern', label: 'Test pattern', hint: 'A moving test card with a tone, made by ffmpeg.' },
  { kind: 'file', label: 'File', hint: 'A video file on the node’s machine, played in real time.' },
  {
    kind: 'rtmp',
    label: 'RTMP',
    hint: 'The node listens here for one publisher: in OBS, set Server to this address.',
  },
  { kind: 'srt', label: 'SRT', hint: 'The node listens here for one SRT caller.' },
  { kind: 'camera', label: 'Camera', hint: 'A Video4Linux2 capture device on the node’s machine.' },
];

/** Test-card sizes offered: the spec's WxH@fps. */
export const TEST_PATTERN_SIZES = ['640x360@25', '1280x720@30', '1920x1080@30'] as const;

export interface GoLiveForm {
  name: string;
  kind: InputKind;
  testPattern: string;
  file: string;
  loop: boolean;
  rtmp: string;
  srt: string;
  camera: string;
  /** The DVR window as typed: whole seconds, empty for 0 (keep everything). */
  window: string;
}

export function defaultForm(): GoLiveForm {
  return {
    name: '',
    kind: 'test-pattern',
    testPattern: TEST_PATTERN_SIZES[0],
    file: '',
    loop: false,
    rtmp: 'rtmp://0.0.0.0:1935/live',
    srt: 'srt://0.0.0.0:9000',
    camera: '/dev/video0',
    window: '0',
  };
}

/** The input spec of the chosen kind (`testsrc:640x360@25`, `file:/videos/talk.mp4`, ...). */
export function inputSpec(form: GoLiveForm): string {
  switch (form.kind) {
    case 'test-pattern':
      return `testsrc:${form.testPattern}`;
    case 'file':
      return `file:${form.file.trim()}`;
    case 'rtmp':
      return form.rtmp.trim();
    case 'srt':
      return form.srt.trim();
    case 'camera':
      return `v4l2:${form.camera.trim()}`;
  }
}

/**
 * The request for POST api/live. A window that is not whole digits goes as typed, so the node's
 * answer quotes what the user wrote.
 */
export function goLiveRequest(form: GoLiveForm): GoLiveRequest {
  const window = form.window.trim();
  return {
    name: form.name.trim(),
    input: inputSpec(form),
    loop: form.kind === 'file' && form.loop,
    window: window === '' ? 0 : /^\d+$/.test(window) ? Number(window) : (window as unknown as number),
  };
}

export type FormField = 'name' | 'input' | 'window';

/** Which field the node's message is about, to mark it: `field "window" ...`, `live input ...`. */
export function fieldOfProblem(message: string): FormField | null {
  const named = /field "(\w+)"/.exec(message)?.[1];
  if (named === 'name' || named === 'window') return named;
  if (/already running|cannot go live as/.test(message)) return 'name';
  if (named === 'input' || named === 'loop') return 'input';
  if (/live input|does not exist|not an absolute path|cannot listen|ffmpeg/.test(message)) return 'input';
  return null;
}
