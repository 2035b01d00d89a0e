/**
 * The wire's reader for manifests. The rules are core/shared's manifest schema, the
 * same one the store and legacy import use; here a problem becomes a WireProblem naming the field.
 */
import { checkManifest, type Manifest, type ManifestProblem } from '../shared/manifest-schema.js';
import { join } from './fields.js';
import { badField } from './problems.js';

function wireProblem(path: string, problem: ManifestProblem): never {
  throw badField(problem.path === '' ? path : join(path, problem.path), problem.expected, problem.got);
}

/** A manifest received from a peer (`get-manifest-ok`) or the control channel. */
export function readManifest(value: unknown, path: string): Manifest {
  const checked = checkManifest(value);
  return checked.problem === undefined ? checked.manifest : wireProblem(path, checked.problem);
}
