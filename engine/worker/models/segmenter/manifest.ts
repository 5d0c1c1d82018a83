// The segmenter's manifest.json (kind "promptable-segmenter"): the shared
// header and files (../manifestBase.ts) plus everything the inference code
// needs to know about a model (tensor names, input size, normalisation,
// coordinate frame, optional text encoder, label list), so a different
// export only needs a different manifest. The format is documented field by
// field in docs/models.md. Read by the registry too (main process): nothing
// here loads onnxruntime.
import { join } from 'node:path';

import { z } from 'zod';

import type { ModelInfo, PromptCapabilities } from '../../../../common/contract/ai.js';
import { colourRule, resizeRuleField } from '../../imaging/rules.js';
import { describeFileProblems, verifyModelFiles } from '../../integrity.js';
import { describeModelFolder } from '../describeModelFolder.js';
import { ioSpec, listsFile, manifestHeader, modelFiles, parseManifestWith, pixelNormalisation, readManifestJson, relativePath, type TensorSpec } from '../manifestBase.js';
import { captionerSchema } from './captionerManifest.js';

export const SEGMENTER_MANIFEST_KIND = 'promptable-segmenter';

/** The public Segment Anything ONNX decoder inputs (segment-anything/utils/onnx.py); all float32. */
export const SAM_DECODER_INPUTS = ['image_embeddings', 'point_coords', 'point_labels', 'mask_input', 'has_mask_input', 'orig_im_size'] as const;
/** SEEM-style extras the adapter feeds when the manifest declares them (each pair all or nothing). */
export const TEXT_DECODER_INPUTS = ['text_embedding', 'has_text_embedding'] as const;
export const REFERENCE_DECODER_INPUTS = ['ref_embedding', 'has_ref_embedding'] as const;
export const SAM_DECODER_OUTPUTS = ['masks', 'iou_predictions', 'low_res_masks'] as const;
/** Optional decoder output: per-mask embedding in the text encoder's space (semantic labels). */
export const CLASS_EMBEDDING_OUTPUT = 'class_embedding';

const KNOWN_DECODER_INPUTS: readonly string[] = [...SAM_DECODER_INPUTS, ...TEXT_DECODER_INPUTS, ...REFERENCE_DECODER_INPUTS];

/**
 * The resize rules a SAM-style segmenter takes: both keep the frame of
 * Segment Anything's ResizeLongestSide (longest side to inputSize, zero
 * padding bottom/right), which the decoder's orig_im_size post-processing
 * assumes. `pillow-bilinear` resamples as SAM's reference code does and is
 * the default: a manifest without the field was written for a SAM export
 * (docs/models.md), and SAM reads pixels with PIL. `sharp-linear` is the
 * app's earlier rule, kept for the built-in model. (SAM 2's stretch and
 * YOLO's letterbox belong to their own model kinds.)
 */
export const SEGMENTER_RESIZE_RULES = ['pillow-bilinear', 'sharp-linear'] as const;
export type SegmenterResizeRule = (typeof SEGMENTER_RESIZE_RULES)[number];

/**
 * What the encoder's one input is:
 * - `normalised-nchw` (the default, and the official Segment Anything
 *   encoder's): float32 [1, 3, S, S], the resized image normalised with
 *   pixelMean / pixelStd and zero-padded right and bottom to S × S;
 * - `raw-hwc` (samexporter's `--use-preprocess` exports, which X-AnyLabeling
 *   ships for SAM and MobileSAM): the resized image itself, float32 [h, w, 3]
 *   RGB with 0–255 values, neither normalised nor padded (the graph
 *   normalises, pads and adds the batch axis). Its h and w change with the
 *   image, so the graph's dimensions are usually symbolic.
 * Either way the image is resized by `preprocessing.resize` first.
 */
export const SEGMENTER_ENCODER_INPUTS = ['normalised-nchw', 'raw-hwc'] as const;
export type SegmenterEncoderInput = (typeof SEGMENTER_ENCODER_INPUTS)[number];

