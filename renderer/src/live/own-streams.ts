/**
 * The live streams this node publishes and that still run (started with "Go live…" or `peerstreamer
 * live start`): their cards and players offer Stop. Asked of api/live on mount and every few
 * seconds; a stream started or stopped elsewhere (the CLI) shows up within one refresh.
 */
import { useCallback, useEffect, useState } from 'react';
import { api } from '../api/client.ts';
import type { LiveSessionView } from '../api/types.ts';

const REFRESH_MS = 5_000;

export interface OwnStreams {
  /** Running streams (starting or live) by name. */
  running: ReadonlyMap<string, LiveSessionView>;
  /** Asks again now (after a stop). */
  refresh: () => void;
}

export function useOwnStreams(): OwnStreams {
  const [running, setRunning] = useState<ReadonlyMap<string, LiveSessionView>>(new Map());
  const [asked, setAsked] = useState(0);
  const refresh = useCallback(() => setAsked((n) => n + 1), []);

  useEffect(() => {
    let current = true;
    const load = async (): Promise<void> => {
      try {
        const sessions = await api.liveSessions();
        if (!current) return;
        setRunning(
          new Map(
            sessions
              .filter((session) => session.state === 'starting' || session.state === 'live')
              .map((session) => [session.name, session]),
          ),
        );
      } catch {
        // An unreachable node is the library's and the player's to report (their banner and
        // overlay); without an answer there is simply nothing to offer Stop on.
        if (current) setRunning(new Map());
      }
    };
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [asked]);

  return { running, refresh };
}
