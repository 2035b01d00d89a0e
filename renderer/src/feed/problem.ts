import type { GatewayFailure } from '../api/gateway-error.ts';

export type ProblemKind = 'codec' | 'legacy' | 'unreachable' | 'integrity' | 'missing' | 'decode' | 'fatal';

/** Something the viewer should be told about, in words, over the video. */
export interface Problem {
  kind: ProblemKind;
  title: string;
  detail: string;
  /** True while the feed keeps trying; the overlay disappears by itself when it succeeds. */
  retrying: boolean;
}

/** Attempts before a retryable failure is shown: a single blip should not flash an overlay. */
const SHOW_AFTER: Record<GatewayFailure['kind'], number> = {
  unreachable: 2,
  integrity: 3,
  missing: 3,
  fatal: 1,
};

export function problemFromFailure(failure: GatewayFailure, attempt: number, what: string): Problem | null {
  if (attempt < SHOW_AFTER[failure.kind]) return null;
  switch (failure.kind) {
    case 'unreachable':
      return {
        kind: 'unreachable',
        title: 'No node, master or peer is reachable',
        detail: `Couldn't get ${what}: ${failure.message} Retrying; playback resumes by itself when a node answers.`,
        retrying: true,
      };
    case 'integrity':
      return {
        kind: 'integrity',
        title: `${capitalise(what)} failed its integrity check`,
        detail: `The bytes did not match the manifest's checksum after ${attempt} tries (${failure.message}). Retrying from other nodes.`,
        retrying: true,
      };
    case 'missing':
      return {
        kind: 'missing',
        title: `${capitalise(what)} is not available`,
        detail: `${failure.message} Retrying in case a node that holds it comes back.`,
        retrying: true,
      };
    case 'fatal':
      return { kind: 'fatal', title: `Couldn't get ${what}`, detail: failure.message, retrying: false };
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
