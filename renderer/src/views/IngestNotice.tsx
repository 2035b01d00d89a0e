import { useEffect, useState } from 'react';
import { desktopBridge, type IngestProgress } from '../api/settings.ts';
import './SettingsView.css';

/** How long a finished (or failed) ingest stays on screen. */
const LINGER_MS = 6_000;

/**
 * Progress of videos being added (File > Add video… or dropped on the window), pushed by the main
 * process. Renders nothing in a browser or when no ingest is under way.
 */
export function IngestNotice() {
  const [progress, setProgress] = useState<IngestProgress | null>(null);

  useEffect(() => {
    const bridge = desktopBridge();
    if (bridge === null) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = bridge.onIngestProgress((update) => {
      clearTimeout(timer);
      setProgress(update);
      if (update.state !== 'running') timer = setTimeout(() => setProgress(null), LINGER_MS);
    });
    return () => {
      clearTimeout(timer);
      off();
    };
  }, []);

  if (progress === null) return null;
  const percent = progress.fraction === null ? null : Math.round(progress.fraction * 100);
  return (
    <div className="ingest-notice" role="status" data-testid="ingest-notice">
      {progress.state === 'running' && (
        <>
          Adding “{progress.name}”{percent !== null ? ` — ${percent}%` : '…'}
          <div className="ingest-bar">
            <div className="ingest-fill" style={{ width: `${percent ?? 100}%` }} />
          </div>
        </>
      )}
      {progress.state === 'done' && <>Added “{progress.name}” to the library.</>}
      {progress.state === 'failed' && (
        <span className="ingest-failed">
          Could not add “{progress.name}”: {progress.message}
        </span>
      )}
    </div>
  );
}
