/**
 * The wire's reader for manifests. The rules are core/shared's manifest schema, the
 * same one the store and legacy import use; here a problem becomes a WireProblem naming the field.
 */
import * as v from 'valibot';
import { checkManifest, type Manifest, type ManifestProblem } from '../shared/manifest-schema.js';
import { join } from './fields.js';
import { badField } from './problems.js';

function wireProblem(path: string, problem: ManifestProblem): never {
  throw badField(problem.path === '' ? path : join(path, problem.path), problem.expected, problem.got);
}

/** A manifest received from a peer (`get-manifest-ok`). */
export function readManifest(value: unknown, path: string): Manifest {
  const checked = checkManifest(value);
  return checked.problem === undefined ? checked.manifest : wireProblem(path, checked.problem);
}

/**
 * A manifest as a field of a message schema (the control channel's `add-ok` and `video` lines),
 * checked as readManifest checks it. Its problem becomes the schema's issue, at the field's path
 * followed by the problem's own (`video.manifest.chunks[3].sha256`).
 */
export const manifestField = v.pipe(
  v.unknown(),
  v.rawTransform<unknown, Manifest>(({ dataset, addIssue, NEVER }) => {
    const checked = checkManifest(dataset.value);
    if (checked.problem === undefined) return checked.manifest;
    const { path, expected, got } = checked.problem;
    addIssue({
      message: expected,
      input: got,
      // The problem's path is already text ("chunks[3].sha256"): one path item carries it whole.
      ...(path === ''
        ? {}
        : { path: [{ type: 'unknown', origin: 'value', input: dataset.value, key: path, value: got }] }),
    });
    return NEVER;
  }),
);
