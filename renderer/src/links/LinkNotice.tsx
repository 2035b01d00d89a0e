import { confirmJoin, dismissLinkState, useLinkState } from './link-state.ts';
import { confirmJoinWords, needsAppWords } from './open-link.ts';
import './links.css';

/** How the last link open went: under way, refused with the parser's words, or needing the desktop app. */
export function LinkNotice() {
  const state = useLinkState();
  if (state.kind === 'idle') return null;
  const problem = state.kind === 'failed' || state.kind === 'needs-app';
  return (
    <div
      className={`link-notice ${problem ? 'link-notice-problem' : ''}`}
      role={problem ? 'alert' : 'status'}
      data-testid="link-notice"
      data-kind={state.kind}
    >
      <span>
        {state.kind === 'opening' && 'Opening link…'}
        {state.kind === 'joining' &&
          `Joining the swarm of ${state.video === null ? 'the link' : `“${state.video}”`}: the node restarts with the link's master and publisher…`}
        {state.kind === 'confirm-join' && confirmJoinWords(state)}
        {state.kind === 'failed' && state.message}
        {state.kind === 'needs-app' && needsAppWords(state)}
      </span>
      {state.kind === 'confirm-join' && (
        <span className="link-actions">
          <button type="button" onClick={confirmJoin} data-testid="link-join">
            Join and play
          </button>
          <button type="button" onClick={dismissLinkState} data-testid="link-cancel">
            Cancel
          </button>
        </span>
      )}
      {problem && (
        <button type="button" className="link-dismiss" onClick={dismissLinkState} aria-label="Dismiss">
          ×
        </button>
      )}
    </div>
  );
}
