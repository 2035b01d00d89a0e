import { useEffect, useState } from 'react';
import { api } from '../api/client.ts';
import type { LibraryEntry } from '../api/types.ts';
import './links.css';

/** How long "Copied" stays before the button reads "Copy link" again. */
const CONFIRM_MS = 2_000;

type CopyState =
  { kind: 'ready' } | { kind: 'copying' } | { kind: 'copied' } | { kind: 'failed'; message: string };

/**
 * Copies the video's link, as the node builds it (its publisher's key, this node's address, the
 * source's when known), so a friend can open it in their app or with `peerstreamer play <link>`.
 */
export function CopyLinkButton({ video }: { video: LibraryEntry }) {
  const [state, setState] = useState<CopyState>({ kind: 'ready' });

  useEffect(() => {
    if (state.kind !== 'copied') return;
    const timer = setTimeout(() => setState({ kind: 'ready' }), CONFIRM_MS);
    return () => clearTimeout(timer);
  }, [state]);

  const copy = async (): Promise<void> => {
    if (video.publisher === null) {
      // Known from the card already: no need to ask the node for the refusal.
      setState({
        kind: 'failed',
        message:
          'No link: this video is unsigned, and a link carries the publisher key its viewers trust. Add it again on the source node to sign it.',
      });
      return;
    }
    setState({ kind: 'copying' });
    try {
      const { link } = await api.videoLink(video.name);
      await navigator.clipboard.writeText(link);
      setState({ kind: 'copied' });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      setState({ kind: 'failed', message: `No link copied: ${message}` });
    }
  };

  return (
    <div className="copy-link">
      <button
        type="button"
        className="copy-link-button"
        data-testid="copy-link"
        disabled={state.kind === 'copying'}
        onClick={() => void copy()}
      >
        {state.kind === 'copied' ? 'Copied' : state.kind === 'copying' ? 'Copying…' : 'Copy link'}
      </button>
      {state.kind === 'copied' && (
        <span className="copy-link-done" role="status" data-testid="copy-link-copied">
          Link copied to the clipboard
        </span>
      )}
      {state.kind === 'failed' && (
        <p className="copy-link-problem" role="alert" data-testid="copy-link-problem">
          {state.message}
        </p>
      )}
    </div>
  );
}
