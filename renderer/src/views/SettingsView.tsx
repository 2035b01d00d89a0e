import { useEffect, useState, type ReactNode } from 'react';
import { desktopBridge, type AppSettings, type SettingsProblems } from '../api/settings.ts';
import {
  SETTING_OF,
  draftFromSettings,
  patchFromDraft,
  type EditableKey,
  type SettingsDraft,
} from '../api/settings-draft.ts';
import { CACHE_SIZE_UNIT, UPLOAD_LIMIT_UNIT } from '../../../core/settings/settings-model.js';
import { formatBytes } from '../ui/format.ts';
import './SettingsView.css';

type ToggleKey = 'portMapping' | 'closeToTray' | 'launchAtLogin' | 'autoUpdate';

type Status =
  | { kind: 'idle' }
  | { kind: 'saving' }
  | { kind: 'saved'; restarted: boolean }
  | { kind: 'error'; message: string };

/**
 * The desktop app's settings. Every value is checked in the main process by core/settings' rules;
 * problems come back per field, in words, and nothing is saved until all fields are valid.
 */
export function SettingsView() {
  const bridge = desktopBridge();
  const [saved, setSaved] = useState<AppSettings | null>(null);
  const [draft, setDraft] = useState<SettingsDraft | null>(null);
  const [warnings, setWarnings] = useState<string[]>([]);
  const [nodeProblem, setNodeProblem] = useState<string | null>(null);
  const [problems, setProblems] = useState<SettingsProblems>({});
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const [cacheNote, setCacheNote] = useState<string | null>(null);

  useEffect(() => {
    if (bridge === null) return;
    let cancelled = false;
    bridge.getSettings().then(
      (view) => {
        if (cancelled) return;
        setSaved(view.settings);
        setDraft(draftFromSettings(view.settings));
        setWarnings(view.warnings);
        setNodeProblem(view.nodeProblem);
      },
      (error: unknown) => !cancelled && setStatus({ kind: 'error', message: String(error) }),
    );
    return () => {
      cancelled = true;
    };
  }, [bridge]);

  if (bridge === null) {
    return (
      <main className="settings-view" data-testid="settings-view">
        <h1>Settings</h1>
        <p className="muted" data-testid="settings-unavailable">
          Settings belong to the desktop app. A headless node takes its settings as flags: run{' '}
          <code>peerstreamer node --help</code>.
        </p>
      </main>
    );
  }
  if (draft === null || saved === null) {
    return (
      <main className="settings-view" data-testid="settings-view">
        <h1>Settings</h1>
        {status.kind === 'error' ? (
          <div className="banner banner-error">{status.message}</div>
        ) : (
          <p className="muted">Loading…</p>
        )}
      </main>
    );
  }

  const patch = patchFromDraft(draft, saved);
  const dirty = Object.keys(patch).length > 0;
  const set = <K extends EditableKey>(key: K, value: SettingsDraft[K]): void => {
    setDraft({ ...draft, [key]: value });
    setStatus({ kind: 'idle' });
  };

  const save = async (): Promise<void> => {
    setStatus({ kind: 'saving' });
    try {
      const result = await bridge.saveSettings(patch);
      if (!result.ok) {
        setProblems(result.problems);
        setStatus({ kind: 'error', message: 'Nothing was saved: fix the fields marked in red.' });
        return;
      }
      setProblems({});
      setWarnings([]);
      setSaved(result.settings);
      setDraft(draftFromSettings(result.settings));
      setNodeProblem(result.nodeProblem);
      setStatus({ kind: 'saved', restarted: result.restarted });
    } catch (error) {
      setStatus({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  };

  const clearCache = async (): Promise<void> => {
    const { bytesFreed } = await bridge.clearCache();
    setCacheNote(`Freed ${formatBytes(bytesFreed)}. Your own videos are kept.`);
  };

  const text = (key: Exclude<EditableKey, ToggleKey>, label: string, hint: ReactNode) => (
    <Field label={label} id={`setting-${key}`} problem={problems[SETTING_OF[key]]} hint={hint}>
      <input
        id={`setting-${key}`}
        type="text"
        value={draft[key]}
        aria-invalid={problems[SETTING_OF[key]] !== undefined}
        data-testid={`setting-${key}`}
        onChange={(event) => set(key, event.target.value)}
      />
    </Field>
  );
  const toggle = (key: ToggleKey, label: string, hint: ReactNode) => (
    <Field label={label} id={`setting-${key}`} problem={problems[SETTING_OF[key]]} hint={hint}>
      <input
        id={`setting-${key}`}
        type="checkbox"
        checked={draft[key]}
        data-testid={`setting-${key}`}
        onChange={(event) => set(key, event.target.checked)}
      />
    </Field>
  );

  return (
    <main className="settings-view" data-testid="settings-view">
      <h1>Settings</h1>
      {nodeProblem !== null && (
        <div className="banner banner-error" role="alert" data-testid="settings-node-problem">
          The node is not running: {nodeProblem}
        </div>
      )}
      {warnings.map((warning) => (
        <div key={warning} className="banner banner-error" data-testid="settings-warning">
          {warning}
        </div>
      ))}
      <form
        className="settings-form"
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <section className="panel settings-section">
          <h2>This node</h2>
          {text(
            'name',
            'Name',
            'Unique among the master’s children: a master refuses a name another live node uses.',
          )}
          {text('port', 'Port', 'Other nodes connect to this port.')}
          {text('ip', 'Address', 'The IP address or host name other nodes use to reach this computer.')}
          {toggle(
            'portMapping',
            'Open my port on the router (UPnP/NAT-PMP)',
            'Asks your home router to open the port, so peers can fetch from you; Stats says whether it did. Off: only your master can reach you behind a router.',
          )}
        </section>
        <section className="panel settings-section">
          <h2>Swarm</h2>
          <p className="muted" data-testid="settings-roles">
            With no master this computer is the <strong>source</strong>. With a master it is that master’s{' '}
            <strong>child</strong>, and a <strong>master</strong> itself once others register with it.
          </p>
          {text(
            'master',
            'Master',
            'tcp://host:port of the node to register with. Empty: this computer is a source.',
          )}
          {text('supermaster', 'Supermaster', 'Fallback while the master is gone. Optional.')}
          {text(
            'publisher',
            'Publisher key',
            'Whose videos to trust: the key from the source’s ready line or stats. Empty: the key your first master vouches for, kept from then on.',
          )}
        </section>
        <section className="panel settings-section">
          <h2>Limits</h2>
          {text(
            'cacheSizeGiB',
            `Cache size (${CACHE_SIZE_UNIT.label})`,
            `In ${CACHE_SIZE_UNIT.label} (binary: 1 GiB = 1024 MiB), e.g. 1.5. Empty: unlimited. Your own videos are never evicted.`,
          )}
          {text(
            'uploadLimitMiBps',
            `Upload limit (${UPLOAD_LIMIT_UNIT.label})`,
            `In ${UPLOAD_LIMIT_UNIT.label} (binary: 1 MiB = 1024 KiB), e.g. 2. Empty: unlimited. Applied at once.`,
          )}
        </section>
        <section className="panel settings-section">
          <h2>App</h2>
          {toggle('closeToTray', 'Keep seeding after closing the window', 'Off: closing the window quits.')}
          {toggle('launchAtLogin', 'Launch at login', 'Starts in the tray, seeding.')}
          {toggle(
            'autoUpdate',
            'Install updates',
            'Downloads new versions in the background and offers to restart; never while a video plays.',
          )}
        </section>
        <div className="settings-actions">
          <button type="submit" disabled={!dirty || status.kind === 'saving'} data-testid="settings-save">
            {status.kind === 'saving' ? 'Saving…' : 'Save'}
          </button>
          <button
            type="button"
            className="secondary"
            onClick={() => void bridge.pickVideos()}
            data-testid="settings-add-video"
          >
            Add video…
          </button>
          <button
            type="button"
            className="secondary"
            onClick={() => void clearCache()}
            data-testid="settings-clear-cache"
          >
            Clear cache
          </button>
          <StatusLine status={status} />
        </div>
        {cacheNote !== null && <p className="muted">{cacheNote}</p>}
      </form>
    </main>
  );
}

function Field(props: {
  label: string;
  id: string;
  problem: string | undefined;
  hint: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="settings-field">
      <label htmlFor={props.id}>{props.label}</label>
      {props.children}
      {props.problem !== undefined ? (
        <span className="settings-problem" role="alert" data-testid={`${props.id}-problem`}>
          {props.problem}
        </span>
      ) : (
        <span className="settings-hint">{props.hint}</span>
      )}
    </div>
  );
}

function StatusLine({ status }: { status: Status }) {
  if (status.kind === 'saved') {
    return (
      <span className="muted">{status.restarted ? 'Saved; the node restarted.' : 'Saved and applied.'}</span>
    );
  }
  if (status.kind === 'error') return <span className="settings-problem">{status.message}</span>;
  return null;
}
