// The manifest of a SAM 2 / 2.1 model (kind "sam2-segmenter"): an image
// encoder giving three feature maps (image_embed, high_res_feats_0,
// high_res_feats_1) and a prompt decoder taking them. There is no official
// ONNX export; two community formats are common and the client rules differ
// between them, so the manifest names which one a decoder follows:
// - "samexporter" (vietanhdev/samexporter, what X-AnyLabeling ships): no
//   orig_im_size; masks come back as 256x256 logits (3 candidates) and the
//   client upsamples; the graph adds the +0.5 and the padding point itself.
// - "ibaigorordo": the same inputs plus orig_im_size (int32 [H, W]); masks
//   come back at the image size.
// Preprocessing as the official SAM2ImagePredictor: RGB read as stored,
// 0-1 floats stretched to inputSize² (bilinear, antialiased), ImageNet
// mean/std. Written by the model recogniser (engine/recognition/), read by
// the registry (main process: nothing here loads onnxruntime) and by the
// SAM 2 provider in this folder.
import { join } from 'node:path';

import { z } from 'zod';

import type { ModelInfo, PromptCapabilities } from '../../../../common/contract/ai.js';
import { colourRule } from '../../imaging/rules.js';
import { describeFileProblems, verifyFiles } from '../../integrity.js';
import { describeModelFolder } from '../describeModelFolder.js';
import { ioSpec, listsFile, manifestHeader, modelFiles, modelOrigin, parseManifestWith, pixelNormalisation, readManifestJson, type TensorSpec } from '../manifestBase.js';

export const SAM2_MANIFEST_KIND = 'sam2-segmenter';

/** The encoder's outputs, in any order. */
export const SAM2_ENCODER_OUTPUTS = ['image_embed', 'high_res_feats_0', 'high_res_feats_1'] as const;
/** The decoder inputs both formats share. */
export const SAM2_DECODER_INPUTS = ['image_embed', 'high_res_feats_0', 'high_res_feats_1', 'point_coords', 'point_labels', 'mask_input', 'has_mask_input'] as const;
/** The ibaiGorordo-style decoder's extra input: [H, W] of the image, int32. */
export const SAM2_ORIG_IM_SIZE = 'orig_im_size';
export const SAM2_DECODER_OUTPUTS = ['masks', 'iou_predictions'] as const;
export const SAM2_DECODER_FORMATS = ['samexporter', 'ibaigorordo'] as const;
export type Sam2DecoderFormat = (typeof SAM2_DECODER_FORMATS)[number];

/** Points, boxes and scribbles (as points), the memory prompt, segment-everything; no text, reference or labels. */
export const SAM2_CAPABILITIES: PromptCapabilities = {
  points: true,
  box: true,
  scribble: true,
  text: false,
  reference: false,
  labels: false,
  wand: false,
  regions: false,
  everything: true,
};

