import type { ChildRegistry, RegisterChild, RegisterOutcome } from '../../core/node/child-registry.js';

/**
 * Registers a child straight into a registry as MasterService does once its dial-back has found the
 * child at its address: only such a child is listed as a holder or suggested as a place.
 */
export function enlist(registry: ChildRegistry, request: RegisterChild): RegisterOutcome {
  const outcome = registry.register(request);
  registry.setReachable(request.name, request.address, true);
  return outcome;
}
