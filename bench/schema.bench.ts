/**
 * The `get` request is the hot path of the wire: every chunk a node serves starts with one. Before
 * moving validation to a schema library (issue 9), this measures what each candidate costs there, side
 * by side in one run: the node's own decoder (decodeRequest: hand-written when this was first run,
 * valibot since), zod 4 (classic and zod/mini) and valibot, each decoding the same msgpack frame and checking the same rules with the same
 * messages. Rounds alternate between the candidates so that noise falls on all of them alike.
 */
import { Packr, Unpackr } from 'msgpackr';
import * as v from 'valibot';
import * as z from 'zod';
import * as zm from 'zod/mini';
import { decodeRequest, encodeRequest } from '../core/protocol/codec.js';
import { printableProblem, type Fields } from '../core/protocol/fields.js';
import { requestValidators } from '../core/protocol/requests.js';
import {
  CHUNK_INDEX_LIMIT,
  MAX_NODE_NAME_BYTES,
  MAX_REQUEST_ID,
  MAX_STREAM_ID_BYTES,
} from '../core/protocol/limits.js';
import { WireProblem, badField } from '../core/protocol/problems.js';
import { videoNameProblem } from '../core/shared/video-name.js';
import { median, type BenchRow, type BenchSuite } from './harness.js';

const ROUNDS = 61;
const OPS_PER_ROUND = 5_000;

// What a child's stream sends for chunk 137 of a video, as PeerClient encodes it.
const GET = {
  type: 'get',
  video: 'Sintel (2010) 1080p',
  index: 137,
  fetchUpstream: true,
  streamId: 'c2f1a9e0b7d34c55',
  name: 'node-eu-17',
} as const;
const frame = encodeRequest(48_213, GET)[0] as Buffer;
// The same request with a string index, as a hostile or broken peer might send it.
const bad = new Packr({ useRecords: false }).pack({ v: 1, id: 48_214, ...GET, index: 'x' });

// The same rules and messages as core/protocol/fields.ts, written once per library.
const INDEX = `a chunk index: an integer from 0 to ${CHUNK_INDEX_LIMIT - 1}, or -1 for the init segment`;
const ID = `a request id from 1 to ${MAX_REQUEST_ID}`;
const videoMessage = (input: unknown): string => `a valid video name (${videoNameProblem(input)})`;
const isVideoName = (input: unknown): input is string => videoNameProblem(input) === null;
const printable =
  (max: number) =>
  (input: unknown): input is string =>
    printableProblem(input, max) === null;
const printableMessage = (what: string, max: number) => (input: unknown) =>
  `${what} of 1 to ${max} printable bytes (${printableProblem(input, max)})`;

const zodHeader = {
  v: z.literal(1),
  id: z.int({ error: ID }).min(1, { error: ID }).max(MAX_REQUEST_ID, { error: ID }),
  type: z.literal('get'),
};
const zodFields = {
  video: z.custom<string>(isVideoName, { error: (issue) => videoMessage(issue.input) }),
  index: z
    .int({ error: INDEX })
    .min(-1, { error: INDEX })
    .max(CHUNK_INDEX_LIMIT - 1, { error: INDEX }),
  fetchUpstream: z.boolean({ error: 'true or false' }),
  streamId: z
    .custom<string>(printable(MAX_STREAM_ID_BYTES), {
      error: (issue) => printableMessage('a stream id', MAX_STREAM_ID_BYTES)(issue.input),
    })
    .nullish(),
  name: z
    .custom<string>(printable(MAX_NODE_NAME_BYTES), {
      error: (issue) => printableMessage('a node name', MAX_NODE_NAME_BYTES)(issue.input),
    })
    .nullish(),
};
const zodGet = z.object({ ...zodHeader, ...zodFields });
const zodGetFields = z.object(zodFields);

const zodMiniHeader = {
  v: zm.literal(1),
  id: zm.int({ error: ID }).check(zm.gte(1, { error: ID }), zm.lte(MAX_REQUEST_ID, { error: ID })),
  type: zm.literal('get'),
};
const zodMiniFields = {
  video: zm.custom<string>(isVideoName, { error: (issue) => videoMessage(issue.input) }),
  index: zm
    .int({ error: INDEX })
    .check(zm.gte(-1, { error: INDEX }), zm.lte(CHUNK_INDEX_LIMIT - 1, { error: INDEX })),
  fetchUpstream: zm.boolean({ error: 'true or false' }),
  streamId: zm.nullish(
    zm.custom<string>(printable(MAX_STREAM_ID_BYTES), {
      error: (issue) => printableMessage('a stream id', MAX_STREAM_ID_BYTES)(issue.input),
    }),
  ),
  name: zm.nullish(
    zm.custom<string>(printable(MAX_NODE_NAME_BYTES), {
      error: (issue) => printableMessage('a node name', MAX_NODE_NAME_BYTES)(issue.input),
    }),
  ),
};
const zodMiniGet = zm.object({ ...zodMiniHeader, ...zodMiniFields });
const zodMiniGetFields = zm.object(zodMiniFields);

const valibotHeader = {
  v: v.literal(1),
  id: v.pipe(v.number(ID), v.safeInteger(ID), v.minValue(1, ID), v.maxValue(MAX_REQUEST_ID, ID)),
  type: v.literal('get'),
};
const valibotFields = {
  video: v.custom<string>(isVideoName, (issue) => videoMessage(issue.input)),
  index: v.pipe(
    v.number(INDEX),
    v.integer(INDEX),
    v.minValue(-1, INDEX),
    v.maxValue(CHUNK_INDEX_LIMIT - 1, INDEX),
  ),
  fetchUpstream: v.boolean('true or false'),
  streamId: v.nullish(
    v.custom<string>(printable(MAX_STREAM_ID_BYTES), (issue) =>
      printableMessage('a stream id', MAX_STREAM_ID_BYTES)(issue.input),
    ),
  ),
  name: v.nullish(
    v.custom<string>(printable(MAX_NODE_NAME_BYTES), (issue) =>
      printableMessage('a node name', MAX_NODE_NAME_BYTES)(issue.input),
    ),
  ),
};
const valibotGet = v.object({ ...valibotHeader, ...valibotFields });
const valibotGetFields = v.object(valibotFields);

