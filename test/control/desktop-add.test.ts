/**
 * The desktop app's "Add video" goes the same way as `peerstreamer add` against a running node: the
 * app's embedded node ingests the file (PeerNode.addVideo) and announces it to its children at once;
 * the embedded node also serves the control channel, so the CLI works on the app's store while the
 * app runs. Electron is the fake module; the node, its store, ffmpeg and the child are real.
 */
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { Menu, dialog, resetElectronFake } from '../mocks/electron.js';
import { connectToNode } from '../../core/control/client.js';
import { PeerClient } from '../../core/net/client.js';
import type { DesktopApp as DesktopAppInstance } from '../../electron/desktop-app.js';
import { desktopFixture, quietLogger, type DesktopFixture } from '../electron/fixtures/desktop.js';
import { Fixture } from './helpers.js';
import { waitFor } from '../helpers/wait.js';

vi.mock('electron', () => import('../mocks/electron.js'));
const { DesktopApp } = await import('../../electron/desktop-app.js');

let app: DesktopFixture | null = null;
let desktop: DesktopAppInstance | null = null;
const nodes = new Fixture();
const peers = new PeerClient({ timeoutMs: 2_000 });

afterAll(() => peers.close());
afterEach(async () => {
  await nodes.cleanup();
  await desktop?.shutdown();
  desktop = null;
  resetElectronFake();
  await app?.cleanup();
  app = null;
});

async function listed(address: string): Promise<string[]> {
  const { reply } = await peers.request(address, { type: 'list-videos' });
  return reply.videos.map((video) => video.name);
}

describe('Add video in the desktop app', () => {
  it('is ingested by the running node, pinned, announced to its child at once, and visible to the CLI', async () => {
    app = await desktopFixture();
    desktop = await DesktopApp.launch({ paths: app.paths, startInTray: false, logger: quietLogger() });
    const node = desktop!.host.node!;
    // Its control channel is open (a Unix socket's mode is checked in socket-files.test.ts).
    expect(node.control).not.toBeNull();
    const child = await nodes.node('laptop', nodes.dir('child'), node);
    await waitFor(() => node.registry.child('laptop') !== undefined, 'the child to register');
    // The child has just asked: without an announcement its cache would hide a new video for 2 s.
    expect(await listed(child.address)).toEqual(['sample']);

    const clip = path.join(app.dir, 'holiday.mp4');
    await copyFile(app.paths.sampleVideo, clip);
    dialog.nextOpenResult = { canceled: false, filePaths: [clip] };
    Menu.applicationMenu!.getMenuItemById('add-video')!.click!();
    await waitFor(() => node.store.listVideos().some((video) => video.name === 'holiday'), 'the add', 30_000);
    const added = Date.now();
    await waitFor(
      async () => (await listed(child.address)).includes('holiday'),
      'the child to list it',
      1_000,
    );
    expect(Date.now() - added).toBeLessThan(1_000);

    const videos = await (await connectToNode(app.paths.store))!.ls();
    expect(videos.map((video) => [video.name, video.pinned])).toEqual([
      ['holiday', true],
      ['sample', true],
    ]);
  }, 60_000);
});
