import { upnpNat, type Gateway } from '@achingbrain/nat-port-mapper';
import { errorMessage } from '../util/errors.js';
import type { Router, RouterFinder, RouterLease } from './router.js';

/**
 * UPnP-IGD through `@achingbrain/nat-port-mapper`: the first Internet Gateway Device that answers an
 * SSDP search, asked with AddAnyPortMapping (WANIPConnection:2), so the router picks a free port
 * when ours is taken. Renewals are the node's (the library's are off), as for NAT-PMP. The library
 * asks for at least an hour (its floor), which is then the lifetime the node renews within.
 */
class UpnpRouter implements Router {
  readonly protocol = 'UPnP';
  readonly gateway: string;

  constructor(private readonly device: Gateway) {
    this.gateway = device.host;
  }

  async map(
    port: number,
    localHost: string,
    lifetimeSeconds: number,
    signal: AbortSignal,
  ): Promise<RouterLease> {
    const lifetime = Math.max(lifetimeSeconds, 3_600);
    const mapping = await this.device.map(port, localHost, {
      protocol: 'tcp',
      externalPort: port,
      // In milliseconds for UPnP; the library rounds it to seconds, at least 3,600.
      ttl: lifetime * 1000,
      autoRefresh: false,
      description: 'PeerStreamer',
      signal,
    });
    return {
      externalHost: mapping.externalHost,
      externalPort: mapping.externalPort,
      lifetimeSeconds: lifetime,
    };
  }

  async unmap(port: number, signal: AbortSignal): Promise<void> {
    await this.device.unmap(port, { signal });
  }

  async close(): Promise<void> {
    // stop() would delete the mappings too; unmap already did, so this only lets go of the device.
    await this.device.stop({ signal: AbortSignal.timeout(1_000) }).catch(() => undefined);
  }
}

export function upnpFinder(): RouterFinder {
  return {
    protocol: 'UPnP',
    async open(signal) {
      const client = upnpNat({ autoRefresh: false, description: 'PeerStreamer' });
      try {
        for await (const device of client.findGateways({ signal })) return new UpnpRouter(device);
      } catch (error) {
        if (!signal.aborted) throw new Error(`the search failed: ${errorMessage(error)}`, { cause: error });
      }
      throw new Error('no Internet Gateway Device answered the search in time');
    },
  };
}
