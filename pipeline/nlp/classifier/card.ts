import { z } from 'zod';

const ClassMetricsSchema = z.object({ precision: z.number(), recall: z.number(), f1: z.number(), support: z.number().int().nonnegative() });

/** One file a model learned from, where it came from and on what terms. */
const SourceSchema = z.object({
  file: z.string(),
  /** Rows of this file in the training part. */
  rows: z.number().int().nonnegative(),
  source: z.string().optional(),
  licence: z.string().optional(),
});

/** What a model was trained on and how well it did on data it had not seen. */
export const ModelCardSchema = z.object({
  trainedAt: z.iso.datetime(),
  data: z.object({ file: z.string(), rows: z.number().int().nonnegative(), licence: z.string().optional() }),
  metrics: z.object({ accuracy: z.number().min(0).max(1), macroF1: z.number().min(0).max(1), perClass: z.record(z.string(), ClassMetricsSchema) }),
  /** Written into each analysis as the model version, so a stored label says which model gave it. */
  version: z.string().min(1),
  // The fields below are optional so that cards written before them still load.
  /** Every training file, when there are several (`data` then sums them up). */
  sources: z.array(SourceSchema).optional(),
  /** Held-out scores per training file, when there are several. */
  metricsBySource: z.record(z.string(), z.object({ accuracy: z.number().min(0).max(1), macroF1: z.number().min(0).max(1), n: z.number().int().nonnegative() })).optional(),
  /** Terms of use the weights inherit from their training data. */
  terms: z.string().optional(),
  /** The command that rebuilds this model. */
  command: z.string().optional(),
});
export type ModelCard = z.infer<typeof ModelCardSchema>;
