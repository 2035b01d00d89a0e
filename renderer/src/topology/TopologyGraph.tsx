import type { TopologyNode } from '../api/types.ts';
import { layoutTree } from './layout.ts';

interface Props {
  root: TopologyNode;
  /** Video whose chunks each node's strip shows. */
  video: string | null;
  chunkCount: number;
}

const NODE_W = 168;
const NODE_H = 62;
const SLOT = 190;
const ROW = 120;
const STRIP_W = NODE_W - 20;

/** The tree drawn as SVG: source at the top, masters below, their children below them. */
export function TopologyGraph({ root, video, chunkCount }: Props) {
  const placed = layoutTree(root, SLOT, ROW);
  const minX = Math.min(...placed.map((p) => p.x)) - NODE_W / 2 - 10;
  const maxX = Math.max(...placed.map((p) => p.x)) + NODE_W / 2 + 10;
  const maxY = Math.max(...placed.map((p) => p.y)) + NODE_H + 10;
  const width = maxX - minX;
  return (
    <svg
      className="topology-graph"
      data-testid="topology-graph"
      viewBox={`${minX} -10 ${width} ${maxY + 10}`}
      style={{ maxWidth: `${width}px` }}
      role="img"
      aria-label="Node tree"
    >
      {placed
        .filter((p) => p.parent !== null)
        .map((p) => (
          <path
            key={`edge-${p.node.name}-${p.node.address}`}
            className={`topology-edge ${p.node.alive ? '' : 'dead'}`}
            d={`M ${p.parent!.x} ${p.parent!.y + NODE_H} C ${p.parent!.x} ${p.parent!.y + NODE_H + 30}, ${p.x} ${p.y - 30}, ${p.x} ${p.y}`}
          />
        ))}
      {placed.map(({ node, x, y }) => {
        const held = video === null ? [] : (node.chunks[video] ?? []);
        return (
          <g
            key={`${node.name}-${node.address}`}
            transform={`translate(${x - NODE_W / 2} ${y})`}
            className={`topology-node role-${node.role} ${node.self ? 'self' : ''} ${node.alive ? '' : 'dead'}`}
            data-testid="topology-node"
            data-name={node.name}
            data-self={node.self ? 'true' : 'false'}
          >
            <rect width={NODE_W} height={NODE_H} rx={10} className="node-box" />
            <text x={10} y={20} className="node-name">
              {node.name.length > (node.self ? 14 : 20)
                ? `${node.name.slice(0, node.self ? 13 : 19)}…`
                : node.name}
            </text>
            {node.self && (
              <g transform={`translate(${NODE_W - 44} 8)`}>
                <rect width={36} height={16} rx={8} className="self-pill" />
                <text x={18} y={12} textAnchor="middle" className="self-pill-text">
                  you
                </text>
              </g>
            )}
            <text x={10} y={36} className="node-meta">
              {node.role} · {node.alive ? shortAddress(node.address) : 'unreachable'}
            </text>
            {video !== null && chunkCount > 0 && <ChunkStrip held={held} count={chunkCount} />}
          </g>
        );
      })}
    </svg>
  );
}

/** One tick per chunk of the current video, lit where the node holds it. */
function ChunkStrip({ held, count }: { held: number[]; count: number }) {
  const set = new Set(held);
  const tick = STRIP_W / count;
  return (
    <g transform={`translate(10 ${NODE_H - 18})`} data-testid="chunk-strip" data-held={set.size}>
      <rect width={STRIP_W} height={8} rx={2} className="strip-bg" />
      {Array.from({ length: count }, (_, index) =>
        set.has(index) ? (
          <rect
            key={index}
            x={index * tick}
            width={Math.max(1, tick - (tick > 3 ? 0.6 : 0))}
            height={8}
            className="strip-held"
          />
        ) : null,
      )}
      <title>
        {set.size} of {count} chunks held
      </title>
    </g>
  );
}

function shortAddress(address: string): string {
  return address.replace(/^tcp:\/\//, '');
}
