/**
 * The one open in progress, shared by everything that can start one (the header's field, a paste on
 * the library, a link the desktop app was asked to open) and the notice that shows how it went.
 */
import { useEffect, useState } from 'react';
import { joinConfirmed, openLink, type LinkState } from './open-link.ts';

let current: LinkState = { kind: 'idle' };
const listeners = new Set<(state: LinkState) => void>();

function report(state: LinkState): void {
  current = state;
  for (const listener of listeners) listener(state);
}

/** Opens `text` as a link; a second open while one runs replaces what the notice shows. */
export function requestOpen(text: string): void {
  void openLink(text, report);
}

/** The user agreed to join the swarm the notice asks about. */
export function confirmJoin(): void {
  if (current.kind === 'confirm-join') void joinConfirmed(current, report);
}

export function dismissLinkState(): void {
  report({ kind: 'idle' });
}

export function useLinkState(): LinkState {
  const [state, setState] = useState(current);
  useEffect(() => {
    listeners.add(setState);
    return () => {
      listeners.delete(setState);
    };
  }, []);
  return state;
}
