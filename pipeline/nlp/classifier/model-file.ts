import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { ValidationError, zodDetails } from '../../../model/index.ts';
import { ModelCardSchema } from './card.ts';
import { FeatureOptionsSchema } from './features.ts';
import { TextClassifier } from './text-classifier.ts';

export const MODEL_FORMAT = 'allears-textclf-1';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** One JSON file per model. Weights are little-endian Float32 in base64 (every platform Node runs on is little-endian). */
export const ModelFileSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  task: z.string().min(1),
  labels: z.array(z.string()).min(2).refine((l) => new Set(l).size === l.length, 'labels must be distinct'),
  featureOptions: FeatureOptionsSchema,
  weights: z.string().regex(BASE64, 'not base64'),
  bias: z.array(z.number()),
  /** Per-feature IDF weights, Float32 in base64 like the weights; present exactly when featureOptions.idf is on. */
  idf: z.string().regex(BASE64, 'not base64').optional(),
  card: ModelCardSchema,
}).superRefine((f, ctx) => {
  const expected = (1 << f.featureOptions.bits) * f.labels.length * 4;
  const bytes = base64Bytes(f.weights);
  if (bytes !== expected) ctx.addIssue({ code: 'custom', path: ['weights'], message: `holds ${bytes} bytes; 2^${f.featureOptions.bits} features × ${f.labels.length} labels need ${expected}` });
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

export function toModelFile(clf: TextClassifier): ModelFile {
  if (!clf.card) throw new ValidationError('a model is saved with its card', [{ path: 'card', message: 'missing' }]);
  return {
    format: MODEL_FORMAT,
    task: clf.task,
    labels: [...clf.labels],
    featureOptions: clf.featureOptions,
    weights: toBase64(clf.model.weights),
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
  const weights = fromBase64(f.weights);
  const dim = 1 << f.featureOptions.bits;
  const idf = f.idf === undefined ? undefined : fromBase64(f.idf);
  return new TextClassifier(f.task, f.labels, f.featureOptions, { numClasses: f.labels.length, dim, weights, bias: Float32Array.from(f.bias) }, f.card, idf);
}

export async function saveModel(clf: TextClassifier, path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(toModelFile(clf)));
}

export async function loadModel(path: string): Promise<TextClassifier> {
  const text = await readFile(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ValidationError(`${path} is not JSON: ${(err as Error).message}`, [{ path: 'model', message: 'not JSON' }], 'model_invalid');
  }
  return fromModelFile(json, path);
}
