import type { Command } from '../command.js';
import type { WireTopologyNode } from '../../protocol/messages.js';
import { optionalString, parseCommand } from '../args.js';
import { remoteAddress, withNode } from '../remote.js';

const usage = 'peerstreamer topology --from <tcp://host:port> [--json]';

export const topologyCommand: Command = {
  name: 'topology',
  summary: 'print the tree a node knows (itself and everything registered below it)',
  usage,
  help: `${usage}

Asks a running node for its subtree: itself and, recursively, the children registered with it. Ask
the source to see the whole tree.
  --from <addr>   the node to ask (tcp://host:port)
  --json          print the tree as JSON`,
  async run(argv) {
    const parsed = parseCommand('topology', argv, { from: { type: 'string' }, json: { type: 'boolean' } });
    const address = remoteAddress(optionalString(parsed, 'from'), 'topology');
    const { reply } = await withNode(address, (client) => client.request(address, { type: 'topology' }));
    const tree = reply.tree;
    process.stdout.write(parsed.values.json ? `${JSON.stringify(tree, null, 2)}\n` : renderTree(tree));
    return 0;
  },
};

export function renderTree(tree: WireTopologyNode): string {
  const lines: string[] = [];
  const walk = (node: WireTopologyNode, prefix: string, isLast: boolean, isRoot: boolean): void => {
    const label = `${node.name} (${node.role}, level ${node.level}) ${node.address ?? '-'}`;
    lines.push(isRoot ? label : `${prefix}${isLast ? '└── ' : '├── '}${label}`);
    const childPrefix = isRoot ? '' : `${prefix}${isLast ? '    ' : '│   '}`;
    node.children.forEach((child, i) => walk(child, childPrefix, i === node.children.length - 1, false));
  };
  walk(tree, '', true, true);
  return `${lines.join('\n')}\n`;
}
