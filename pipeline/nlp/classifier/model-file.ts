import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { ValidationError, zodDetails } from '../../../model/index.ts';
import { ModelCardSchema } from './card.ts';
import { FeatureOptionsSchema } from './features.ts';
import { TextClassifier } from './text-classifier.ts';

export const MODEL_FORMAT = 'allears-textclf-1';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * One JSON file per model, optionally gzipped (a file is read as gzip when it starts with the gzip
 * magic bytes, whatever its name). Weights are little-endian Float32 in base64 (every platform
 * Node runs on is little-endian) or, with `weightsEncoding: "int8"`, one signed byte per weight
 * times the scale of its class: a quarter of the size, for the models shipped with the project.
 */
export const ModelFileSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  task: z.string().min(1),
  labels: z.array(z.string()).min(2).refine((l) => new Set(l).size === l.length, 'labels must be distinct'),
  featureOptions: FeatureOptionsSchema,
  weights: z.string().regex(BASE64, 'not base64'),
  /** Absent for Float32 (files written before int8 existed). */
  weightsEncoding: z.enum(['float32', 'int8']).optional(),
  /** int8 only: per label, the weight one step stands for. */
  weightScales: z.array(z.number().nonnegative()).optional(),
  bias: z.array(z.number()),
  /** Per-feature IDF weights, Float32 in base64 like the weights; present exactly when featureOptions.idf is on. */
  idf: z.string().regex(BASE64, 'not base64').optional(),
  card: ModelCardSchema,
}).superRefine((f, ctx) => {
  const int8 = f.weightsEncoding === 'int8';
  const expected = (1 << f.featureOptions.bits) * f.labels.length * (int8 ? 1 : 4);
  const bytes = base64Bytes(f.weights);
  if (bytes !== expected) ctx.addIssue({ code: 'custom', path: ['weights'], message: `holds ${bytes} bytes; 2^${f.featureOptions.bits} features × ${f.labels.length} labels need ${expected}` });
  if (int8 && f.weightScales?.length !== f.labels.length) ctx.addIssue({ code: 'custom', path: ['weightScales'], message: `needs one scale per label (${f.labels.length}) for int8 weights` });
  if (!int8 && f.weightScales !== undefined) ctx.addIssue({ code: 'custom', path: ['weightScales'], message: 'given, but the weights are not int8' });
  if (f.featureOptions.idf && f.idf === undefined) ctx.addIssue({ code: 'custom', path: ['idf'], message: 'missing; featureOptions.idf is on' });
  if (f.idf !== undefined) {
    const need = (1 << f.featureOptions.bits) * 4;
    if (!f.featureOptions.idf) ctx.addIssue({ code: 'custom', path: ['idf'], message: 'given, but featureOptions.idf is off' });
    else if (base64Bytes(f.idf) !== need) ctx.addIssue({ code: 'custom', path: ['idf'], message: `holds ${base64Bytes(f.idf)} bytes; 2^${f.featureOptions.bits} features need ${need}` });
  }
  if (f.bias.length !== f.labels.length) ctx.addIssue({ code: 'custom', path: ['bias'], message: `has ${f.bias.length} values for ${f.labels.length} labels` });
});
export type ModelFile = z.infer<typeof ModelFileSchema>;

function base64Bytes(s: string): number {
  return Math.floor((s.length * 3) / 4) - (s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0);
}

