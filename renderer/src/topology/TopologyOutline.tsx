import { useState } from 'react';
import type { TopologyNode } from '../api/types.ts';
import { ChunkStrip } from './ChunkStrip.tsx';
import type { StripSpan } from './strip-span.ts';
import { omittedLabel, plusCount } from './omitted.ts';
import { shortAddress } from './TopologyGraph.tsx';

interface Props {
  root: TopologyNode;
  video: string | null;
  /** The chunks each strip shows (stripSpan). */
  strip: StripSpan;
}

/**
 * The tree as an indented list, for panels too narrow for the graph: one row per node at full text
 * size, subtrees that fold away, and the panel scrolls. Shrinking the graph to fit made its labels
 * about 7 px, which nobody can read.
 */
export function TopologyOutline({ root, video, strip }: Props) {
  return (
    <ul className="topology-outline" data-testid="topology-outline" role="tree" aria-label="Node tree">
      <OutlineItem node={root} video={video} strip={strip} />
    </ul>
  );
}

function OutlineItem({ node, video, strip }: { node: TopologyNode } & Omit<Props, 'root'>) {
  const [open, setOpen] = useState(true);
  const omitted = node.omitted ?? 0;
  const hasChildren = node.children.length > 0 || omitted > 0;
  const held = video === null ? [] : (node.chunks[video] ?? []);
  return (
    <li role="treeitem" aria-expanded={hasChildren ? open : undefined}>
      <div
        className={`outline-row role-${node.role} ${node.self ? 'self' : ''} ${node.alive ? '' : 'dead'}`}
        data-testid="topology-node"
        data-name={node.name}
        data-self={node.self ? 'true' : 'false'}
      >
        {hasChildren ? (
          <button
            type="button"
            className="outline-toggle"
            aria-label={`${open ? 'Fold' : 'Unfold'} the ${countNodes(node) - 1} nodes under ${node.name}`}
            onClick={() => setOpen(!open)}
          >
            {open ? '▾' : '▸'}
          </button>
        ) : (
          <span className="outline-toggle" aria-hidden="true" />
        )}
        <div className="outline-body">
          <div className="outline-head">
            <span className="outline-name" title={node.name}>
              {node.name}
            </span>
            {node.self && <span className="self-badge">you</span>}
            {hasChildren && !open && (
              <span className="outline-folded">{plusCount(countNodes(node) - 1)}</span>
            )}
          </div>
          <div className="outline-meta" title={node.address}>
            {node.role} · {node.alive ? shortAddress(node.address) : 'unreachable'}
          </div>
          {video !== null && strip.count > 0 && (
            <ChunkStrip held={held} span={strip} width="100%" height={6} />
          )}
        </div>
      </div>
      {hasChildren && open && (
        <ul role="group">
          {node.children.map((child) => (
            <OutlineItem key={`${child.name}-${child.address}`} node={child} video={video} strip={strip} />
          ))}
          {omitted > 0 && (
            <li role="treeitem" className="outline-omitted" data-testid="topology-omitted">
              {omittedLabel(omitted)}
            </li>
          )}
        </ul>
      )}
    </li>
  );
}

/** The node and everything below it, listed or left out of the tree. */
function countNodes(node: TopologyNode): number {
  return 1 + (node.omitted ?? 0) + node.children.reduce((sum, child) => sum + countNodes(child), 0);
}