export const manifestSchema = manifestHeader(SEGMENTER_MANIFEST_KIND)
  .extend({
    trainedOn: z.string(),
    files: modelFiles,
    encoder: ioSpec,
    decoder: ioSpec.extend({
      /** Logit threshold of the `masks` output (SAM: 0). */
      maskThreshold: z.number(),
      /** Candidate masks per call: the second dimension of masks / iou_predictions / low_res_masks. */
      numMasks: z.number().int().positive(),
      /** Scribbles are sampled down so that clicks + scribble + box/padding fit in this many points. */
      maxPoints: z.number().int().min(3),
      /**
       * How the preselected candidate is chosen: the highest predicted IoU, or
       * Segment Anything's rule for its 4-mask export (mask 0 is the
       * multi-point output: chosen when there are 3+ points counting the
       * padding point, never otherwise; segment_anything/utils/onnx.py select_masks).
       */
      bestMask: z.enum(['max-iou', 'sam-select']).default('max-iou'),
    }),
    /** Absent: the model takes no text prompts and gives no semantic labels. */
    textEncoder: ioSpec.optional(),
    tokenizer: z
      .object({ file: relativePath, unkId: z.number().int(), padId: z.number().int(), maxLength: z.number().int().positive() })
      .optional(),
    preprocessing: z.object({
      /** Longest side after resizing, and the side of the zero-padded square (SAM: 1024). */
      inputSize: z.number().int().positive(),
      /** The encoder input's layout (see SEGMENTER_ENCODER_INPUTS); default the normalised, padded [1, 3, S, S] tensor. */
      encoderInput: z.enum(SEGMENTER_ENCODER_INPUTS).default('normalised-nchw'),
      /** Per-channel RGB mean and std in 0-255 (SAM: ImageNet's); for a raw-hwc encoder, what its graph applies (informative). */
      ...pixelNormalisation,
      /** Side of the encoder's output grid (SAM ViT: 64). */
      embeddingGrid: z.number().int().positive(),
      /** Model-frame pixels per grid cell: inputSize / embeddingGrid. */
      embeddingStride: z.number().positive(),
      /** Side of mask_input and low_res_masks, the memory prompt (SAM: 256). */
      lowResMaskSize: z.number().int().positive(),
      /** How the image is resampled into the frame (see SEGMENTER_RESIZE_RULES); default Segment Anything's. */
      resize: resizeRuleField(SEGMENTER_RESIZE_RULES, 'pillow-bilinear', "a promptable segmenter keeps Segment Anything's longest-side frame"),
      /** Which pixel values are read: as stored (default, as PIL reads them for SAM) or converted to sRGB. */
      colour: colourRule.default('stored'),
    }),
    /** The label vocabulary the model was trained on; informative (labels come from the project's list). */
    labels: z
      .object({ things: z.array(z.string()), stuff: z.array(z.string()), all: z.array(z.string()) })
      .default({ things: [], stuff: [], all: [] }),
    /** Absent: the model writes no captions (see captionerManifest.ts). */
    captioner: captionerSchema.optional(),
  })
  .superRefine((m, ctx) => {
    const issue = (path: (string | number)[], message: string): void => ctx.addIssue({ code: 'custom', path, message });
    const parts: [string, string | undefined][] = [
      ['encoder', m.encoder.file],
      ['decoder', m.decoder.file],
      ['textEncoder', m.textEncoder?.file],
      ['tokenizer', m.tokenizer?.file],
      ['captioner', m.captioner?.context.file],
      ['captioner', m.captioner?.step.file],
    ];
    for (const [part, file] of parts) {
      if (file !== undefined && !listsFile(m.files, file)) issue([part, 'file'], `"${file}" is not listed in "files" (its sha256 and size are needed)`);
    }
    if ((m.textEncoder === undefined) !== (m.tokenizer === undefined)) {
      issue([m.textEncoder ? 'tokenizer' : 'textEncoder'], 'textEncoder and tokenizer go together: give both or neither');
    }

    const p = m.preprocessing;
    const enc = m.encoder;
    if (enc.inputs.length !== 1) issue(['encoder', 'inputs'], 'the encoder must have exactly one input (the image)');
    if (enc.outputs.length !== 1) issue(['encoder', 'outputs'], 'the encoder must have exactly one output (the image embeddings)');
    const image = enc.inputs[0];
    if (image && p.encoderInput === 'normalised-nchw' && !shapeFits(image.shape, [1, 3, p.inputSize, p.inputSize]))
      issue(['encoder', 'inputs', 0, 'shape'], `must be [1, 3, ${p.inputSize}, ${p.inputSize}] (preprocessing.inputSize) for preprocessing.encoderInput "normalised-nchw"`);
    if (image && p.encoderInput === 'raw-hwc' && !rawImageShapeFits(image.shape, p.inputSize))
      issue(
        ['encoder', 'inputs', 0, 'shape'],
        `must be [H, W, 3] for preprocessing.encoderInput "raw-hwc" (the resized image; H and W symbolic, or numbers no larger than preprocessing.inputSize ${p.inputSize})`,
      );
    if (image && image.type !== 'float32') issue(['encoder', 'inputs', 0, 'type'], 'must be float32');
    const embeddings = enc.outputs[0];
    const channels = embeddings?.shape[1];
    if (embeddings && (typeof channels !== 'number' || !shapeFits(embeddings.shape, [1, channels, p.embeddingGrid, p.embeddingGrid])))
      issue(['encoder', 'outputs', 0, 'shape'], `must be [1, C, ${p.embeddingGrid}, ${p.embeddingGrid}] with a numeric C (preprocessing.embeddingGrid)`);
    if (Math.abs(p.embeddingStride * p.embeddingGrid - p.inputSize) > 1e-6)
      issue(['preprocessing', 'embeddingStride'], `embeddingStride x embeddingGrid must equal inputSize (${p.inputSize})`);

    const dec = m.decoder;
    const inputs = new Map(dec.inputs.map((t) => [t.name, t]));
    const outputs = new Map(dec.outputs.map((t) => [t.name, t]));
    dec.inputs.forEach((t, i) => {
      if (!KNOWN_DECODER_INPUTS.includes(t.name))
        issue(['decoder', 'inputs', i, 'name'], `"${t.name}" is not a decoder input this app can feed (known: ${KNOWN_DECODER_INPUTS.join(', ')})`);
      if (t.type !== 'float32') issue(['decoder', 'inputs', i, 'type'], `"${t.name}" must be float32 (as in Segment Anything's ONNX decoder)`);
    });
    if (inputs.size !== dec.inputs.length) issue(['decoder', 'inputs'], 'an input name is declared twice');
    for (const name of SAM_DECODER_INPUTS) if (!inputs.has(name)) issue(['decoder', 'inputs'], `the Segment Anything input "${name}" is missing`);
    for (const name of SAM_DECODER_OUTPUTS) if (!outputs.has(name)) issue(['decoder', 'outputs'], `the Segment Anything output "${name}" is missing`);
    for (const pair of [TEXT_DECODER_INPUTS, REFERENCE_DECODER_INPUTS]) {
      if (inputs.has(pair[0]) !== inputs.has(pair[1])) issue(['decoder', 'inputs'], `"${pair[0]}" and "${pair[1]}" go together: give both or neither`);
    }
    const lr = p.lowResMaskSize;
    const maskInput = inputs.get('mask_input');
    if (maskInput && !shapeFits(maskInput.shape, [1, 1, lr, lr])) issue(['decoder', 'inputs'], `mask_input must be [1, 1, ${lr}, ${lr}] (preprocessing.lowResMaskSize)`);
    const lowRes = outputs.get('low_res_masks');
    if (lowRes && !shapeFits(lowRes.shape, [1, dec.numMasks, lr, lr]))
      issue(['decoder', 'outputs'], `low_res_masks must be [1, ${dec.numMasks}, ${lr}, ${lr}] (decoder.numMasks, preprocessing.lowResMaskSize)`);
    const decEmbeddings = inputs.get('image_embeddings');
    if (decEmbeddings && embeddings && !shapeFits(decEmbeddings.shape, embeddings.shape.map((d) => (typeof d === 'number' ? d : '?'))))
      issue(['decoder', 'inputs'], 'image_embeddings must have the shape of the encoder output');
    const ref = inputs.get('ref_embedding');
    if (ref && typeof channels === 'number' && !shapeFits(ref.shape, [1, channels])) issue(['decoder', 'inputs'], `ref_embedding must be [1, ${channels}] (the embedding channels)`);

    const captionEmbeddings = m.captioner?.context.inputs[0];
    if (captionEmbeddings && embeddings && !shapeFits(captionEmbeddings.shape, embeddings.shape.map((d) => (typeof d === 'number' ? d : '?'))))
      issue(['captioner', 'context', 'inputs', 0, 'shape'], 'image_embeddings must have the shape of the encoder output');

    const textDim = m.textEncoder ? fixedDim(m.textEncoder.outputs[0]?.shape, 1) : null;
    if (m.textEncoder) {
      const te = m.textEncoder;
      if (te.inputs.length !== 2 || te.inputs.some((t) => t.type !== 'int64'))
        issue(['textEncoder', 'inputs'], 'the text encoder takes two int64 inputs: token ids, then the attention mask');
      if (te.outputs.length !== 1 || textDim === null) issue(['textEncoder', 'outputs'], 'the text encoder has one output of shape [1, D] with a numeric D');
    }
    const text = inputs.get('text_embedding');
    if (text && textDim !== null && !shapeFits(text.shape, [1, textDim])) issue(['decoder', 'inputs'], `text_embedding must be [1, ${textDim}] (the text encoder's output)`);
    if (text && fixedDim(text.shape, 1) === null) issue(['decoder', 'inputs'], 'text_embedding must be [1, D] with a numeric D');
    const cls = outputs.get(CLASS_EMBEDDING_OUTPUT);
    if (cls) {
      const clsDim = fixedDim(cls.shape, 2);
      if (clsDim === null) issue(['decoder', 'outputs'], 'class_embedding must be [1, numMasks, D] with a numeric D');
      else if (textDim !== null && clsDim !== textDim) issue(['decoder', 'outputs'], `class_embedding must have the text encoder's dimension ${textDim}`);
    }
  });