// Decoded as codec.ts decodes, so every candidate starts from the same bytes.
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });

/**
 * The first problem as the wire words it (`field "index" must be ...; got "x"`), thrown as today's
 * validators throw it, so the refusal path costs what it would in codec.ts.
 */
function wireProblem(
  path: ReadonlyArray<PropertyKey | { key: unknown }>,
  message: string,
  input: unknown,
): never {
  throw badField(
    path.map((step) => (typeof step === 'object' ? String(step.key) : String(step))).join('.'),
    message,
    input,
  );
}

interface Candidate {
  name: string;
  /** Decodes the frame and validates the whole header; throws a WireProblem when it is wrong. */
  decode(frame: Buffer): unknown;
  /** Validates the fields of an already decoded header (the schema's own cost, without msgpack). */
  validate(fields: Fields): unknown;
}

const candidates: Candidate[] = [
  {
    name: 'decodeRequest (core/protocol)',
    decode: (frame) => decodeRequest([frame]),
    validate: (fields) => requestValidators.get(fields),
  },
  {
    name: 'zod 4',
    decode(frame) {
      const result = zodGet.safeParse(unpackr.unpack(frame), { reportInput: true });
      if (result.success) return result.data;
      const issue = result.error.issues[0]!;
      return wireProblem(issue.path, issue.message, (issue as { input?: unknown }).input);
    },
    validate: (fields) => zodGetFields.parse(fields),
  },
  {
    name: 'zod/mini',
    decode(frame) {
      const result = zm.safeParse(zodMiniGet, unpackr.unpack(frame), { reportInput: true });
      if (result.success) return result.data;
      const issue = result.error.issues[0]!;
      return wireProblem(issue.path, issue.message, (issue as { input?: unknown }).input);
    },
    validate: (fields) => zm.parse(zodMiniGetFields, fields),
  },
  {
    name: 'valibot',
    decode(frame) {
      const result = v.safeParse(valibotGet, unpackr.unpack(frame), { abortEarly: true });
      if (result.success) return result.output;
      const issue = result.issues[0];
      return wireProblem(
        issue.path?.map((item) => item.key as PropertyKey) ?? [],
        issue.message,
        issue.input,
      );
    },
    validate: (fields) => v.parse(valibotGetFields, fields),
  },
];

function refusal(candidate: Candidate): string {
  try {
    candidate.decode(bad);
  } catch (error) {
    if (error instanceof WireProblem) return error.message;
    throw error;
  }
  throw new Error(`${candidate.name} accepted a get with a string index`);
}

/** Nanoseconds per call of `run`, `OPS_PER_ROUND` calls timed together. */
function timeRound(run: () => unknown): number {
  let sink = 0;
  const started = process.hrtime.bigint();
  for (let op = 0; op < OPS_PER_ROUND; op++) if (run() !== undefined) sink++;
  const elapsed = Number(process.hrtime.bigint() - started);
  // Keeps V8 from dropping the calls as unused.
  if (sink !== OPS_PER_ROUND) throw new Error('a candidate returned nothing');
  return elapsed / OPS_PER_ROUND;
}

function measure(label: string, run: (candidate: Candidate) => () => unknown): Map<string, number[]> {
  const samples = new Map(candidates.map((candidate) => [candidate.name, [] as number[]]));
  // Warm-up: let V8 optimise each candidate (and zod compile its object parser) before timing.
  for (const candidate of candidates) timeRound(run(candidate));
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order each round so no candidate always runs right after another's garbage.
    for (let k = 0; k < candidates.length; k++) {
      const candidate = candidates[(round + k) % candidates.length]!;
      samples.get(candidate.name)!.push(timeRound(run(candidate)));
    }
  }
  console.error(`  ${label}: ${ROUNDS} rounds of ${OPS_PER_ROUND}`);
  return samples;
}

export const suite: BenchSuite = {
  name: 'schema',
  async run(): Promise<BenchRow[]> {
    const decoded = unpackr.unpack(frame) as Fields;
    const tables: Array<[string, Map<string, number[]>, (candidate: Candidate) => string]> = [
      [
        'get decode + validate',
        measure('decode + validate', (candidate) => () => candidate.decode(frame)),
        () => `median of ${ROUNDS} rounds of ${OPS_PER_ROUND}`,
      ],
      [
        'get fields validated (no msgpack)',
        measure('validate only', (candidate) => () => candidate.validate(decoded)),
        () => 'the fields of the decoded header',
      ],
      [
        'bad get refused',
        measure('refuse a bad index', (candidate) => () => refusal(candidate)),
        (candidate) => refusal(candidate),
      ],
    ];
    return tables.flatMap(([what, samples, detail]) => {
      const baseline = median(samples.get(candidates[0]!.name)!);
      return candidates.map((candidate): BenchRow => {
        const ns = median(samples.get(candidate.name)!);
        return {
          suite: 'schema',
          what: `${what}: ${candidate.name}`,
          value: ns,
          unit: 'ns/op',
          target: 'reference',
          pass: true,
          detail: `${(ns / baseline).toFixed(2)}x decodeRequest; ${detail(candidate)}`,
        };
      });
    });
  },
};
