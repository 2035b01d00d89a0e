/**
 * A real HTTP server on 127.0.0.1 standing in for a release feed, in both shapes the app can meet:
 * a plain ("generic") directory of latest*.yml plus installers, and GitHub's release layout (the
 * releases.atom feed, the API's latest release, /releases/download/<tag>/<file>). It serves what a
 * test publishes - including broken metadata, wrong checksums and missing files - records every
 * request, and can hold an installer's download half-way until the test lets it go on.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Artifact {
  name: string;
  bytes: Buffer;
}

export interface Release {
  version: string;
  artifacts: Artifact[];
  /** Replaces the sha512 latest*.yml gives for every artifact (a wrong checksum). */
  sha512?: string;
  /** Replaces the whole channel file (malformed metadata). */
  rawChannelFile?: string;
  /** Artifacts listed in the metadata but answered with 404. */
  missing?: string[];
}

export const GITHUB_OWNER = 'peer';
export const GITHUB_REPO = 'streamer';

export function sha512Base64(bytes: Buffer): string {
  return createHash('sha512').update(bytes).digest('base64');
}

/** The channel file electron-updater asks for on this OS (x64 unless the machine says otherwise). */
export function channelFileFor(platform: NodeJS.Platform, arch: string): string {
  if (platform === 'win32') return 'latest.yml';
  if (platform === 'darwin') return 'latest-mac.yml';
  return arch === 'x64' ? 'latest-linux.yml' : `latest-linux-${arch}.yml`;
}

/** latest*.yml as electron-builder writes it. */
export function channelFile(release: Release): string {
  const files = release.artifacts.map((artifact) => ({
    url: artifact.name,
    sha512: release.sha512 ?? sha512Base64(artifact.bytes),
    size: artifact.bytes.length,
  }));
  const first = files[0]!;
  return [
    `version: ${release.version}`,
    'files:',
    ...files.flatMap((file) => [
      `  - url: ${file.url}`,
      `    sha512: ${file.sha512}`,
      `    size: ${file.size}`,
    ]),
    `path: ${first.url}`,
    `sha512: ${first.sha512}`,
    "releaseDate: '2026-12-01T12:00:00.000Z'",
    '',
  ].join('\n');
}

export class UpdateFeed {
  /** Request paths, in order. */
  readonly requests: string[] = [];
  private release: Release | null = null;
  private holding: { name: string; reach: () => void; released: Promise<void>; release: () => void } | null =
    null;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  private closed = false;

  /** On a free port; `startOn` takes a given one (a server coming back where it was). */
  static start(): Promise<UpdateFeed> {
    return UpdateFeed.startOn(0);
  }

  static async startOn(port: number): Promise<UpdateFeed> {
    const server = createServer();
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    const feed = new UpdateFeed(server, (server.address() as AddressInfo).port);
    server.on('request', (request: IncomingMessage, response: ServerResponse) =>
      feed.answer(request, response),
    );
    return feed;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  publish(release: Release | null): void {
    this.release = release;
  }

  /** The next download of `name` sends half the bytes and waits; `reached` resolves when it got there. */
  holdHalfway(name: string): { reached: Promise<void>; release(): void } {
    let reach!: () => void;
    let release!: () => void;
    const reached = new Promise<void>((resolve) => (reach = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.holding = { name, reach, released, release };
    return { reached, release };
  }

  downloadsOf(name: string): number {
    return this.requests.filter((path) => path.endsWith(`/${name}`)).length;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.holding?.release();
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }

  private answer(request: IncomingMessage, response: ServerResponse): void {
    const path = decodeURIComponent(new URL(request.url ?? '/', this.url).pathname);
    this.requests.push(path);
    const release = this.release;
    const github = `/${GITHUB_OWNER}/${GITHUB_REPO}/releases`;
    if (release === null) return this.send(response, 404, 'no release published');
    if (path === `${github}.atom`)
      return this.send(response, 200, atomFeed(release.version), 'application/atom+xml');
    if (path === `/api/v3/repos/${GITHUB_OWNER}/${GITHUB_REPO}/releases/latest`) {
      return this.send(
        response,
        200,
        JSON.stringify({ tag_name: `v${release.version}` }),
        'application/json',
      );
    }
    const name = path.startsWith(`${github}/download/v${release.version}/`)
      ? path.slice(`${github}/download/v${release.version}/`.length)
      : path.slice(1);
    if (/^latest.*\.yml$/.test(name)) {
      return this.send(response, 200, release.rawChannelFile ?? channelFile(release), 'text/yaml');
    }
    const artifact = release.artifacts.find((candidate) => candidate.name === name);
    if (artifact === undefined || release.missing?.includes(name))
      return this.send(response, 404, 'Not Found');
    response.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': artifact.bytes.length,
    });
    const hold = this.holding?.name === name ? this.holding : null;
    if (hold === null) {
      response.end(artifact.bytes);
      return;
    }
    this.holding = null;
    const half = Math.floor(artifact.bytes.length / 2);
    response.write(artifact.bytes.subarray(0, half), () => hold.reach());
    // A client that gave up meanwhile has closed the socket, and the rest is never sent.
    void hold.released.then(() => {
      if (!response.destroyed) response.end(artifact.bytes.subarray(half));
    });
  }

  private send(response: ServerResponse, status: number, body: string, type = 'text/plain'): void {
    response.writeHead(status, { 'content-type': type });
    response.end(body);
  }
}

function atomFeed(version: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-US">
  <id>tag:github.com,2008:https://github.com/${GITHUB_OWNER}/${GITHUB_REPO}/releases</id>
  <title>Releases</title>
  <updated>2026-12-01T12:00:00Z</updated>
  <entry>
    <id>tag:github.com,2008:Repository/1/v${version}</id>
    <updated>2026-12-01T12:00:00Z</updated>
    <link rel="alternate" type="text/html" href="https://github.com/${GITHUB_OWNER}/${GITHUB_REPO}/releases/tag/v${version}"/>
    <title>PeerStreamer ${version}</title>
    <content type="html">&lt;p&gt;What changed in ${version}.&lt;/p&gt;</content>
  </entry>
</feed>
`;
}
