// The manifest of a foreground-segmentation model (kind
// "foreground-segmenter"): an image crop in, one probability map out, no
// prompts inside the network (boxes and clicks choose and refine components
// afterwards). Written by the model-pack fetcher, read by the registry and
// the foreground provider; it records where the weights came from and
// under which licence, since they are not part of this app. The header and
// files are every kind's (../manifestBase.ts); the registry reads this in
// the main process, so nothing here loads onnxruntime.
import { join } from 'node:path';

import { z } from 'zod';

import type { ModelInfo, PromptCapabilities } from '../../../../common/contract/ai.js';
import { describeFileProblems, verifyFiles } from '../../integrity.js';
import { describeModelFolder } from '../describeModelFolder.js';
import { listsFile, manifestHeader, modelFiles, parseManifestWith, pixelNormalisation, readManifestJson, relativePath, tensorSpec } from '../manifestBase.js';

export const FOREGROUND_MANIFEST_KIND = 'foreground-segmenter';

/**
 * Boxes pick the object's crop, clicks keep or drop components, "everything"
 * is the foreground of the whole image; no scribbles, text or labels.
 */
export const FOREGROUND_CAPABILITIES: PromptCapabilities = {
  points: true,
  box: true,
  scribble: false,
  text: false,
  reference: false,
  labels: false,
  wand: false,
  regions: false,
  everything: true,
};

/** ISNet-style graphs take and give float32 only. */
const floatTensor = tensorSpec.extend({ type: z.literal('float32') });

export const foregroundManifestSchema = manifestHeader(FOREGROUND_MANIFEST_KIND)
  .extend({
    /** Version of the package the weights came from. */
    version: z.string().min(1),
    /** SPDX identifier, e.g. "AGPL-3.0". */
    license: z.string().min(1),
    /** The licence text, inside the folder. */
    licenseFile: relativePath,
    /** One line a user must see before using (and before downloading) the model. */
    licenseNote: z.string().min(1),
    source: z.object({
      package: z.string().min(1),
      version: z.string().min(1),
      /** Key of the model in the package's dist/resources.json, e.g. "/models/small". */
      resource: z.string().min(1),
      registry: z.string().min(1),
      tarball: z.string().min(1),
      /** The registry's Subresource Integrity of the tarball, checked before anything was read from it. */
      integrity: z.string().min(1),
      fetchedAt: z.string().min(1),
    }),
    files: modelFiles,
    model: z.object({
      file: relativePath,
      inputs: z.array(floatTensor).length(1, 'a foreground model has exactly one input (the image crop)'),
      outputs: z.array(floatTensor).min(1),
    }),
    preprocessing: z.object({
      /** Side of the square input: the crop is stretched to inputSize x inputSize (aspect not kept, as the model was trained). */
      inputSize: z.number().int().positive(),
      resize: z.literal('stretch-bilinear'),
      ...pixelNormalisation,
    }),
    postprocessing: z.object({
      /** The output holding the foreground probability (0..1), [1, 1, inputSize, inputSize]. */
      output: z.string().min(1),
      /** Probability at and above which a pixel is foreground. */
      threshold: z.number().gt(0).lt(1),
    }),
  })
  .superRefine((m, ctx) => {
    const issue = (path: (string | number)[], message: string): void => ctx.addIssue({ code: 'custom', path, message });
    if (!listsFile(m.files, m.model.file)) issue(['model', 'file'], `"${m.model.file}" is not listed in "files" (its sha256 and size are needed)`);
    if (!listsFile(m.files, m.licenseFile)) issue(['licenseFile'], `"${m.licenseFile}" is not listed in "files"`);
    const s = m.preprocessing.inputSize;
    const input = m.model.inputs[0];
    if (input && !shapeIs(input.shape, [1, 3, s, s])) issue(['model', 'inputs', 0, 'shape'], `must be [1, 3, ${s}, ${s}] (preprocessing.inputSize)`);
    const output = m.model.outputs.find((t) => t.name === m.postprocessing.output);
    if (!output) issue(['postprocessing', 'output'], `"${m.postprocessing.output}" is not one of model.outputs`);
    else if (!shapeIs(output.shape, [1, 1, s, s])) issue(['model', 'outputs'], `"${output.name}" must be [1, 1, ${s}, ${s}] (preprocessing.inputSize)`);
  });

export type ForegroundManifest = z.infer<typeof foregroundManifestSchema>;

function shapeIs(shape: ReadonlyArray<number | string>, expected: readonly number[]): boolean {
  return shape.length === expected.length && shape.every((d, i) => d === expected[i]);
}

export function parseForegroundManifest(raw: unknown, source: string): ForegroundManifest {
  return parseManifestWith(foregroundManifestSchema, raw, source, 'foreground model manifest');
}

export async function readForegroundManifest(dir: string): Promise<ForegroundManifest> {
  return parseForegroundManifest(await readManifestJson(dir), join(dir, 'manifest.json'));
}

/** The registry entry for a foreground-model folder; a broken one is listed with the reason. */
export async function describeForegroundModel(dir: string, source: ModelInfo['source'] = 'user'): Promise<ModelInfo> {
  return describeModelFolder(dir, 'foreground', source, readForegroundManifest, async (manifest) => ({
    note: manifest.licenseNote,
    problem: describeFileProblems(await verifyFiles(dir, manifest.files)),
    capabilities: FOREGROUND_CAPABILITIES,
  }));
}
