// The segmenter manifest's optional "captioner" entry: a PixelLLM-style
// caption head over the cached image embeddings, in two ONNX graphs. The
// context graph runs once per image (and region) and gives each decoder
// layer's cross-attention memory; the step graph runs once per word on the
// tokens so far and gives the next word's logits and its point. Written by
// models/training/export_v2.py; the contract is in models/training/README.md.
import { z } from 'zod';

import { ioSpec, type TensorSpec } from '../manifestBase.js';

export const CAPTION_CONTEXT_INPUTS = ['image_embeddings', 'region_box', 'has_region_box'] as const;
export const CAPTION_CONTEXT_OUTPUT = 'caption_memory';
export const CAPTION_STEP_INPUTS = [CAPTION_CONTEXT_OUTPUT, 'token_ids'] as const;
export const CAPTION_STEP_OUTPUTS = ['word_logits', 'word_points'] as const;

const tokenId = z.number().int().nonnegative();

export const captionerSchema = z
  .object({
    context: ioSpec,
    step: ioSpec,
    /** Output words by id: lower-case words and ','. */
    vocab: z.array(z.string().min(1).max(100)).min(5).max(100_000),
    padId: tokenId,
    bosId: tokenId,
    eosId: tokenId,
    unkId: tokenId,
    /** Decoding stops after this many words when no end token came. */
    maxWords: z.number().int().min(1).max(1000),
    // Free-text notes export_v2.py writes for people reading the manifest.
    regionBox: z.string().optional(),
    decoding: z.string().optional(),
    points: z.string().optional(),
    words: z.string().optional(),
  })
  .superRefine((c, ctx) => {
    const issue = (path: (string | number)[], message: string): void => ctx.addIssue({ code: 'custom', path, message });
    for (const key of ['padId', 'bosId', 'eosId', 'unkId'] as const)
      if (c[key] >= c.vocab.length) issue([key], `must be a vocab index (0..${c.vocab.length - 1})`);
    const names = (specs: TensorSpec[]) => specs.map((t) => t.name);
    const exactly = (path: string[], specs: TensorSpec[], want: readonly string[]) => {
      if (names(specs).join() !== want.join()) issue(path, `must be [${want.join(', ')}] in this order, got [${names(specs).join(', ')}]`);
    };
    exactly(['context', 'inputs'], c.context.inputs, CAPTION_CONTEXT_INPUTS);
    exactly(['context', 'outputs'], c.context.outputs, [CAPTION_CONTEXT_OUTPUT]);
    exactly(['step', 'inputs'], c.step.inputs, CAPTION_STEP_INPUTS);
    exactly(['step', 'outputs'], c.step.outputs, CAPTION_STEP_OUTPUTS);
    const typed = (path: (string | number)[], spec: TensorSpec | undefined, type: TensorSpec['type']) => {
      if (spec && spec.type !== type) issue(path, `"${spec.name}" must be ${type}`);
    };
    c.context.inputs.forEach((t, i) => typed(['context', 'inputs', i, 'type'], t, 'float32'));
    typed(['step', 'inputs', 1, 'type'], c.step.inputs[1], 'int64');
    const memoryIn = c.step.inputs[0]?.shape.join();
    const memoryOut = c.context.outputs[0]?.shape.join();
    if (memoryIn !== undefined && memoryOut !== undefined && memoryIn !== memoryOut)
      issue(['step', 'inputs', 0, 'shape'], `caption_memory must have the context output's shape [${memoryOut}]`);
    const logits = c.step.outputs[0]?.shape;
    const vocabDim = logits?.[2];
    if (logits && (logits.length !== 3 || (typeof vocabDim === 'number' && vocabDim !== c.vocab.length)))
      issue(['step', 'outputs', 0, 'shape'], `word_logits must be [1, T, ${c.vocab.length}] (the vocab's size)`);
    const points = c.step.outputs[1]?.shape;
    if (points && (points.length !== 3 || points[2] !== 2)) issue(['step', 'outputs', 1, 'shape'], 'word_points must be [1, T, 2]');
  });

export type CaptionerManifest = z.infer<typeof captionerSchema>;
