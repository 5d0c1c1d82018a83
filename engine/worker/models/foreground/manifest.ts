// The manifest of a foreground-segmentation model (kind
// "foreground-segmenter"): an image crop in, one probability map out, no
// prompts inside the network (boxes and clicks choose and refine components
// afterwards). Written by the model-pack fetcher, read by the registry and
// the foreground provider; it records where the weights came from and
// under which licence, since they are not part of this app.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { ModelInfo, PromptCapabilities } from '../../../../common/contract/ai.js';
import { AppError } from '../../../../common/contract/result.js';
import { describeFileProblems, verifyFiles } from '../../integrity.js';
import { fileEntry, relativePath } from '../segmenter/manifest.js';
import { parseJsonText } from '../../../../electron/store/jsonSyntax.js';
import { unusableModel } from '../unusableModel.js';

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

const tensorSpec = z.object({
  name: z.string().min(1),
  type: z.literal('float32'),
  shape: z.array(z.union([z.number().int().positive(), z.string().min(1)])),
});
const rgb = z.tuple([z.number(), z.number(), z.number()]);

export const foregroundManifestSchema = z
  .object({
    id: z.string().min(1),
    displayName: z.string().min(1),
    kind: z.literal(FOREGROUND_MANIFEST_KIND),
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
    files: z.record(z.string(), fileEntry),
    model: z.object({
      file: relativePath,
      inputs: z.array(tensorSpec).length(1, 'a foreground model has exactly one input (the image crop)'),
      outputs: z.array(tensorSpec).min(1),
    }),
    preprocessing: z.object({
      /** Side of the square input: the crop is stretched to inputSize x inputSize (aspect not kept, as the model was trained). */
      inputSize: z.number().int().positive(),
      resize: z.literal('stretch-bilinear'),
      /** Per-channel RGB mean and std in 0-255: input = (rgb - mean) / std. */
      pixelMean: rgb,
      pixelStd: rgb.refine((s) => s.every((v) => v > 0), 'std must be positive'),
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
    const listed = new Set(Object.values(m.files).map((f) => f.path));
    if (!listed.has(m.model.file)) issue(['model', 'file'], `"${m.model.file}" is not listed in "files" (its sha256 and size are needed)`);
    if (!listed.has(m.licenseFile)) issue(['licenseFile'], `"${m.licenseFile}" is not listed in "files"`);
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
  const parsed = foregroundManifestSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
  throw new AppError('invalid_file', `${source} is not a valid foreground model manifest: ${issues.join('; ')}`, source);
}

async function readManifestJson(dir: string): Promise<unknown> {
  const path = join(dir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError('not_found', `Model manifest not found: ${path}`, path);
    throw new AppError('invalid_file', `Cannot read model manifest ${path}: ${(error as Error).message}`, path);
  }
  try {
    return parseJsonText(text, path);
  } catch (error) {
    throw new AppError('invalid_file', (error as Error).message, path);
  }
}

export async function readForegroundManifest(dir: string): Promise<ForegroundManifest> {
  return parseForegroundManifest(await readManifestJson(dir), join(dir, 'manifest.json'));
}

/** The `kind` a folder's manifest.json declares; null when it cannot be read or has none. */
export async function manifestKindOf(dir: string): Promise<string | null> {
  try {
    const raw = await readManifestJson(dir);
    const kind = (raw as { kind?: unknown } | null)?.kind;
    return typeof kind === 'string' ? kind : null;
  } catch {
    return null;
  }
}

/** The registry entry for a foreground-model folder; a broken one is listed with the reason. */
export async function describeForegroundModel(dir: string, source: ModelInfo['source'] = 'user'): Promise<ModelInfo> {
  try {
    const manifest = await readForegroundManifest(dir);
    return {
      id: manifest.id,
      displayName: manifest.displayName,
      kind: 'foreground',
      note: manifest.licenseNote,
      source,
      dir,
      license: manifest.license,
      problem: describeFileProblems(await verifyFiles(dir, manifest.files)),
      capabilities: FOREGROUND_CAPABILITIES,
    };
  } catch (error) {
    return unusableModel(dir, 'foreground', source, error);
  }
}
