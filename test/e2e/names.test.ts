/**
 * Names under a master, with real node processes: a second node under a live name is refused with
 * NAME_TAKEN and exits saying so in one line, while the first keeps its place; a new node under the
 * name of a killed one waits for it to time out; the same node killed and restarted on its store
 * registers again.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Swarm, assertBuilt, runCli, topologyOf, type NodeProcess } from '../helpers/swarm.js';
import type { WireTopologyNode } from '../../core/protocol/messages.js';
import { lacks, requires } from '../helpers/requirements.js';
import { waitFor } from '../helpers/wait.js';

const noSignals = lacks(requires.posixSignals);

let swarm: Swarm;
beforeAll(() => assertBuilt());
afterEach(() => swarm?.stop());

const childrenOf = (tree: WireTopologyNode): string[] =>
  tree.children.map((child) => `${child.name}@${child.address ?? '-'}`);

/** JSON log lines at pino's error level or above. */
function errorLines(node: NodeProcess): string[] {
  return node.logs.filter((line) => {
    try {
      return (JSON.parse(line) as { level?: number }).level! >= 50;
    } catch {
      return false;
    }
  });
}

describe('a second node under a live name', () => {
  it('is refused with NAME_TAKEN, exits non-zero with one clear line, and the first stays', async () => {
    swarm = new Swarm();
    const source = await swarm.start({ name: 'source' });
    const first = await swarm.start({ name: 'ben', master: source });
    const before = await topologyOf(source);
    expect(childrenOf(before)).toEqual([`ben@${first.address}`]);
    expect(before.role).toBe('source');
    expect(before.children[0]!.role).toBe('child');
    // The CLI names each node's place in the same words.
    const stats = async (node: NodeProcess): Promise<string> =>
      (await runCli(['stats', '--from', node.address])).stdout.split('\n')[0]!;
    expect(await stats(first)).toMatch(/^ben \(child of source\) at /);
    expect(await stats(source)).toMatch(/^source \(source, master of 1\) at /);

    const second = await swarm.start({ name: 'ben', master: source, until: 'spawned' });
    expect(await second.waitForExit()).toBe(1);
    const errors = errorLines(second);
    expect(errors, second.logs.join('\n')).toHaveLength(1);
    const line = JSON.parse(errors[0]!) as { msg: string; code: string; master: string };
    expect(line.code).toBe('NAME_TAKEN');
    expect(line.master).toBe(source.address);
    expect(line.msg).toContain('the name "ben" is already taken under master "source"');
    expect(line.msg).toContain(first.address);
    expect(line.msg).toMatch(/Pick another name for this node \(--name/);
    expect(line.msg).toMatch(/or stop the other node first/);

    expect(first.alive).toBe(true);
    expect(childrenOf(await topologyOf(source))).toEqual([`ben@${first.address}`]);
    // Still there after the dead-child bound (2.5 s): the refusal did not cost it its heartbeats.
    const refusedAt = Date.now();
    await waitFor(async () => {
      const tree = await topologyOf(source);
      return Date.now() - refusedAt > 3_000 && childrenOf(tree).join() === `ben@${first.address}`;
    }, 'ben still registered 3 s after the refusal');
  });

  it('a name freed by its holder’s goodbye can be taken', async ({ skip }) => {
    skip(noSignals);
    swarm = new Swarm();
    const source = await swarm.start({ name: 'source' });
    const first = await swarm.start({ name: 'ben', master: source });
    expect(await first.kill('SIGTERM')).toBe(0);
    const second = await swarm.start({ name: 'ben', master: source });
    expect(childrenOf(await topologyOf(source))).toEqual([`ben@${second.address}`]);
  });
});

describe('a new node under the name of one just killed', () => {
  it('waits for the killed one to time out, as the master says, then registers', async ({ skip }) => {
    skip(noSignals);
    swarm = new Swarm();
    // The master holds a silent child's name for 10 s, not 2.5: a second process that takes longer
    // than that to start (two suites on two cores) must still find the name held, or the test
    // checks nothing.
    const source = await swarm.start({ name: 'source', extra: ['--child-timeout', '10s'] });
    const first = await swarm.start({ name: 'ben', master: source });
    await first.kill('SIGKILL');
    // Another store, so another node id: the master cannot tell it from a second node of that name,
    // and only the killed one's silence frees the name.
    const second = await swarm.start({ name: 'ben', master: source, store: swarm.dir('store-ben-new') });
    expect(second.alive).toBe(true);
    expect(childrenOf(await topologyOf(source))).toEqual([`ben@${second.address}`]);
    expect(errorLines(second)).toEqual([]);
    expect(second.logs.some((line) => line.includes('waiting') && line.includes('to time out'))).toBe(true);
  });
});

describe('the same node restarting', () => {
  it('killed with SIGKILL and started again on its store, registers again', async () => {
    swarm = new Swarm();
    const source = await swarm.start({ name: 'source' });
    const ben = await swarm.start({ name: 'ben', master: source });
    await ben.kill('SIGKILL');
    const again = await swarm.restart(ben);
    expect(again.alive).toBe(true);
    expect(errorLines(again)).toEqual([]);
    expect(childrenOf(await topologyOf(source))).toEqual([`ben@${ben.address}`]);
  });
});
