// What every model kind's manifest.json shares: the header (id, display
// name, kind, version, licence), the files with their sha256 and size, the
// tensor and normalisation specs, and how a manifest is read and its errors
// worded. Each kind extends manifestHeader in its own folder
// (segmenter/manifest.ts, foreground/manifest.ts, classical/manifest.ts); a
// new kind adds its own fields to the same header. The registry reads
// manifests in the main process, so nothing here loads onnxruntime.
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';

import { z } from 'zod';

import { AppError } from '../../../common/contract/result.js';
import { parseJsonText } from '../../../files/jsonSyntax.js';

/**
 * The fields every manifest starts with; `kind` says which schema reads the
 * rest. A kind may tighten a field (the foreground model requires a version).
 */
export function manifestHeader<K extends string>(kind: K) {
  return z.object({
    id: z.string().min(1),
    displayName: z.string().min(1),
    kind: z.literal(kind),
    version: z.string(),
    license: z.string(),
  });
}

/** A path inside the model folder (no absolute paths, no `..`). */
export const relativePath = z
  .string()
  .min(1)
  .refine((p) => !isAbsolute(p) && !p.split(/[\\/]/).includes('..'), 'must be a path inside the model folder');

/** One file of a model: its path, sha256 and size, checked before loading. */
export const fileEntry = z.object({
  path: relativePath,
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits'),
  bytes: z.number().int().nonnegative(),
});
export type FileEntry = z.infer<typeof fileEntry>;

/** `files` of a manifest with weights: every file the model reads, by a name of the kind's choosing. */
export const modelFiles = z.record(z.string(), fileEntry);

/** Whether a path is one of the manifest's files (whose sha256 and size are then checked). */
export function listsFile(files: Record<string, FileEntry>, path: string): boolean {
  return Object.values(files).some((f) => f.path === path);
}

const dim = z.union([z.number().int().positive(), z.string().min(1)]);
/** One input or output of an ONNX graph: name, element type, shape (a string is a named, free dimension). */
export const tensorSpec = z.object({
  name: z.string().min(1),
  /** int32 appears in some SAM 2 decoder exports (orig_im_size); each kind says which types it feeds. */
  type: z.enum(['float32', 'int64', 'int32']),
  shape: z.array(dim),
});
/** One ONNX file and the tensors it must have (checked against the session at load). */
export const ioSpec = z.object({ file: relativePath, inputs: z.array(tensorSpec).min(1), outputs: z.array(tensorSpec).min(1) });
export type TensorSpec = z.infer<typeof tensorSpec>;
export type IoSpec = z.infer<typeof ioSpec>;

const rgb = z.tuple([z.number(), z.number(), z.number()]);
/** Per-channel RGB mean and std in 0-255: input = (rgb - mean) / std. */
export const pixelNormalisation = {
  pixelMean: rgb,
  pixelStd: rgb.refine((s) => s.every((v) => v > 0), 'std must be positive'),
};

/**
 * Where a model's files came from, for manifests written by the app when a
 * user adds or downloads a model (`promptlabel models add` / `fetch`):
 * informative, shown in the model list, never used to fetch anything again.
 */
export const modelOrigin = z.object({
  /** How the model arrived. */
  via: z.enum(['files', 'download', 'x-anylabeling-yaml']),
  /** The user's files (absolute paths, as given) or the URLs downloaded. */
  from: z.array(z.string().min(1)).min(1),
  /** The sha256 the user gave for each download (checked before installing), by URL; absent when none was given. */
  expectedSha256: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)).optional(),
  addedAt: z.string().min(1),
  /** What the app recognised in the files, in words ("Segment Anything decoder (4 masks) + normalised-NCHW encoder"). */
  recognisedAs: z.string().min(1),
});
export type ModelOrigin = z.infer<typeof modelOrigin>;

/** Validates a parsed manifest.json; `source` (its path) prefixes the error, `what` names the kind ("model manifest"). */
export function parseManifestWith<S extends z.ZodType>(schema: S, raw: unknown, source: string, what: string): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
  throw new AppError('invalid_file', `${source} is not a valid ${what}: ${issues.join('; ')}`, source);
}

/** A folder's manifest.json as parsed JSON: not_found when it is missing, invalid_file when unreadable or not JSON. */
export async function readManifestJson(dir: string): Promise<unknown> {
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
