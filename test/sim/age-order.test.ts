import { describe, expect, it } from 'vitest';
import { ageOrder } from '../../core/sim/simulation-report.js';

describe("the report's age order", () => {
  it('gives median uptime by level, and where the oldest and youngest tenth sit', () => {
    // 20 nodes: the 10 oldest at levels 1-2, the 10 youngest at level 4; one out of order.
    const nodes = Array.from({ length: 20 }, (_, i) => ({
      level: i < 5 ? 1 : i < 10 ? 2 : 4,
      uptimeMs: (20 - i) * 10_000,
      outranksMaster: i === 7,
    }));
    const order = ageOrder(nodes, { movesUp: 3, displaced: 1 });
    expect(order).toMatchObject({ movesUp: 3, displaced: 1, outrankingTheirMaster: 1 });
    expect(order.byLevel).toEqual([
      { level: 1, nodes: 5, uptimeP50Seconds: 180 },
      { level: 2, nodes: 5, uptimeP50Seconds: 130 },
      { level: 4, nodes: 10, uptimeP50Seconds: expect.any(Number) as number },
    ]);
    expect(order.oldestTenth).toEqual({ meanLevel: 1, inTopLevels: 1 });
    expect(order.youngestTenth).toEqual({ meanLevel: 4, inTopLevels: 0 });
    expect(order.all).toEqual({ meanLevel: 2.75, inTopLevels: 0.5 });
  });

  it('is empty, not broken, with no nodes attached', () => {
    const order = ageOrder([], { movesUp: 0, displaced: 0 });
    expect(order.byLevel).toEqual([]);
    expect(order.oldestTenth).toEqual({ meanLevel: 0, inTopLevels: 0 });
  });
});
