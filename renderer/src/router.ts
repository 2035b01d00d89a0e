import { useEffect, useState } from 'react';

/**
 * Hash routes keep the document at the bundle's index.html, so relative `api/...` URLs resolve the
 * same over http:// and under Electron's custom protocol, and no server-side route table is needed.
 */
export type Route =
  | { view: 'library' }
  | { view: 'watch'; name: string; startAt?: number }
  | { view: 'stats' }
  | { view: 'topology' }
  | { view: 'settings' }
  /** The library with the "Go live…" dialog over it (the library's button, the app's menu). */
  | { view: 'go-live' };

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'watch' && parts[1] !== undefined) {
    const t = Number(new URLSearchParams(query).get('t'));
    const name = safeDecode(parts[1]);
    return Number.isFinite(t) && t > 0 ? { view: 'watch', name, startAt: t } : { view: 'watch', name };
  }
  if (parts[0] === 'stats') return { view: 'stats' };
  if (parts[0] === 'topology') return { view: 'topology' };
  if (parts[0] === 'settings') return { view: 'settings' };
  if (parts[0] === 'go-live') return { view: 'go-live' };
  return { view: 'library' };
}

export function hrefOf(route: Route): string {
  switch (route.view) {
    case 'watch':
      return `#/watch/${encodeURIComponent(route.name)}${route.startAt ? `?t=${route.startAt}` : ''}`;
    case 'library':
      return '#/';
    default:
      return `#/${route.view}`;
  }
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = (): void => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
