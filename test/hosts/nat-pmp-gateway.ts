/**
 * A small NAT-PMP gateway (RFC 6886), the router side of the protocol the node's port mapping speaks,
 * so its tests run against the protocol and not against a stand-in for the library. It answers on
 * UDP port 5351 of `bind`: opcode 0 (the external address), 1 and 2 (map a UDP or TCP port; lifetime
 * 0 deletes), with the RFC's result codes, and keeps each mapping for the lifetime it granted.
 *
 * What a mapping does to packets is the caller's (`forward`): the host bed installs an nftables DNAT
 * rule, so a node behind the NAT becomes truly reachable; the unit test only records it. `behaviour`
 * makes it misbehave as routers do: refuse (result 2, NAT-PMP turned off), answer garbage, or grant
 * shorter lifetimes than asked.
 *
 * It imports nothing but Node's builtins: the host bed transpiles it alone and runs it inside the
 * NAT's network namespace.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

export const NAT_PMP_PORT = 5351;

const OP_EXTERNAL_ADDRESS = 0;
const OP_MAP_UDP = 1;
const OP_MAP_TCP = 2;
/** A reply's opcode is the request's plus 128 (RFC 6886 §3.2). */
const REPLY = 128;

export const RESULT = {
  success: 0,
  unsupportedVersion: 1,
  refused: 2,
  networkFailure: 3,
  outOfResources: 4,
  unsupportedOpcode: 5,
} as const;

export type Behaviour =
  /** Answers as the RFC says. */
  | 'normal'
  /** Every map and address request answered with result 2, Not Authorized/Refused. */
  | 'refuse'
  /** Every request answered with bytes that are no NAT-PMP reply (too short to parse). */
  | 'garbage'
  /** Says nothing: a router without NAT-PMP. */
  | 'silent';

export interface GrantedMapping {
  protocol: 'tcp' | 'udp';
  internalHost: string;
  internalPort: number;
  externalPort: number;
  lifetimeSeconds: number;
}

export interface ForwardHooks {
  /** A mapping was granted or renewed: make `externalPort` lead to the internal host's port. */
  add(mapping: GrantedMapping): Promise<void>;
  /** It was deleted or its lifetime ran out. */
  remove(mapping: GrantedMapping): Promise<void>;
}

export interface NatPmpGatewayOptions {
  /** The router's inside address, where clients send their requests. */
  bind: string;
  /** The address it tells clients the outside sees them at (opcode 0). */
  externalAddress: string;
  behaviour?: Behaviour;
  /** The most a mapping is granted, in seconds (a router may grant less than asked: RFC 6886 §3.3). */
  maxLifetimeSeconds?: number;
  /** First external port handed out when the suggested one is taken. */
  firstFreePort?: number;
  forward?: ForwardHooks;
  /** One line per request and per change, for the test's log. */
  log?: (line: string) => void;
}

/** One request as the gateway saw it, for tests that assert what the client sent. */
export interface SeenRequest {
  from: string;
  opcode: number;
  internalPort?: number;
  suggestedPort?: number;
  lifetimeSeconds?: number;
}

export class NatPmpGateway {
  readonly requests: SeenRequest[] = [];
  behaviour: Behaviour;
  private readonly socket: Socket;
  private readonly started = Date.now();
  private readonly mappings = new Map<string, { mapping: GrantedMapping; expiry: NodeJS.Timeout }>();
  private nextPort: number;
  /** Forward changes one at a time, in order: an add and its remove never race in nft. */
  private forwarding: Promise<void> = Promise.resolve();

  private constructor(private readonly options: NatPmpGatewayOptions) {
    this.behaviour = options.behaviour ?? 'normal';
    this.nextPort = options.firstFreePort ?? 40_000;
    this.socket = createSocket('udp4');
    this.socket.on('message', (message, from) => this.answer(message, from));
  }

  static async start(options: NatPmpGatewayOptions): Promise<NatPmpGateway> {
    const gateway = new NatPmpGateway(options);
    await new Promise<void>((resolve, reject) => {
      gateway.socket.once('error', reject);
      gateway.socket.bind(NAT_PMP_PORT, options.bind, () => {
        gateway.socket.off('error', reject);
        resolve();
      });
    });
    return gateway;
  }

  /** The mappings in force now. */
  active(): GrantedMapping[] {
    return [...this.mappings.values()].map(({ mapping }) => mapping);
  }

