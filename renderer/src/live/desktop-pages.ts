/**
 * Pages the desktop app's menu asks the player to show ("Go live…"): the main process hands them
 * here and the player routes to them. In a plain browser there is no bridge and nothing to listen to.
 */
import { useEffect } from 'react';
import { desktopBridge } from '../api/settings.ts';
import { hrefOf } from '../router.ts';

export function useDesktopPages(): void {
  useEffect(() => {
    const bridge = desktopBridge();
    if (bridge === null) return;
    return bridge.onShowPage((page) => {
      window.location.hash = hrefOf({ view: page });
    });
  }, []);
}
