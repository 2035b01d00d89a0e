import { readFileSync } from 'node:fs';
import * as zmq from 'zeromq';
import { describe, expect, it } from 'vitest';
import {
  DEALER_SOCKET_OPTIONS,
  ROUTER_SOCKET_OPTIONS,
  socketOptions,
  CURVE_FRAME_OVERHEAD,
} from '../../core/net/socket-options.js';
import { MAX_BODY_BYTES, MAX_REQUEST_BYTES } from '../../core/protocol/limits.js';

describe('socket options are data', () => {
  it.each([...ROUTER_SOCKET_OPTIONS, ...DEALER_SOCKET_OPTIONS])('$libzmq is documented', (spec) => {
    expect(spec.libzmq).toMatch(/^ZMQ_[A-Z_]+$/);
    expect(spec.why.length).toBeGreaterThan(10);
    expect(spec.whenItTrips.length).toBeGreaterThan(10);
  });

  it('a ROUTER built from the table has those values in libzmq', () => {
    const router = new zmq.Router(socketOptions(ROUTER_SOCKET_OPTIONS));
    try {
      // ZMQ_ROUTER_MANDATORY and ZMQ_ROUTER_HANDOVER are write-only in libzmq; reading them is EINVAL.
      const readable = ROUTER_SOCKET_OPTIONS.filter((s) => s.key !== 'mandatory' && s.key !== 'handover');
      for (const spec of readable) {
        expect(router[spec.key as keyof zmq.Router]).toBe(spec.value);
      }
      expect(router.maxMessageSize).toBe(MAX_REQUEST_BYTES + CURVE_FRAME_OVERHEAD);
      expect(router.linger).toBe(0);
    } finally {
      router.close();
    }
  });

  it('a DEALER built from the table has those values in libzmq, overrides applied last', () => {
    const dealer = new zmq.Dealer(socketOptions(DEALER_SOCKET_OPTIONS, { heartbeatInterval: 0 }));
    try {
      for (const spec of DEALER_SOCKET_OPTIONS) {
        if (spec.key !== 'heartbeatInterval') expect(dealer[spec.key as keyof zmq.Dealer]).toBe(spec.value);
      }
      expect(dealer.heartbeatInterval).toBe(0);
      expect(dealer.maxMessageSize).toBe(MAX_BODY_BYTES + CURVE_FRAME_OVERHEAD);
      expect(dealer.immediate).toBe(true);
    } finally {
      dealer.close();
    }
  });

  it('docs/PROTOCOL.md lists every option of both tables', () => {
    const doc = readFileSync(new URL('../../docs/PROTOCOL.md', import.meta.url), 'utf8');
    const [routerSection, dealerSection] = doc.split('DEALER (PeerClient');
    for (const spec of ROUTER_SOCKET_OPTIONS) expect(routerSection).toContain(`| ${spec.libzmq} |`);
    for (const spec of DEALER_SOCKET_OPTIONS) expect(dealerSection).toContain(`| ${spec.libzmq} |`);
  });
});