const toBase64 = (a: Float32Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

function fromBase64(s: string): Float32Array {
  const buf = Buffer.from(s, 'base64');
  // Copy: a Float32Array needs a 4-byte-aligned offset, which a pooled Buffer does not promise.
  const out = new Float32Array(buf.byteLength / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

/** Per label, the largest absolute weight over 127: the step of the int8 encoding. */
function int8Scales(weights: Float32Array, K: number): number[] {
  const max = new Array<number>(K).fill(0);
  for (let j = 0; j < weights.length; j++) {
    const a = Math.abs(weights[j]!);
    if (a > max[j % K]!) max[j % K] = a;
  }
  return max.map((m) => Math.fround(m / 127));
}

function toInt8(weights: Float32Array, scales: readonly number[]): Int8Array {
  const K = scales.length;
  const out = new Int8Array(weights.length);
  for (let j = 0; j < weights.length; j++) {
    const s = scales[j % K]!;
    out[j] = s > 0 ? Math.max(-127, Math.min(127, Math.round(weights[j]! / s))) : 0;
  }
  return out;
}

function fromInt8(q: Int8Array, scales: readonly number[]): Float32Array {
  const K = scales.length;
  const out = new Float32Array(q.length);
  for (let j = 0; j < q.length; j++) out[j] = q[j]! * scales[j % K]!;
  return out;
}

/**
 * The classifier with its weights rounded as the int8 encoding stores them: score this one, and the
 * numbers on the card are those of the model that will be loaded from the file.
 */
export function quantizeInt8(clf: TextClassifier): TextClassifier {
  const scales = int8Scales(clf.model.weights, clf.labels.length);
  const weights = fromInt8(toInt8(clf.model.weights, scales), scales);
  return new TextClassifier(clf.task, clf.labels, clf.featureOptions, { ...clf.model, weights }, clf.card, clf.idf);
}

export interface ModelFileOptions {
  /** Store weights as int8 with a scale per label (see quantizeInt8). */
  int8?: boolean;
}

export function toModelFile(clf: TextClassifier, opts: ModelFileOptions = {}): ModelFile {
  if (!clf.card) throw new ValidationError('a model is saved with its card', [{ path: 'card', message: 'missing' }]);
  const scales = opts.int8 ? int8Scales(clf.model.weights, clf.labels.length) : undefined;
  const q = scales ? toInt8(clf.model.weights, scales) : undefined;
  return {
    format: MODEL_FORMAT,
    task: clf.task,
    labels: [...clf.labels],
    featureOptions: clf.featureOptions,
    weights: q ? Buffer.from(q.buffer, q.byteOffset, q.byteLength).toString('base64') : toBase64(clf.model.weights),
    ...(scales ? { weightsEncoding: 'int8' as const, weightScales: scales } : {}),
    bias: Array.from(clf.model.bias),
    ...(clf.featureOptions.idf && clf.idf ? { idf: toBase64(clf.idf) } : {}),
    card: clf.card,
  };
}

/** Validate parsed JSON; every problem is named by its field ("featureOptions.bits", "weights"). */
export function fromModelFile(json: unknown, source = 'model'): TextClassifier {
  const r = ModelFileSchema.safeParse(json);
  if (!r.success) {
    const details = zodDetails(r.error.issues);
    throw new ValidationError(`${source} is not a valid ${MODEL_FORMAT} file: ${details.map((d) => `${d.path || '(root)'}: ${d.message}`).join('; ')}`, details, 'model_invalid');
  }
  const f = r.data;
  const weights = f.weightsEncoding === 'int8' ? fromInt8(new Int8Array(Buffer.from(f.weights, 'base64')), f.weightScales!) : fromBase64(f.weights);
  const dim = 1 << f.featureOptions.bits;
  const idf = f.idf === undefined ? undefined : fromBase64(f.idf);
  return new TextClassifier(f.task, f.labels, f.featureOptions, { numClasses: f.labels.length, dim, weights, bias: Float32Array.from(f.bias) }, f.card, idf);
}

/** Writes JSON, gzipped when the path ends in `.gz`. */
export async function saveModel(clf: TextClassifier, path: string, opts: ModelFileOptions = {}): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const json = JSON.stringify(toModelFile(clf, opts));
  await writeFile(path, path.endsWith('.gz') ? gzipSync(json, { level: 9 }) : json);
}

/** File bytes → JSON: gunzipped first when they start with the gzip magic bytes. */
function parseModelBytes(bytes: Buffer, path: string): unknown {
  let text: string;
  try {
    text = (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
  } catch (err) {
    throw new ValidationError(`${path} is not valid gzip: ${(err as Error).message}`, [{ path: 'model', message: 'not gzip' }], 'model_invalid');
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ValidationError(`${path} is not JSON: ${(err as Error).message}`, [{ path: 'model', message: 'not JSON' }], 'model_invalid');
  }
}

export async function loadModel(path: string): Promise<TextClassifier> {
  return fromModelFile(parseModelBytes(await readFile(path), path), path);
}

/** loadModel for start-up paths that are synchronous (building the pipeline stages). */
export function loadModelSync(path: string): TextClassifier {
  return fromModelFile(parseModelBytes(readFileSync(path), path), path);
}
