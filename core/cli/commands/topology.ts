import type { Command } from 'commander';
import type { WireTopologyNode } from '../../protocol/messages.js';
import { newCommand, requiredFlag } from '../command.js';
import { nodeAddress, withNode } from '../remote.js';

export function topologyCommand(): Command {
  return newCommand('topology')
    .usage('--from <tcp://host:port> [--json]')
    .description(
      'Asks a running node for its subtree: itself and, recursively, the children registered with it. Ask the source to see the whole tree. Past 10,000 nodes or 32 levels the tree is cut breadth-first, and each node says how many below it are not listed.',
    )
    .addOption(requiredFlag('--from <addr>', 'the node to ask (tcp://host:port)', nodeAddress))
    .option('--json', 'print the tree as JSON')
    .action(topology);
}

async function topology(options: { from: string; json?: boolean }): Promise<void> {
  const address = options.from;
  const { reply } = await withNode(address, (client) => client.request(address, { type: 'topology' }));
  const tree = reply.tree;
  process.stdout.write(options.json ? `${JSON.stringify(tree, null, 2)}\n` : renderTree(tree));
}

export function renderTree(tree: WireTopologyNode): string {
  const lines: string[] = [];
  const walk = (node: WireTopologyNode, prefix: string, isLast: boolean, isRoot: boolean): void => {
    const label = `${node.name} (${node.role}, level ${node.level}) ${node.address ?? '-'}`;
    lines.push(isRoot ? label : `${prefix}${isLast ? '└── ' : '├── '}${label}`);
    const childPrefix = isRoot ? '' : `${prefix}${isLast ? '    ' : '│   '}`;
    const omitted = node.omitted ?? 0;
    node.children.forEach((child, i) =>
      walk(child, childPrefix, i === node.children.length - 1 && omitted === 0, false),
    );
    // The node cut its reply to the protocol's bounds; say so where the nodes are missing.
    if (omitted > 0)
      lines.push(`${childPrefix}└── … ${omitted.toLocaleString('en-US')} more below, not listed`);
  };
  walk(tree, '', true, true);
  return `${lines.join('\n')}\n`;
}