  async close(): Promise<void> {
    for (const { expiry } of this.mappings.values()) clearTimeout(expiry);
    const left = this.active();
    this.mappings.clear();
    for (const mapping of left) this.change(() => this.options.forward?.remove(mapping));
    await this.forwarding;
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  /** Seconds since the gateway started: the epoch a client uses to notice a router's reboot. */
  private epoch(): number {
    return Math.floor((Date.now() - this.started) / 1000);
  }

  private answer(message: Buffer, from: RemoteInfo): void {
    const opcode = message.length >= 2 ? message.readUInt8(1) : -1;
    const seen: SeenRequest = { from: from.address, opcode };
    if (message.length >= 12 && (opcode === OP_MAP_UDP || opcode === OP_MAP_TCP)) {
      seen.internalPort = message.readUInt16BE(4);
      seen.suggestedPort = message.readUInt16BE(6);
      seen.lifetimeSeconds = message.readUInt32BE(8);
    }
    this.requests.push(seen);
    this.log(`request from ${from.address}:${from.port}: ${JSON.stringify(seen)}`);
    if (this.behaviour === 'silent' || message.length < 2) return;
    if (this.behaviour === 'garbage') {
      this.send(Buffer.from([0x42]), from);
      return;
    }
    const version = message.readUInt8(0);
    if (version !== 0) {
      this.send(this.header(opcode, RESULT.unsupportedVersion, 8), from);
      return;
    }
    if (this.behaviour === 'refuse') {
      const size = opcode === OP_EXTERNAL_ADDRESS ? 12 : 16;
      this.send(this.header(opcode, RESULT.refused, size), from);
      return;
    }
    if (opcode === OP_EXTERNAL_ADDRESS && message.length === 2) {
      const reply = this.header(opcode, RESULT.success, 12);
      const octets = this.options.externalAddress.split('.').map(Number);
      for (const [i, octet] of octets.entries()) reply.writeUInt8(octet, 8 + i);
      this.send(reply, from);
      return;
    }
    if ((opcode === OP_MAP_UDP || opcode === OP_MAP_TCP) && message.length === 12) {
      this.send(this.map(opcode, seen, from.address), from);
      return;
    }
    // An unknown opcode (or a request of the wrong length) gets result 5 and the 8-byte header.
    this.send(this.header(opcode, RESULT.unsupportedOpcode, 8), from);
  }

  /** A map request: grant, renew or (lifetime 0) delete, as RFC 6886 §3.3 and §3.4 say. */
  private map(opcode: number, request: SeenRequest, client: string): Buffer {
    const protocol = opcode === OP_MAP_TCP ? 'tcp' : 'udp';
    const internalPort = request.internalPort ?? 0;
    const key = `${protocol} ${client}:${internalPort}`;
    const existing = this.mappings.get(key);
    const reply = this.header(opcode, RESULT.success, 16);
    reply.writeUInt16BE(internalPort, 8);
    if (request.lifetimeSeconds === 0) {
      if (existing) {
        clearTimeout(existing.expiry);
        this.mappings.delete(key);
        this.log(`deleted ${key} -> :${existing.mapping.externalPort}`);
        this.change(() => this.options.forward?.remove(existing.mapping));
      }
      return reply; // external port 0, lifetime 0
    }
    const lifetimeSeconds = Math.min(request.lifetimeSeconds ?? 0, this.options.maxLifetimeSeconds ?? 7_200);
    const externalPort = existing?.mapping.externalPort ?? this.freePort(protocol, request.suggestedPort);
    const mapping: GrantedMapping = {
      protocol,
      internalHost: client,
      internalPort,
      externalPort,
      lifetimeSeconds,
    };
    if (existing) clearTimeout(existing.expiry);
    const expiry = setTimeout(() => {
      this.mappings.delete(key);
      this.log(`expired ${key} -> :${externalPort}`);
      this.change(() => this.options.forward?.remove(mapping));
    }, lifetimeSeconds * 1000);
    expiry.unref();
    this.mappings.set(key, { mapping, expiry });
    this.log(`${existing ? 'renewed' : 'granted'} ${key} -> :${externalPort} for ${lifetimeSeconds} s`);
    if (!existing) this.change(() => this.options.forward?.add(mapping));
    reply.writeUInt16BE(externalPort, 10);
    reply.writeUInt32BE(lifetimeSeconds, 12);
    return reply;
  }

  /** The suggested port when no one holds it (0 suggests nothing), else the next free one. */
  private freePort(protocol: string, suggested: number | undefined): number {
    const taken = new Set(
      [...this.mappings.values()]
        .filter(({ mapping }) => mapping.protocol === protocol)
        .map(({ mapping }) => mapping.externalPort),
    );
    if (suggested !== undefined && suggested !== 0 && !taken.has(suggested)) return suggested;
    while (taken.has(this.nextPort)) this.nextPort += 1;
    return this.nextPort++;
  }

  private header(opcode: number, result: number, size: number): Buffer {
    const reply = Buffer.alloc(size);
    reply.writeUInt8(0, 0);
    reply.writeUInt8((REPLY + Math.max(opcode, 0)) & 0xff, 1);
    reply.writeUInt16BE(result, 2);
    reply.writeUInt32BE(this.epoch(), 4);
    return reply;
  }

  private send(reply: Buffer, to: RemoteInfo): void {
    this.socket.send(reply, to.port, to.address);
  }

  private change(work: () => Promise<void> | undefined): void {
    this.forwarding = this.forwarding
      .then(() => work())
      .catch((error: unknown) => this.log(`forwarding change failed: ${String(error)}`));
  }
}
