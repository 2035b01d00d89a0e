/**
 * Validation of each request's fields, one function per type. Every function builds a fresh object
 * from the fields it knows: unknown fields are dropped (so a newer peer may add optional fields
 * within version 1), and nothing the caller did not validate reaches a handler.
 */
import {
  isAbsent,
  readAddress,
  readBoolean,
  readIndex,
  readNodeName,
  readNumber,
  readObject,
  readOptionalNodeId,
  readStreamId,
  readUint,
  readVideoName,
  own,
  type Fields,
} from './fields.js';
import { newIndexBudget, readInventory } from './inventory.js';
import { MAX_QUERY_COUNT, MAX_RTT_MS } from './limits.js';
import {
  LEGACY_ROLES,
  REGISTERING_ROLES,
  type CapacityHints,
  type EmptyFields,
  type RegisteringRole,
  type RequestFields,
  type RequestType,
} from './messages.js';
import { badField } from './problems.js';
import { readVideoList } from './replies.js';

function readRole(fields: Fields): RegisteringRole {
  const value = own(fields, 'role');
  if (REGISTERING_ROLES.includes(value as RegisteringRole)) return value as RegisteringRole;
  // Older nodes said what they ran as; whatever it was, a node that registers is a child here.
  if (LEGACY_ROLES.includes(value as string)) return 'child';
  throw badField(
    'role',
    `${REGISTERING_ROLES.map((role) => JSON.stringify(role)).join(' or ')} (a source has no master, so it never registers)`,
    value,
  );
}

// 2^53 - 1 bytes per second or of storage is "unlimited" in practice; the bound is only against garbage.
const MAX_HINT = Number.MAX_SAFE_INTEGER;

function readCapacity(fields: Fields): CapacityHints {
  const capacity = readObject(own(fields, 'capacity'), 'capacity');
  return {
    maxInFlight: readUint(capacity, 'maxInFlight', 1_000_000, 'capacity'),
    uploadBytesPerSecond: readUint(capacity, 'uploadBytesPerSecond', MAX_HINT, 'capacity'),
    storeBytes: readUint(capacity, 'storeBytes', MAX_HINT, 'capacity'),
  };
}

function readOptionalName(fields: Fields): { name?: string } {
  return isAbsent(fields, 'name') ? {} : { name: readNodeName(fields, 'name') };
}

/** `fetchUpstream`, or its older name `fromChild` from nodes that still send that. */
function readFetchUpstream(fields: Fields): boolean {
  return isAbsent(fields, 'fetchUpstream') && !isAbsent(fields, 'fromChild')
    ? readBoolean(fields, 'fromChild')
    : readBoolean(fields, 'fetchUpstream');
}

const empty = (): EmptyFields => ({});

export const requestValidators: { [K in RequestType]: (fields: Fields) => RequestFields[K] } = {
  register: (fields) => ({
    name: readNodeName(fields, 'name'),
    ...readOptionalNodeId(fields),
    address: readAddress(fields, 'address'),
    role: readRole(fields),
    seeding: readBoolean(fields, 'seeding'),
    chunks: readInventory(fields, 'chunks', newIndexBudget()),
    capacity: readCapacity(fields),
  }),
  report: (fields) => {
    const budget = newIndexBudget();
    return {
      name: readNodeName(fields, 'name'),
      ...readOptionalNodeId(fields),
      added: readInventory(fields, 'added', budget),
      removed: readInventory(fields, 'removed', budget),
    };
  },
  query: (fields) => {
    const count = own(fields, 'count');
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_QUERY_COUNT) {
      throw badField('count', `an integer from 1 to ${MAX_QUERY_COUNT}`, count);
    }
    return {
      name: readNodeName(fields, 'name'),
      video: readVideoName(fields, 'video'),
      from: readIndex(fields, 'from', true),
      count,
    };
  },
  get: (fields) => ({
    video: readVideoName(fields, 'video'),
    index: readIndex(fields, 'index', true),
    fetchUpstream: readFetchUpstream(fields),
    ...(isAbsent(fields, 'streamId') ? {} : { streamId: readStreamId(fields, 'streamId') }),
    ...readOptionalName(fields),
  }),
  ping: (fields) => ({
    ...readOptionalName(fields),
    ...readOptionalNodeId(fields),
    ...(isAbsent(fields, 'rttMs') ? {} : { rttMs: readNumber(fields, 'rttMs', 0, MAX_RTT_MS) }),
  }),
  bye: (fields) => ({ name: readNodeName(fields, 'name'), ...readOptionalNodeId(fields) }),
  'end-stream': (fields) => ({ streamId: readStreamId(fields, 'streamId') }),
  'list-videos': empty,
  'get-manifest': (fields) => ({ video: readVideoName(fields, 'video') }),
  stats: empty,
  topology: empty,
  // `videos` is optional and unused by this node (see AnnounceVideosRequest), but checked when sent.
  'announce-videos': (fields) => ({
    name: readNodeName(fields, 'name'),
    ...(isAbsent(fields, 'videos') ? {} : { videos: readVideoList(fields) }),
  }),
  'get-poster': (fields) => ({ video: readVideoName(fields, 'video'), ...readOptionalName(fields) }),
};
