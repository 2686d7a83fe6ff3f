import { z } from 'zod';

const ClassMetricsSchema = z.object({ precision: z.number(), recall: z.number(), f1: z.number(), support: z.number().int().nonnegative() });

/** What a model was trained on and how well it did on data it had not seen. */
export const ModelCardSchema = z.object({
  trainedAt: z.iso.datetime(),
  data: z.object({ file: z.string(), rows: z.number().int().nonnegative(), licence: z.string().optional() }),
  metrics: z.object({ accuracy: z.number().min(0).max(1), macroF1: z.number().min(0).max(1), perClass: z.record(z.string(), ClassMetricsSchema) }),
  /** Written into each analysis as the model version, so a stored label says which model gave it. */
  version: z.string().min(1),
});
export type ModelCard = z.infer<typeof ModelCardSchema>;