export type ModelManifest = z.infer<typeof manifestSchema>;

/** Numbers must match; a named (symbolic) dimension on either side matches anything. */
function shapeFits(shape: ReadonlyArray<number | string>, expected: ReadonlyArray<number | string>): boolean {
  return shape.length === expected.length && shape.every((d, i) => typeof d === 'string' || typeof expected[i] === 'string' || d === expected[i]);
}

/** A raw-image encoder input: [H, W, 3], each of H and W symbolic or a side the resized image can have (at most inputSize). */
function rawImageShapeFits(shape: ReadonlyArray<number | string>, inputSize: number): boolean {
  if (shape.length !== 3 || !shapeFits([shape[2]!], [3])) return false;
  return [shape[0], shape[1]].every((d) => typeof d === 'string' || (typeof d === 'number' && d >= 1 && d <= inputSize));
}

function fixedDim(shape: ReadonlyArray<number | string> | undefined, index: number): number | null {
  const d = shape?.[index];
  return typeof d === 'number' ? d : null;
}

/** Validates a parsed manifest.json; `source` (its path) prefixes the error message. */
export function parseManifest(raw: unknown, source: string): ModelManifest {
  return parseManifestWith(manifestSchema, raw, source, 'model manifest');
}

export async function readManifest(modelDir: string): Promise<ModelManifest> {
  return parseManifest(await readManifestJson(modelDir), join(modelDir, 'manifest.json'));
}

