import { useEffect, useState } from 'react';
import { api } from '../api/client.ts';
import type { LibraryEntry } from '../api/types.ts';
import { TopologyPanel } from '../topology/TopologyPanel.tsx';

/**
 * The whole tree, with chunk strips for a video the user picks (the first one by default), and the
 * three role words the graph uses, defined once.
 */
export function TopologyView() {
  const [videos, setVideos] = useState<LibraryEntry[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  useEffect(() => {
    api
      .videos()
      .then((list) => {
        setVideos(list);
        setSelected((current) => current ?? list[0]?.name ?? null);
      })
      .catch(() => setVideos([]));
  }, []);
  const entry = videos.find((video) => video.name === selected);
  return (
    <main className="single-panel" data-testid="topology-view">
      {videos.length > 0 && (
        <label className="video-picker">
          Chunks of{' '}
          <select
            value={selected ?? ''}
            onChange={(event) => setSelected(event.target.value)}
            data-testid="topology-video"
          >
            {videos.map((video) => (
              <option key={video.name} value={video.name}>
                {video.name}
              </option>
            ))}
          </select>
        </label>
      )}
      {/* A library entry says how many chunks, not where a live stream's list starts: its tree does. */}
      <TopologyPanel video={selected} listed={{ first: 0, count: entry?.chunks ?? 0 }} caption={false} />
      <p className="muted" data-testid="topology-roles">
        <strong>source</strong>: has no master; the tree starts there. <strong>master</strong>: registered
        under a master and has children of its own. <strong>child</strong>: registered under a master, no
        children.
      </p>
    </main>
  );
}
