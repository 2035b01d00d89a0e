import type { Problem } from '../feed/problem.ts';

/** Errors in words over the video: the viewer always learns why the picture is not moving. */
export function ProblemOverlay({ problem }: { problem: Problem }) {
  return (
    <div
      className={`problem-overlay problem-${problem.kind}`}
      role="alert"
      data-testid="player-error"
      data-kind={problem.kind}
    >
      <div className="problem-card">
        <h2>{problem.title}</h2>
        <p>{problem.detail}</p>
        {problem.retrying && (
          <p className="problem-retrying">
            <span className="spinner" aria-hidden="true" /> Retrying…
          </p>
        )}
      </div>
    </div>
  );
}