/** The registry entry for a segmenter folder; a broken one is listed with the reason. */
export async function describeSegmenter(dir: string, source: ModelInfo['source']): Promise<ModelInfo> {
  return describeModelFolder(dir, 'segmenter', source, readManifest, async (manifest) => ({
    note: manifest.trainedOn.toLowerCase().includes('synthetic') ? `Trained on synthetic data (${manifest.trainedOn}); expect weak masks on photographs.` : null,
    problem: describeFileProblems(await verifyModelFiles(dir, manifest)),
    capabilities: capabilitiesOf(manifest),
  }));
}

/** Sizes the segmenter derives from a (validated) manifest. */
export interface ManifestDims {
  /** Embedding channels C of the encoder output [1, C, g, g]. */
  channels: number;
  grid: number;
  inputSize: number;
  /** Side of mask_input / low_res_masks. */
  maskInputSize: number;
  /** Text embedding size; null without a text encoder and text input. */
  textDim: number | null;
  /** class_embedding size; null without that output. */
  classDim: number | null;
}

export function manifestDims(m: ModelManifest): ManifestDims {
  const dec = (name: string): TensorSpec | undefined => m.decoder.inputs.find((t) => t.name === name);
  const cls = m.decoder.outputs.find((t) => t.name === CLASS_EMBEDDING_OUTPUT);
  return {
    channels: fixedDim(m.encoder.outputs[0]?.shape, 1) ?? 0,
    grid: m.preprocessing.embeddingGrid,
    inputSize: m.preprocessing.inputSize,
    maskInputSize: m.preprocessing.lowResMaskSize,
    textDim: fixedDim(m.textEncoder?.outputs[0]?.shape, 1) ?? fixedDim(dec('text_embedding')?.shape, 1),
    classDim: cls ? fixedDim(cls.shape, 2) : null,
  };
}

export function decoderTakes(m: ModelManifest, input: string): boolean {
  return m.decoder.inputs.some((t) => t.name === input);
}

/**
 * What prompts a model can take, from its manifest alone (no session needed):
 * points, boxes and scribbles (sampled to points) through the SAM signature;
 * text needs a text encoder and the decoder's text input; reference regions
 * the decoder's ref input; labels the class_embedding output plus a text
 * encoder to embed the project's label names.
 */
export function capabilitiesOf(m: ModelManifest): PromptCapabilities {
  const hasText = m.textEncoder !== undefined && decoderTakes(m, 'text_embedding');
  return {
    points: true,
    box: true,
    scribble: true,
    text: hasText,
    reference: decoderTakes(m, 'ref_embedding'),
    labels: m.textEncoder !== undefined && m.decoder.outputs.some((t) => t.name === CLASS_EMBEDDING_OUTPUT),
    wand: false,
    regions: false,
    everything: true,
    caption: m.captioner !== undefined,
  };
}
