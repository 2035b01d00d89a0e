import type { TopologyNode } from '../api/types.ts';
import { ChunkStrip } from './ChunkStrip.tsx';
import type { StripSpan } from './strip-span.ts';
import { layoutBounds, layoutTree, type PlacedNode, type TreeGeometry } from './layout.ts';
import { omittedLabel, plusCount } from './omitted.ts';

interface Props {
  /** The tree laid out by layOutGraph (the panel needs its size before it draws). */
  layout: GraphLayout;
  /** Video whose chunks each node's strip shows. */
  video: string | null;
  /** The chunks each strip shows (stripSpan). */
  strip: StripSpan;
}

const GEOMETRY: TreeGeometry = {
  nodeWidth: 184,
  nodeHeight: 62,
  slot: 228,
  row: 104,
  stackedRow: 74,
  stackIndent: 28,
};
/** Room around the boxes for this node's glow. */
const MARGIN = 12;
const STRIP_WIDTH = GEOMETRY.nodeWidth - 20;
/**
 * SVG text does not ellipsize, so labels are cut to what fits the box at their CSS size (13 px bold
 * names, 11 px meta); the whole text is in the node's tooltip.
 */
const META_CHARS = 28;

/** A tree placed for drawing, with the pixel size the graph needs. */
export interface GraphLayout {
  placed: PlacedNode[];
  minX: number;
  width: number;
  height: number;
}

/** Places the tree once per topology update; the panel checks the size, the graph draws it. */
export function layOutGraph(root: TopologyNode): GraphLayout {
  const placed = layoutTree(root, GEOMETRY);
  const bounds = layoutBounds(placed, GEOMETRY);
  return {
    placed,
    minX: bounds.minX,
    width: bounds.width + 2 * MARGIN,
    height: bounds.height + 2 * MARGIN,
  };
}

/**
 * The tree drawn as SVG in real pixels: source at the top, masters below, their children below
 * them. One SVG unit is one CSS pixel (width and height match the viewBox), so labels keep their
 * CSS size however wide the tree is; a wide tree scrolls instead of shrinking.
 */
export function TopologyGraph({ layout, video, strip }: Props) {
  const { placed, minX, width, height } = layout;
  return (
    <svg
      className="topology-graph"
      data-testid="topology-graph"
      width={width}
      height={height}
      viewBox={`${minX - MARGIN} ${-MARGIN} ${width} ${height}`}
      role="img"
      aria-label="Node tree"
    >
      {placed
        .filter((p) => p.parent !== null)
        .map((p) => (
          <path
            key={`edge-${p.node.name}-${p.node.address}`}
            className={`topology-edge ${p.node.alive ? '' : 'dead'}`}
            d={edgePath(p)}
          />
        ))}
      {placed.map(({ node, x, y }) => {
        const held = video === null ? [] : (node.chunks[video] ?? []);
        const omitted = node.omitted ?? 0;
        const more = omitted > 0 ? plusCount(omitted) : '';
        // The name gives up what the "+N" beside it takes (11 px text in 13 px bold name widths).
        const nameRoom = (node.self ? 15 : 21) - Math.ceil(more.length * 0.75);
        return (
          <g
            key={`${node.name}-${node.address}`}
            transform={`translate(${x - GEOMETRY.nodeWidth / 2} ${y})`}
            className={`topology-node role-${node.role} ${node.self ? 'self' : ''} ${node.alive ? '' : 'dead'}`}
            data-testid="topology-node"
            data-name={node.name}
            data-self={node.self ? 'true' : 'false'}
          >
            <title>
              {`${node.name} · ${node.role} · ${node.alive ? node.address : 'unreachable'}${
                omitted > 0 ? ` · ${omittedLabel(omitted)}` : ''
              }`}
            </title>
            <rect width={GEOMETRY.nodeWidth} height={GEOMETRY.nodeHeight} rx={10} className="node-box" />
            <text x={10} y={20} className="node-name">
              {clip(node.name, nameRoom)}
            </text>
            {more !== '' && (
              <text
                x={GEOMETRY.nodeWidth - (node.self ? 50 : 10)}
                y={20}
                textAnchor="end"
                className="node-omitted"
                data-testid="topology-omitted"
              >
                {more}
              </text>
            )}
            {node.self && (
              <g transform={`translate(${GEOMETRY.nodeWidth - 44} 7)`}>
                <rect width={36} height={17} rx={8.5} className="self-pill" />
                <text x={18} y={12.5} textAnchor="middle" className="self-pill-text">
                  you
                </text>
              </g>
            )}
            <text x={10} y={37} className="node-meta">
              {clip(`${node.role} · ${node.alive ? shortAddress(node.address) : 'unreachable'}`, META_CHARS)}
            </text>
            {video !== null && strip.count > 0 && (
              <ChunkStrip
                held={held}
                span={strip}
                x={10}
                y={GEOMETRY.nodeHeight - 18}
                width={STRIP_WIDTH}
                height={8}
              />
            )}
          </g>
        );
      })}
    </svg>
  );
}

/** A curve from parent to child, or for a stacked leaf an elbow down the parent's left side. */
function edgePath(p: PlacedNode): string {
  const parent = p.parent!;
  const bottom = parent.y + GEOMETRY.nodeHeight;
  if (p.stacked) {
    const busX = parent.x - GEOMETRY.nodeWidth / 2 + 14;
    const middle = p.y + GEOMETRY.nodeHeight / 2;
    return `M ${busX} ${bottom} V ${middle} H ${p.x - GEOMETRY.nodeWidth / 2}`;
  }
  return `M ${parent.x} ${bottom} C ${parent.x} ${bottom + 24}, ${p.x} ${p.y - 24}, ${p.x} ${p.y}`;
}

function clip(text: string, chars: number): string {
  return text.length > chars ? `${text.slice(0, chars - 1)}…` : text;
}

export function shortAddress(address: string): string {
  return address.replace(/^tcp:\/\//, '');
}
