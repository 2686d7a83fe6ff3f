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
  card: ModelCardSchema,
}).superRefine((f, ctx) => {
  const expected = (1 << f.featureOptions.bits) * f.labels.length * 4;
  const bytes = Math.floor((f.weights.length * 3) / 4) - (f.weights.endsWith('==') ? 2 : f.weights.endsWith('=') ? 1 : 0);
  if (bytes !== expected) ctx.addIssue({ code: 'custom', path: ['weights'], message: `holds ${bytes} bytes; 2^${f.featureOptions.bits} features × ${f.labels.length} labels need ${expected}` });
  if (f.bias.length !== f.labels.length) ctx.addIssue({ code: 'custom', path: ['bias'], message: `has ${f.bias.length} values for ${f.labels.length} labels` });
});
export type ModelFile = z.infer<typeof ModelFileSchema>;

export function toModelFile(clf: TextClassifier): ModelFile {
  if (!clf.card) throw new ValidationError('a model is saved with its card', [{ path: 'card', message: 'missing' }]);
  const w = clf.model.weights;
  return {
    format: MODEL_FORMAT,
    task: clf.task,
    labels: [...clf.labels],
    featureOptions: clf.featureOptions,
    weights: Buffer.from(w.buffer, w.byteOffset, w.byteLength).toString('base64'),
    bias: Array.from(clf.model.bias),
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
  const buf = Buffer.from(f.weights, 'base64');
  // Copy: a Float32Array needs a 4-byte-aligned offset, which a pooled Buffer does not promise.
  const weights = new Float32Array(buf.byteLength / 4);
  new Uint8Array(weights.buffer).set(buf);
  const dim = 1 << f.featureOptions.bits;
  return new TextClassifier(f.task, f.labels, f.featureOptions, { numClasses: f.labels.length, dim, weights, bias: Float32Array.from(f.bias) }, f.card);
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
