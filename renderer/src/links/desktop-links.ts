/**
 * Links the desktop app was asked to open (a peerstreamer: link clicked in a browser or a mail, or
 * given on the command line): the main process hands them here, and they take the same path as a
 * link typed into Open link. In a plain browser there is no bridge and nothing to listen to.
 */
import { useEffect } from 'react';
import { desktopBridge } from '../api/settings.ts';
import { requestOpen } from './link-state.ts';

export function useDesktopLinks(): void {
  useEffect(() => {
    const bridge = desktopBridge();
    if (bridge === null) return;
    return bridge.onOpenLink(requestOpen);
  }, []);
}