export const sam2ManifestSchema = manifestHeader(SAM2_MANIFEST_KIND)
  .extend({
    files: modelFiles,
    origin: modelOrigin.optional(),
    encoder: ioSpec,
    decoder: ioSpec.extend({
      /** Which community export the decoder follows (see the header of this file). */
      format: z.enum(SAM2_DECODER_FORMATS),
      /** Candidates per call: the second dimension of masks / iou_predictions (3 for both formats). */
      numMasks: z.number().int().positive(),
      /** Logit threshold of `masks` (0). */
      maskThreshold: z.number(),
      /** Scribbles are sampled down so that clicks + scribble + box fit in this many points. */
      maxPoints: z.number().int().min(3),
    }),
    preprocessing: z.object({
      /** Side of the square the image is stretched to (aspect not kept, no padding): 1024. */
      inputSize: z.number().int().positive(),
      /** SAM2ImagePredictor's resize: 0-1 floats, bilinear, half-pixel, antialiased (torchvision Resize on a tensor). */
      resize: z.literal('stretch-bilinear-antialias'),
      /** Pixel values as stored in the file (PIL ignores ICC profiles), or converted to sRGB. */
      colour: colourRule,
      /** Per-channel RGB mean and std in 0-255 (ImageNet's x 255). */
      ...pixelNormalisation,
      /** Side of mask_input and of the samexporter decoder's masks (256). */
      lowResMaskSize: z.number().int().positive(),
    }),
  })
  .superRefine((m, ctx) => {
    const issue = (path: (string | number)[], message: string): void => ctx.addIssue({ code: 'custom', path, message });
    for (const part of ['encoder', 'decoder'] as const) {
      if (!listsFile(m.files, m[part].file)) issue([part, 'file'], `"${m[part].file}" is not listed in "files" (its sha256 and size are needed)`);
    }
    const s = m.preprocessing.inputSize;
    const enc = m.encoder;
    if (enc.inputs.length !== 1) issue(['encoder', 'inputs'], 'the encoder must have exactly one input (the image)');
    const image = enc.inputs[0];
    if (image && (image.type !== 'float32' || !shapeFits(image.shape, [1, 3, s, s]))) issue(['encoder', 'inputs', 0], `must be float32 [1, 3, ${s}, ${s}] (preprocessing.inputSize)`);
    const encOut = new Map(enc.outputs.map((t) => [t.name, t]));
    for (const name of SAM2_ENCODER_OUTPUTS) if (!encOut.has(name)) issue(['encoder', 'outputs'], `the SAM 2 encoder output "${name}" is missing`);

    const dec = m.decoder;
    const inputs = new Map(dec.inputs.map((t) => [t.name, t]));
    const outputs = new Map(dec.outputs.map((t) => [t.name, t]));
    for (const name of SAM2_DECODER_INPUTS) if (!inputs.has(name)) issue(['decoder', 'inputs'], `the SAM 2 decoder input "${name}" is missing`);
    for (const name of SAM2_DECODER_OUTPUTS) if (!outputs.has(name)) issue(['decoder', 'outputs'], `the SAM 2 decoder output "${name}" is missing`);
    const known: readonly string[] = [...SAM2_DECODER_INPUTS, SAM2_ORIG_IM_SIZE];
    dec.inputs.forEach((t, i) => {
      if (!known.includes(t.name)) issue(['decoder', 'inputs', i, 'name'], `"${t.name}" is not a SAM 2 decoder input this app can feed (known: ${known.join(', ')})`);
      else if (t.name !== SAM2_ORIG_IM_SIZE && t.type !== 'float32') issue(['decoder', 'inputs', i, 'type'], `"${t.name}" must be float32`);
    });
    const origSize = inputs.get(SAM2_ORIG_IM_SIZE);
    if (dec.format === 'ibaigorordo' && !origSize) issue(['decoder', 'inputs'], `the ibaigorordo format takes "${SAM2_ORIG_IM_SIZE}"`);
    if (dec.format === 'samexporter' && origSize) issue(['decoder', 'inputs'], `the samexporter format has no "${SAM2_ORIG_IM_SIZE}" input (that is the ibaigorordo format)`);
    for (const name of SAM2_ENCODER_OUTPUTS) {
      const produced = encOut.get(name);
      const taken = inputs.get(name);
      if (produced && taken && !shapeFits(taken.shape, produced.shape)) issue(['decoder', 'inputs'], `"${name}" must have the shape of the encoder's output`);
    }
    const lr = m.preprocessing.lowResMaskSize;
    const maskInput = inputs.get('mask_input');
    if (maskInput && !shapeFits(maskInput.shape.slice(1), [1, lr, lr])) issue(['decoder', 'inputs'], `mask_input must be [B, 1, ${lr}, ${lr}] (preprocessing.lowResMaskSize)`);
    const masks = outputs.get('masks');
    if (masks && !shapeFits(masks.shape.slice(1, 2), [dec.numMasks])) issue(['decoder', 'outputs'], `masks must have decoder.numMasks (${dec.numMasks}) candidates`);
    if (masks && dec.format === 'samexporter' && !shapeFits(masks.shape.slice(2), [lr, lr])) issue(['decoder', 'outputs'], `the samexporter format's masks are [B, ${dec.numMasks}, ${lr}, ${lr}]`);
  });

export type Sam2Manifest = z.infer<typeof sam2ManifestSchema>;

/** Numbers must match; a named (symbolic) dimension on either side matches anything. */
function shapeFits(shape: ReadonlyArray<number | string>, expected: ReadonlyArray<number | string>): boolean {
  return shape.length === expected.length && shape.every((d, i) => typeof d === 'string' || typeof expected[i] === 'string' || d === expected[i]);
}

export function parseSam2Manifest(raw: unknown, source: string): Sam2Manifest {
  return parseManifestWith(sam2ManifestSchema, raw, source, 'SAM 2 model manifest');
}

export async function readSam2Manifest(dir: string): Promise<Sam2Manifest> {
  return parseSam2Manifest(await readManifestJson(dir), join(dir, 'manifest.json'));
}

/** A decoder tensor of the manifest by name. */
export function sam2DecoderTensor(m: Sam2Manifest, name: string): TensorSpec | undefined {
  return m.decoder.inputs.find((t) => t.name === name);
}

/** The registry entry for a SAM 2 folder; a broken one is listed with the reason. */
export async function describeSam2(dir: string, source: ModelInfo['source']): Promise<ModelInfo> {
  return describeModelFolder(dir, 'sam2', source, readSam2Manifest, async (manifest) => ({
    note: manifest.origin ? `Added from ${manifest.origin.via === 'download' ? 'a download' : 'your files'}: ${manifest.origin.recognisedAs}.` : null,
    problem: describeFileProblems(await verifyFiles(dir, manifest.files)),
    capabilities: SAM2_CAPABILITIES,
  }));
}
