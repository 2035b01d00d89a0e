/**
 * peerstreamer: links in the desktop app, with the fake `electron` module: the scheme registered
 * with the OS, links from open-url (macOS) and from argv (first launch, second-instance), kept while
 * no page listens, and JoinLink, which saves the settings `node --join` would give and restarts the
 * real node with them.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BrowserWindow, FakeEvent, app, ipcMain, resetElectronFake } from '../mocks/electron.js';
import { formatVideoLink } from '../../core/link/video-link.js';
import { newCurveKeyPair } from '../../core/net/curve-keys.js';
import { readSettingsFromDir } from '../../core/settings/settings-store.js';
import { defaultSettings } from '../../core/settings/settings-model.js';
import { generatePublisherKeyPair } from '../../core/trust/publisher-key.js';
import type { DesktopApp as DesktopAppInstance } from '../../electron/desktop-app.js';
import type { JoinLinkResult } from '../../electron/ipc/contract.js';
import { desktopFixture, quietLogger, type DesktopFixture } from './fixtures/desktop.js';
import { freePort } from '../helpers/swarm.js';

vi.mock('electron', () => import('../mocks/electron.js'));

const { DesktopApp } = await import('../../electron/desktop-app.js');
const { IpcChannel } = await import('../../electron/ipc/channels.js');

let fixture: DesktopFixture | null = null;
let desktop: DesktopAppInstance | null = null;
const realArgv = process.argv;

afterEach(async () => {
  process.argv = realArgv;
  await desktop?.shutdown();
  desktop = null;
  resetElectronFake();
  await fixture?.cleanup();
  fixture = null;
});

async function launch(options: { startInTray?: boolean; argv?: string[] } = {}): Promise<DesktopAppInstance> {
  fixture = await desktopFixture();
  if (options.argv) process.argv = options.argv;
  const launched = await DesktopApp.launch({
    paths: fixture.paths,
    startInTray: options.startInTray ?? false,
    logger: quietLogger(),
  });
  if (launched === null) throw new Error('launch handed over to another instance');
  desktop = launched;
  return launched;
}

const onlyWindow = (): BrowserWindow => {
  const windows = BrowserWindow.getAllWindows();
  expect(windows).toHaveLength(1);
  return windows[0]!;
};
const fromPlayer = () => {
  const contents = onlyWindow().webContents;
  return { sender: contents, senderFrame: contents.mainFrame };
};
const takeLinks = async (): Promise<string[]> =>
  (await ipcMain.invoke(IpcChannel.TakeLinks, fromPlayer())) as string[];
const linksSent = (): unknown[] =>
  onlyWindow()
    .webContents.sent.filter((message) => message.channel === IpcChannel.OpenLink)
    .map((message) => message.args[0]);

const link = formatVideoLink({
  publisher: generatePublisherKeyPair().publicKey,
  video: 'movie',
  peers: ['tcp://192.0.2.10:7999'],
});

describe('the peerstreamer: scheme', () => {
  it('registers the app as the OS handler for peerstreamer: links', async () => {
    await launch();
    expect(app.protocolClients).toEqual([{ scheme: 'peerstreamer' }]);
  });

  it('keeps an open-url link until the page listens, then sends the next ones at once', async () => {
    await launch();
    const event = new FakeEvent();
    app.emit('open-url', event, link);
    // macOS would otherwise try to hand the URL to another app.
    expect(event.defaultPrevented).toBe(true);
    expect(linksSent()).toEqual([]);
    expect(await takeLinks()).toEqual([link]);
    app.emit('open-url', new FakeEvent(), `${link}&peer=x`);
    expect(linksSent()).toEqual([`${link}&peer=x`]);
  });

  it('takes the link from a second instance argv and brings the window back', async () => {
    await launch();
    await takeLinks();
    const window = onlyWindow();
    window.hide();
    app.emit(
      'second-instance',
      new FakeEvent(),
      ['/opt/PeerStreamer/peerstreamer', '--no-sandbox', link],
      '/',
    );
    expect(linksSent()).toEqual([link]);
    expect(window.isVisible()).toBe(true);
  });

  it('opens the window for a link that launched the app, even when it was to start in the tray', async () => {
    await launch({ startInTray: true, argv: ['/opt/PeerStreamer/peerstreamer', link] });
    expect(await takeLinks()).toEqual([link]);
  });

  it('passes a bad link on to the page, whose open shows the parser words', async () => {
    await launch();
    await takeLinks();
    app.emit('open-url', new FakeEvent(), 'peerstreamer://not-a-key/movie');
    expect(linksSent()).toEqual(['peerstreamer://not-a-key/movie']);
  });

  it('keeps links that come while the page reloads', async () => {
    await launch();
    await takeLinks();
    onlyWindow().webContents.startNavigation('peerstreamer://app/index.html', { isSameDocument: false });
    app.emit('open-url', new FakeEvent(), link);
    expect(linksSent()).toEqual([]);
    expect(await takeLinks()).toEqual([link]);
  });
});

describe('JoinLink', () => {
  it('sets master, supermaster and publisher as node --join would, and restarts the node', async () => {
    const started = await launch();
    const before = started.host.node;
    const masterKey = newCurveKeyPair().publicKey;
    const master = `tcp://127.0.0.1:${await freePort()}#${masterKey}`;
    const supermaster = `tcp://127.0.0.1:${await freePort()}`;
    const publisher = generatePublisherKeyPair().publicKey;
    const joining = formatVideoLink({ publisher, video: 'their film', peers: [master, supermaster] });
    const joined = (await ipcMain.invoke(IpcChannel.JoinLink, fromPlayer(), {
      link: joining,
    })) as JoinLinkResult;
    expect(joined).toEqual({ ok: true, video: 'their film' });
    const saved = await readSettingsFromDir(fixture!.paths.store, defaultSettings('x'));
    expect(saved.settings).toMatchObject({ master, supermaster, publisher });
    expect(started.host.node).not.toBe(before);
    // The key the link came with is kept: the node dials the master with it, asking for none.
    expect(started.host.node!.config).toMatchObject({
      master: master.split('#')[0],
      masterKey,
      supermaster,
      publisher,
    });
  });

  it("refuses a bad link with the parser's words and changes nothing", async () => {
    const started = await launch();
    const before = started.host.node;
    const joined = (await ipcMain.invoke(IpcChannel.JoinLink, fromPlayer(), {
      link: 'peerstreamer://short/movie?peer=tcp://127.0.0.1:1',
    })) as JoinLinkResult;
    expect(joined.ok).toBe(false);
    expect(!joined.ok && joined.message).toMatch(/publisher key must be 52 characters.*Copy the whole link/);
    expect(started.host.node).toBe(before);
    const saved = await readSettingsFromDir(fixture!.paths.store, defaultSettings('x'));
    expect(saved.settings.master).toBeNull();
  });

  it('refuses a payload that is not a link-sized text before any handler runs', async () => {
    await launch();
    await expect(
      ipcMain.invoke(IpcChannel.JoinLink, fromPlayer(), { link: 'x'.repeat(5000) }),
    ).rejects.toThrow(/Join link: expected "link"/);
  });
});
