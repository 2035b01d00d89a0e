/**
 * A home router that can open a port, as the node's port mapping (port-mapping.ts) sees it: one
 * interface over the two protocols routers speak, NAT-PMP (nat-pmp-router.ts) and UPnP-IGD
 * (upnp-router.ts), so the lease logic is written once.
 */

/** What a router granted: where the outside reaches the mapped port, and for how long. */
export interface RouterLease {
  externalHost: string;
  externalPort: number;
  /** The lifetime the router granted (it may grant less than asked). */
  lifetimeSeconds: number;
}

export interface Router {
  /** The protocol, as `stats` says it: `NAT-PMP` or `UPnP`. */
  readonly protocol: string;
  /** The router's address. */
  readonly gateway: string;
  /** Maps (or renews) TCP `port` of `localHost` for `lifetimeSeconds`; rejects with the router's reason. */
  map(port: number, localHost: string, lifetimeSeconds: number, signal: AbortSignal): Promise<RouterLease>;
  /** Deletes the mapping of `port`. */
  unmap(port: number, signal: AbortSignal): Promise<void>;
  /** Closes its sockets (a mapping is left as it is: unmap first). */
  close(): Promise<void>;
}

/** One protocol's way to find and open its router, tried in order; rejects when there is none. */
export interface RouterFinder {
  readonly protocol: string;
  open(signal: AbortSignal): Promise<Router>;
}
