import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import type { LiveSessionView } from '../api/types.ts';
import { hrefOf } from '../router.ts';
import {
  INPUT_CHOICES,
  TEST_PATTERN_SIZES,
  defaultForm,
  fieldOfProblem,
  goLiveRequest,
  type FormField,
  type GoLiveForm,
} from './go-live-form.ts';
import './live.css';

/** While an RTMP or SRT listener waits for its publisher, the dialog asks how it stands this often. */
const WAITING_POLL_MS = 1_000;

function close(): void {
  window.location.hash = hrefOf({ view: 'library' });
}

function watch(name: string): void {
  window.location.hash = hrefOf({ view: 'watch', name });
}

/**
 * "Go live…": the same choices as `peerstreamer live start` (test pattern, file, RTMP or SRT
 * listener, camera; name, DVR window, loop for a file). The node answers once the first chunk is
 * stored, and the stream opens in the player; a listener still waiting for its publisher is shown
 * here until it goes live. The node's refusal is shown as it words it, on the field it names.
 */
export function GoLiveDialog() {
  const [form, setForm] = useState<GoLiveForm>(defaultForm);
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [waiting, setWaiting] = useState<LiveSessionView | null>(null);
  const nameInput = useRef<HTMLInputElement>(null);
  const set = <K extends keyof GoLiveForm>(key: K, value: GoLiveForm[K]): void =>
    setForm((current) => ({ ...current, [key]: value }));
  const badField: FormField | null = problem === null ? null : fieldOfProblem(problem);

  useEffect(() => {
    nameInput.current?.focus();
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape') close();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  // A listener waiting for its publisher: open the stream once it is live, or say why it failed.
  useEffect(() => {
    if (waiting === null) return;
    let current = true;
    const timer = setInterval(() => {
      void api.liveSessions().then(
        (sessions) => {
          const session = sessions.find((candidate) => candidate.name === waiting.name);
          if (!current || session === undefined) return;
          if (session.state === 'live') watch(session.name);
          else if (session.state !== 'starting') {
            setWaiting(null);
            setProblem(session.reason ?? `The stream ${session.state} before it went live.`);
          }
        },
        (failure: unknown) => {
          if (current) setProblem(failure instanceof Error ? failure.message : String(failure));
        },
      );
    }, WAITING_POLL_MS);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [waiting]);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setPending(true);
    setProblem(null);
    try {
      const session = await api.goLive(goLiveRequest(form));
      if (session.state === 'live') watch(session.name);
      else setWaiting(session);
    } catch (failure) {
      setProblem(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setPending(false);
    }
  };

  const choice = INPUT_CHOICES.find((candidate) => candidate.kind === form.kind) ?? INPUT_CHOICES[0]!;
  return (
    <div
      className="dialog-backdrop"
      onMouseDown={(event) => {
        if (event.target === event.currentTarget) close();
      }}
    >
      <form
        className="dialog go-live-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="go-live-title"
        data-testid="go-live-dialog"
        onSubmit={(event) => void submit(event)}
      >
        <h2 id="go-live-title">Go live</h2>
        <p className="muted dialog-lead">
          This node cuts the input into chunks as it comes, signs them and passes them down the tree.
        </p>

        <label className="dialog-field">
          <span>Stream name</span>
          <input
            ref={nameInput}
            type="text"
            value={form.name}
            placeholder="Morning show"
            aria-invalid={badField === 'name'}
            data-testid="go-live-name"
            onChange={(event) => set('name', event.target.value)}
          />
        </label>

        <div className="dialog-field">
          <span id="go-live-input-label">Input</span>
          <div className="segmented input-choices" role="group" aria-labelledby="go-live-input-label">
            {INPUT_CHOICES.map(({ kind, label }) => (
              <button
                key={kind}
                type="button"
                aria-pressed={form.kind === kind}
                data-testid={`go-live-kind-${kind}`}
                onClick={() => set('kind', kind)}
              >
                {label}
              </button>
            ))}
          </div>
        </div>

        <div className="dialog-field">
          <span />
          <div className="input-detail">
            {form.kind === 'test-pattern' && (
              <select
                value={form.testPattern}
                aria-label="Test pattern size and frame rate"
                aria-invalid={badField === 'input'}
                data-testid="go-live-test-pattern"
                onChange={(event) => set('testPattern', event.target.value)}
              >
                {TEST_PATTERN_SIZES.map((size) => (
                  <option key={size} value={size}>
                    {size.replace('x', '×').replace('@', ' at ')} fps
                  </option>
                ))}
              </select>
            )}
            {form.kind === 'file' && (
              <>
                <input
                  type="text"
                  value={form.file}
                  placeholder="/home/me/Videos/talk.mp4"
                  aria-label="Full path of the video file"
                  aria-invalid={badField === 'input'}
                  data-testid="go-live-file"
                  onChange={(event) => set('file', event.target.value)}
                />
                <label className="dialog-check">
                  <input
                    type="checkbox"
                    checked={form.loop}
                    data-testid="go-live-loop"
                    onChange={(event) => set('loop', event.target.checked)}
                  />
                  Loop: play it again from the start at its end
                </label>
              </>
            )}
            {(form.kind === 'rtmp' || form.kind === 'srt') && (
              <input
                type="text"
                value={form[form.kind]}
                aria-label={`${form.kind.toUpperCase()} address to listen on`}
                aria-invalid={badField === 'input'}
                data-testid="go-live-listen"
                onChange={(event) => set(form.kind === 'rtmp' ? 'rtmp' : 'srt', event.target.value)}
              />
            )}
            {form.kind === 'camera' && (
              <input
                type="text"
                value={form.camera}
                aria-label="Camera device"
                aria-invalid={badField === 'input'}
                data-testid="go-live-camera"
                onChange={(event) => set('camera', event.target.value)}
              />
            )}
            <p className="dialog-hint">{choice.hint}</p>
          </div>
        </div>

        <label className="dialog-field">
          <span>DVR window</span>
          <span className="window-input">
            <input
              type="text"
              inputMode="numeric"
              value={form.window}
              aria-invalid={badField === 'window'}
              data-testid="go-live-window"
              onChange={(event) => set('window', event.target.value)}
            />{' '}
            seconds
          </span>
        </label>
        <p className="dialog-hint dialog-hint-under">
          How far back viewers can seek. 0 keeps the whole stream, so its recording can be kept when it stops.
        </p>

        {problem !== null && (
          <div className="banner banner-error dialog-problem" role="alert" data-testid="go-live-error">
            {problem}
          </div>
        )}
        {waiting !== null && problem === null && (
          <p className="dialog-waiting" role="status" data-testid="go-live-waiting">
            Waiting for {waiting.input}: the stream opens as soon as it sends.
          </p>
        )}

        <div className="dialog-actions">
          <button type="button" className="secondary" onClick={close} data-testid="go-live-cancel">
            Cancel
          </button>
          <button type="submit" disabled={pending || waiting !== null} data-testid="go-live-submit">
            {pending ? 'Starting…' : 'Go live'}
          </button>
        </div>
      </form>
    </div>
  );
}
