import { GatewayFailure } from '../api/gateway-error.ts';

export type ProblemKind = 'codec' | 'legacy' | 'unreachable' | 'integrity' | 'missing' | 'decode' | 'fatal';

/** Something the viewer should be told about, in words, over the video. */
export interface Problem {
  kind: ProblemKind;
  title: string;
  detail: string;
  /** True while the feed keeps trying; the overlay disappears by itself when it succeeds. */
  retrying: boolean;
}

export class FeedError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
    this.name = 'FeedError';
  }
}

/**
 * The problem a feed shows now, and who is told when it changes: `fallback` (the options' onProblem)
 * until a handler is given with reportTo.
 */
export class ProblemReport {
  private current: Problem | null = null;
  private handler: ((problem: Problem | null) => void) | undefined;

  constructor(private readonly fallback: ((problem: Problem | null) => void) | undefined) {}

  /** True while the problem shown says the feed is still trying. */
  get retrying(): boolean {
    return this.current?.retrying === true;
  }

  set(problem: Problem | null): void {
    this.current = problem;
    (this.handler ?? this.fallback)?.(problem);
  }

  /** Where problems go from now on, replacing the fallback; told the current one at once. */
  reportTo(handler: (problem: Problem | null) => void): void {
    this.handler = handler;
    if (this.current !== null) handler(this.current);
  }
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

/**
 * Why a video could not be opened at all (its manifest did not come), in words. A video that no node
 * up the chain has is said as the CLI says it, naming the nodes that looked; retrying cannot help.
 */
export function problemOfOpening(name: string, failure: unknown): Problem {
  if (failure instanceof GatewayFailure && failure.code === 'VIDEO_NOT_FOUND') {
    const where =
      failure.asked.length > 0
        ? `Asked ${failure.asked.join(' → ')}: none of them has it.`
        : 'The node and the masters above it do not have it.';
    return {
      kind: 'missing',
      title: `No video “${name}” in this swarm`,
      detail: `${where} Go back to the library and pick one of the videos it lists.`,
      retrying: false,
    };
  }
  const message = failure instanceof Error ? failure.message : String(failure);
  return { kind: 'fatal', title: `Couldn't open “${name}”`, detail: message, retrying: false };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
