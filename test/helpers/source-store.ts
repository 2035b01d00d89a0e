import { readFileSync } from 'node:fs';
import path from 'node:path';
import { smallClip } from './media-fixtures.js';
import { runCli, type Swarm } from './swarm.js';
import type { MediaManifest } from '../../core/shared/manifest.js';

export interface SourceStore {
  store: string;
  video: string;
  manifest: MediaManifest;
  /** `peerstreamer export` of the whole video: what every viewer must receive byte for byte. */
  exported: Buffer;
}

/** A source store holding `video`, ingested through the real CLI, plus its reference export. */
export async function sourceStore(swarm: Swarm, video = 'movie', seconds = 20): Promise<SourceStore> {
  const store = swarm.dir('source');
  const clip = (await smallClip(seconds)).path;
  const added = await runCli([
    'add',
    clip,
    '--store',
    store,
    '--name',
    video,
    '--chunk-duration',
    '1s',
    '--json',
  ]);
  if (added.code !== 0) throw new Error(`add failed: ${added.stderr}`);
  const manifest = JSON.parse(added.stdout) as MediaManifest;
  const exportPath = path.join(swarm.dir('export'), `${video}.mp4`);
  const exported = await runCli(['export', video, '--store', store, '-o', exportPath]);
  if (exported.code !== 0) throw new Error(`export failed: ${exported.stderr}`);
  return { store, video, manifest, exported: readFileSync(exportPath) };
}
