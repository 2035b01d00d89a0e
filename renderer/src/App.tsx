import { hrefOf, useRoute, type Route } from './router.ts';
import { LibraryView } from './views/LibraryView.tsx';
import { StatsView } from './views/StatsView.tsx';
import { TopologyView } from './views/TopologyView.tsx';
import { WatchView } from './views/WatchView.tsx';
import { SettingsView } from './views/SettingsView.tsx';
import { IngestNotice } from './views/IngestNotice.tsx';
import { UpdateNotice } from './views/UpdateNotice.tsx';
import { desktopBridge } from './api/settings.ts';
import { LinkNotice } from './links/LinkNotice.tsx';
import { OpenLinkControl } from './links/OpenLinkControl.tsx';
import { useDesktopLinks } from './links/desktop-links.ts';
import { GoLiveDialog } from './live/GoLiveDialog.tsx';
import { useDesktopPages } from './live/desktop-pages.ts';

const NAV: Array<{ route: Route; label: string }> = [
  { route: { view: 'library' }, label: 'Library' },
  { route: { view: 'stats' }, label: 'Stats' },
  { route: { view: 'topology' }, label: 'Topology' },
  // Settings belong to the desktop app (headless nodes take flags), so the link shows only there.
  ...(desktopBridge() ? [{ route: { view: 'settings' } as Route, label: 'Settings' }] : []),
];

export function App() {
  const route = useRoute();
  useDesktopLinks();
  useDesktopPages();
  return (
    <div className="app">
      <nav className="top-nav">
        <a className="brand" href={hrefOf({ view: 'library' })}>
          <span className="brand-mark" aria-hidden="true" />
          PeerStreamer
        </a>
        <div className="nav-links">
          {NAV.map(({ route: target, label }) => (
            <a
              key={label}
              href={hrefOf(target)}
              className={
                target.view === route.view || (target.view === 'library' && route.view === 'go-live')
                  ? 'active'
                  : ''
              }
              data-testid={`nav-${target.view}`}
            >
              {label}
            </a>
          ))}
        </div>
        <OpenLinkControl />
      </nav>
      <LinkNotice />
      {(route.view === 'library' || route.view === 'go-live') && <LibraryView />}
      {route.view === 'go-live' && <GoLiveDialog />}
      {route.view === 'watch' && (
        <WatchView key={`${route.name}@${route.startAt ?? ''}`} name={route.name} startAt={route.startAt} />
      )}
      {route.view === 'stats' && <StatsView />}
      {route.view === 'topology' && <TopologyView />}
      {route.view === 'settings' && <SettingsView />}
      <IngestNotice />
      <UpdateNotice />
    </div>
  );
}
