import type { PeerStat } from '../api/types.ts';
import { formatBytes, formatMilliseconds } from '../ui/format.ts';

export function PeerTable({ peers }: { peers: PeerStat[] }) {
  if (peers.length === 0) {
    return (
      <p className="muted" data-testid="peer-table-empty">
        No peers yet: this node has no master, children or siblings.
      </p>
    );
  }
  return (
    <table className="peer-table" data-testid="peer-table">
      <thead>
        <tr>
          <th>Peer</th>
          <th>Relation</th>
          <th className="num">RTT</th>
          <th className="num">Up</th>
          <th className="num">Down</th>
          <th className="num">Fail</th>
        </tr>
      </thead>
      <tbody>
        {peers.map((peer) => (
          <tr key={`${peer.name}@${peer.address}`}>
            <td>
              <div className="peer-name">{peer.name}</div>
              <div className="peer-address">{peer.address}</div>
            </td>
            <td>
              <span className={`tag tag-${peer.relation}`}>{peer.relation}</span>
            </td>
            <td className="num" data-testid="peer-rtt">
              {formatMilliseconds(peer.rttMs)}
            </td>
            <td className="num">{formatBytes(peer.bytesUp)}</td>
            <td className="num">{formatBytes(peer.bytesDown)}</td>
            <td className={`num ${peer.failures > 0 ? 'warn' : ''}`}>{peer.failures}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
