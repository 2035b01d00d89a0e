import { StatsPanel } from '../stats/StatsPanel.tsx';

export function StatsView() {
  return (
    <main className="single-panel" data-testid="stats-view">
      <StatsPanel />
    </main>
  );
}
