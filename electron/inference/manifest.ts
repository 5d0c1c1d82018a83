// Reads and validates a model folder's manifest.json. Everything the
// inference code needs to know about a model (tensor names, input size,
// normalisation, coordinate frame, label list) comes from here, so a
// different export only needs a different manifest.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

const dim = z.union([z.number().int(), z.string()]);
const tensorSpec = z.object({
  name: z.string(),
  type: z.enum(['float32', 'int64']),
  shape: z.array(dim),
});
const fileEntry = z.object({ path: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int() });
const ioSpec = z.object({ file: z.string(), inputs: z.array(tensorSpec), outputs: z.array(tensorSpec) });

export const manifestSchema = z.object({
  id: z.string(),
  displayName: z.string(),
  kind: z.literal('promptable-segmenter'),
  version: z.string(),
  license: z.string(),
  trainedOn: z.string(),
  files: z.record(z.string(), fileEntry),
  encoder: ioSpec,
  decoder: ioSpec.extend({
    maskThreshold: z.number(),
    numMasks: z.number().int(),
    maxPoints: z.number().int(),
  }),
  textEncoder: ioSpec,
  tokenizer: z.object({ file: z.string(), unkId: z.number().int(), padId: z.number().int(), maxLength: z.number().int() }),
  preprocessing: z.object({
    inputSize: z.number().int().positive(),
    pixelMean: z.tuple([z.number(), z.number(), z.number()]),
    pixelStd: z.tuple([z.number(), z.number(), z.number()]),
    embeddingGrid: z.number().int().positive(),
    embeddingStride: z.number().positive(),
    lowResMaskSize: z.number().int().positive(),
  }),
  labels: z.object({ things: z.array(z.string()), stuff: z.array(z.string()), all: z.array(z.string()) }),
});

export type ModelManifest = z.infer<typeof manifestSchema>;
export type TensorSpec = z.infer<typeof tensorSpec>;

export async function readManifest(modelDir: string): Promise<ModelManifest> {
  const raw: unknown = JSON.parse(await readFile(join(modelDir, 'manifest.json'), 'utf8'));
  return manifestSchema.parse(raw);
}
