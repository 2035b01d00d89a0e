import { useState } from 'react';
import { api } from '../api/client.ts';
import type { LiveSessionView, StopLiveReply } from '../api/types.ts';
import { hrefOf } from '../router.ts';
import './live.css';

interface Props {
  /** A stream this node publishes and that still runs. */
  session: LiveSessionView;
  onStopped?: (reply: StopLiveReply) => void;
}

/**
 * "Stop stream" on the card and in the player of a stream this node publishes, with the choice to
 * keep its recording as an ordinary video (as `live stop --keep`). A recording can be kept only
 * when the DVR window dropped nothing (window 0), so the choice is offered only then.
 */
export function StopStreamControl({ session, onStopped }: Props) {
  const [asking, setAsking] = useState(false);
  const [keep, setKeep] = useState(session.window === 0);
  const [keepName, setKeepName] = useState(`${session.name} (recording)`);
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [stopped, setStopped] = useState<StopLiveReply | null>(null);

  const stop = async (): Promise<void> => {
    setPending(true);
    setProblem(null);
    try {
      const reply = await api.stopLive(session.name, keep ? { keep: keepName.trim() } : {});
      setStopped(reply);
      setAsking(false);
      onStopped?.(reply);
    } catch (failure) {
      setProblem(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setPending(false);
    }
  };

  if (stopped !== null) return <StoppedNote reply={stopped} />;
  if (!asking) {
    return (
      <div className="stop-stream">
        <button
          type="button"
          className="stop-stream-button"
          data-testid="stop-stream"
          onClick={() => setAsking(true)}
        >
          Stop stream
        </button>
      </div>
    );
  }
  return (
    <div className="stop-stream stop-stream-asking" data-testid="stop-stream-form">
      {session.window === 0 ? (
        <label className="dialog-check">
          <input
            type="checkbox"
            checked={keep}
            data-testid="stop-stream-keep"
            onChange={(event) => setKeep(event.target.checked)}
          />
          Keep the recording as
        </label>
      ) : (
        <p className="dialog-hint">
          The {session.window} s window dropped the start, so there is no whole recording to keep.
        </p>
      )}
      {session.window === 0 && keep && (
        <input
          type="text"
          value={keepName}
          aria-label="Name of the kept recording"
          data-testid="stop-stream-keep-name"
          onChange={(event) => setKeepName(event.target.value)}
        />
      )}
      {problem !== null && (
        <p className="stop-stream-problem" role="alert" data-testid="stop-stream-error">
          {problem}
        </p>
      )}
      <div className="stop-stream-actions">
        <button type="button" className="secondary" onClick={() => setAsking(false)} disabled={pending}>
          Cancel
        </button>
        <button
          type="button"
          className="danger"
          onClick={() => void stop()}
          disabled={pending}
          data-testid="stop-stream-confirm"
        >
          {pending ? 'Stopping…' : 'Stop'}
        </button>
      </div>
    </div>
  );
}

/** What a stop did: stopped, and where its recording went when it was kept. */
export function StoppedNote({ reply }: { reply: StopLiveReply }) {
  return (
    <div className="stop-stream" data-testid="stream-stopped" role="status">
      Stopped.
      {reply.kept !== null && (
        <>
          {' '}
          Recording kept as{' '}
          <a href={hrefOf({ view: 'watch', name: reply.kept.name })} data-testid="kept-recording">
            {reply.kept.name}
          </a>
          .
        </>
      )}
    </div>
  );
}
