import { useEffect, useState } from 'react';
import { desktopBridge, type UpdateStatus } from '../api/settings.ts';
import { isWatching, onWatchingChange } from '../api/watching.ts';
import './UpdateNotice.css';

/**
 * "Update ready: restart to install", quietly in a corner, when the desktop app has downloaded and
 * checked an update. Never while a video plays: the player tells the app when one does (the app then
 * holds the update back), and the notice hides itself at once. Renders nothing in a browser.
 */
export function UpdateNotice() {
  const [status, setStatus] = useState<UpdateStatus | null>(null);
  const [watching, setWatching] = useState(isWatching);
  const [later, setLater] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    const bridge = desktopBridge();
    if (bridge === null) return;
    let live = true;
    bridge.getUpdateStatus().then(
      (current) => live && setStatus(current),
      (error: unknown) => console.warn('update status unavailable', error),
    );
    const off = bridge.onUpdateStatus((next) => {
      setStatus(next);
      setProblem(null);
    });
    const stop = onWatchingChange(setWatching);
    return () => {
      live = false;
      off();
      stop();
    };
  }, []);

  if (status === null || status.state !== 'ready' || watching || later === status.version) return null;
  const bridge = desktopBridge()!;
  const install = async (): Promise<void> => {
    const result = await bridge.installUpdate();
    if (!result.ok) setProblem(result.message);
  };
  return (
    <div className="update-notice" role="status" data-testid="update-notice">
      <span>
        Update ready: restart to install{status.version !== null ? ` PeerStreamer ${status.version}` : ''}.
      </span>
      <button type="button" onClick={() => void install()} data-testid="update-restart">
        Restart
      </button>
      <button
        type="button"
        className="secondary"
        onClick={() => setLater(status.version)}
        data-testid="update-later"
      >
        Later
      </button>
      {problem !== null && (
        <span className="update-problem" role="alert" data-testid="update-problem">
          {problem}
        </span>
      )}
    </div>
  );
}
