/**
 * A master's count of its live children by the address each one's key completed its handshake
 * from, so that one host cannot hold all of a master's places under many keys and names (a stranger
 * made 10,000 registrations in 0.5 s before any bound). A NAT puts many honest viewers behind one
 * address, so the bound is generous and a newcomer past it is sent down the tree, not turned away.
 */
import { isLoopbackAddress } from '../net/connection-gate.js';

/** Live children one address may have at one master when not told otherwise. */
export const DEFAULT_MAX_CHILDREN_PER_ADDRESS = 16;

export interface ChildrenPerAddressOptions {
  /** Children one address may have here. */
  limit: number;
  /**
   * Count loopback addresses too. Off by default: every node of a one-machine swarm (tests, the
   * demo, a desktop and its own seeder) comes from 127.0.0.1, and such a machine is its own owner's.
   */
  limitLoopback?: boolean;
}

export class ChildrenPerAddress {
  private readonly namesByAddress = new Map<string, Set<string>>();
  private readonly addressByName = new Map<string, string>();

  constructor(private readonly options: ChildrenPerAddressOptions) {}

  /**
   * The live children `address` has here when a newcomer from it would be one too many; null when
   * it may register. `isLive` says whether a name counted earlier is still registered (children
   * leave by many paths: goodbye, the sweep, a replacement), so the count is settled here.
   */
  crowded(address: string | undefined, isLive: (name: string) => boolean): number | null {
    if (address === undefined || !this.counted(address)) return null;
    const names = this.namesByAddress.get(address);
    if (names === undefined) return null;
    for (const name of names) if (!isLive(name)) this.forget(name);
    return names.size >= this.options.limit ? names.size : null;
  }

  /** `name` registered from `address` (undefined: unknown, not counted). */
  record(name: string, address: string | undefined): void {
    this.forget(name);
    if (address === undefined || !this.counted(address)) return;
    let names = this.namesByAddress.get(address);
    if (names === undefined) this.namesByAddress.set(address, (names = new Set()));
    names.add(name);
    this.addressByName.set(name, address);
  }

  private counted(address: string): boolean {
    return this.options.limitLoopback === true || !isLoopbackAddress(address);
  }

  private forget(name: string): void {
    const address = this.addressByName.get(name);
    if (address === undefined) return;
    this.addressByName.delete(name);
    const names = this.namesByAddress.get(address)!;
    names.delete(name);
    if (names.size === 0) this.namesByAddress.delete(address);
  }
}
