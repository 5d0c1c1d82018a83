// Installs a recognised model into the user's model folder: its files are
// copied (the user's originals are never touched; only downloads the app
// made itself are moved) into a hidden work folder, hashed on the way, the
// generated manifest is validated and written, each graph is opened once in
// onnxruntime (a short-lived worker: engine/signatureCheck.ts), and one
// rename makes the folder visible to the registry. Any failure removes the
// work folder, so a refused or interrupted add leaves nothing behind.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { AppError } from '../../common/contract/result.js';
import { ensureDir } from '../../files/ensureDir.js';
import { isDiskFull } from '../../files/fsErrors.js';
import { moveFolderIntoPlace } from '../../files/moveFolderIntoPlace.js';
import { checkModelSignature } from '../signatureCheck.js';
import { sha256File } from '../worker/integrity.js';
import type { FileEntry, IoSpec, ModelOrigin } from '../worker/models/manifestBase.js';
import { buildManifest } from './manifests.js';
import type { RecognisedModel } from './recognise.js';

export type InstallPhase = 'copy' | 'check' | 'install';

export interface InstallProgress {
  phase: InstallPhase;
  done: number;
  total: number;
}

export interface InstallOptions {
  /** <userData>/models: the model lands in <userModelsDir>/<id>. */
  userModelsDir: string;
  /** The built-in models' folder: their ids cannot be taken. */
  builtinDir?: string | null;
  /** The model id (and folder name); default derived from the file names. */
  id?: string | null;
  displayName?: string | null;
  /** Replace an installed user model of the same id (only once the new one is complete). */
  force?: boolean;
  /** Move the files instead of copying them: only for files the app downloaded itself. */
  move?: boolean;
  /** How the files arrived (the rest of the origin record is filled in here). */
  origin: Pick<ModelOrigin, 'via' | 'from' | 'expectedSha256'>;
  /** Default thresholds a config gave (X-AnyLabeling YAML). */
  thresholds?: { conf?: number; iou?: number };
  /** Opens a graph in onnxruntime and lists how it differs from `io`; default a short-lived inference worker; null skips the check. */
  checkGraph?: ((path: string, io: IoSpec) => Promise<string[]>) | null;
  signal?: AbortSignal;
  onProgress?: (progress: InstallProgress) => void;
}

export interface InstalledModel {
  id: string;
  dir: string;
  manifest: object;
  model: RecognisedModel;
  files: Record<string, FileEntry>;
  timings: { copyMs: number; checkMs: number; totalMs: number };
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** A file name as a model id: lower case, runs of other characters as "-". */
export function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-._]+|[-._]+$/g, '')
    .slice(0, 64)
    .replace(/[-._]+$/g, '');
}

function stem(path: string): string {
  return basename(path).replace(/\.onnx$/i, '');
}

/** An id from the files: a YOLO file's name; the common start of an encoder's and a decoder's names, else their folder's name. */
export function defaultModelId(model: RecognisedModel): string {
  if (model.family === 'yolo') return slugify(stem(model.model.path)) || 'yolo-model';
  const [a, b] = [stem(model.encoder.path), stem(model.decoder.path)];
  let common = 0;
  while (common < a.length && a[common] === b[common]) common++;
  const fromNames = slugify(a.slice(0, common));
  if (fromNames.length >= 3) return fromNames;
  return slugify(basename(dirname(model.encoder.path))) || `${model.family}-model`;
}

export function defaultDisplayName(model: RecognisedModel, id: string): string {
  switch (model.family) {
    case 'sam':
      return `Segment Anything format: ${id}`;
    case 'sam2':
      return `SAM 2: ${id}`;
    case 'yolo':
      return `YOLO ${model.model.role.task === 'segment' ? 'instance segmenter' : 'detector'}: ${id} (${model.classes.length} classes)`;
  }
}

/** The id each model folder's manifest.json declares, by folder (unreadable manifests are skipped). */
export async function installedModelIds(root: string | null | undefined): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (!root || !existsSync(root)) return ids;
  for (const name of await readdir(root)) {
    if (name.startsWith('.')) continue;
    try {
      const raw: unknown = JSON.parse(await readFile(join(root, name, 'manifest.json'), 'utf8'));
      const id = (raw as { id?: unknown } | null)?.id;
      if (typeof id === 'string') ids.set(id, join(root, name));
    } catch {
      // not a model folder, or a broken one: the registry lists it with its reason
    }
  }
  return ids;
}

/** Copies `from` to `to` (a new file), hashing on the way; reports bytes. */
async function copyHashed(from: string, to: string, onBytes: (n: number) => void, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      onBytes(chunk.length);
      done(null, chunk);
    },
  });
  await pipeline(createReadStream(from), tap, createWriteStream(to, { flags: 'wx' }), { signal });
  return hash.digest('hex');
}

const inFlight = new Set<string>();

/** Installs `model`; throws an AppError (nothing installed) when anything is wrong. */
export async function installModel(model: RecognisedModel, options: InstallOptions): Promise<InstalledModel> {
  const started = Date.now();
  const modelsDir = resolve(options.userModelsDir);
  const id = options.id ?? defaultModelId(model);
  if (!ID_PATTERN.test(id))
    throw new AppError(
      'bad_request',
      `"${id}" cannot be a model id: use letters, digits, ".", "_" and "-" (at most 100), starting with a letter or digit.`,
    );
  const builtin = await installedModelIds(options.builtinDir);
  if (builtin.has(id))
    throw new AppError('conflict', `A built-in model already has the id "${id}"; choose another with --id. Nothing was installed.`);
  const target = join(modelsDir, id);
  const user = await installedModelIds(modelsDir);
  const holder = user.get(id);
  if (holder && resolve(holder) !== target)
    throw new AppError(
      'conflict',
      `The model "${id}" is already installed in ${holder}; choose another id with --id, or remove that one first. Nothing was installed.`,
    );
  if (existsSync(target) && !options.force) {
    throw new AppError(
      'conflict',
      `A model folder ${target} already exists; choose another id with --id, or replace it with --force. Nothing was installed.`,
    );
  }
  if (inFlight.has(target)) throw new AppError('conflict', `${id} is already being installed.`);
  inFlight.add(target);
  let work: string | null = null;
  try {
    ensureDir(modelsDir);
    work = await mkdtemp(join(modelsDir, `.${id}.adding-`));
    await chmod(work, 0o755);
    return await installInto(model, id, work, target, options, started);
  } catch (error) {
    if (error instanceof AppError) throw error;
    if ((error as Error).name === 'AbortError' || options.signal?.aborted)
      throw new AppError('conflict', `Adding ${id} was cancelled; nothing was installed.`);
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError(
      isDiskFull(error) ? 'disk_full' : 'internal',
      `Adding ${id} to ${modelsDir} failed: ${reason}. Nothing was installed.`,
    );
  } finally {
    if (work) await rm(work, { recursive: true, force: true });
    inFlight.delete(target);
  }
}

async function installInto(
  model: RecognisedModel,
  id: string,
  work: string,
  target: string,
  options: InstallOptions,
  started: number,
): Promise<InstalledModel> {
  // 1. The files, under names that say what they are; external data keeps its name (the graph refers to it by name).
  const parts =
    model.family === 'yolo'
      ? [{ key: 'model', file: model.model, as: 'model.onnx' }]
      : [
          { key: 'encoder', file: model.encoder, as: 'encoder.onnx' },
          { key: 'decoder', file: model.decoder, as: 'decoder.onnx' },
        ];
  const copies: { key: string; from: string; as: string }[] = [];
  for (const part of parts) {
    copies.push({ key: part.key, from: part.file.path, as: part.as });
    for (const data of part.file.externalData) {
      const as = basename(data);
      const clash = copies.find((c) => c.as === as);
      if (clash && resolve(clash.from) !== resolve(data))
        throw new AppError(
          'invalid_file',
          `Two files named ${as} are needed (${clash.from} and ${data}); put each model's data files in its own folder. Nothing was installed.`,
        );
      if (!clash) copies.push({ key: `data:${as}`, from: data, as });
    }
  }
  // The manifest is built once with placeholder hashes first, so a model the schema refuses is refused before anything is copied.
  const displayName = options.displayName ?? defaultDisplayName(model, id);
  const origin: ModelOrigin = { ...options.origin, addedAt: new Date().toISOString(), recognisedAs: model.description };
  const paths = { encoder: 'encoder.onnx', decoder: 'decoder.onnx', model: 'model.onnx' };
  const placeholder = Object.fromEntries(copies.map((c) => [c.key, { path: c.as, sha256: '0'.repeat(64), bytes: 0 }]));
  buildManifest({ model, id, displayName, files: placeholder, paths, origin, thresholds: options.thresholds });

  const total = (await Promise.all(copies.map(async (c) => (await stat(c.from)).size))).reduce((a, b) => a + b, 0);
  let done = 0;
  options.onProgress?.({ phase: 'copy', done, total });
  const files: Record<string, FileEntry> = {};
  for (const copy of copies) {
    const to = join(work, copy.as);
    let sha256: string;
    if (options.move) {
      await rename(copy.from, to);
      sha256 = await sha256File(to);
      done += (await stat(to)).size;
      options.onProgress?.({ phase: 'copy', done, total });
    } else {
      sha256 = await copyHashed(
        copy.from,
        to,
        (n) => {
          done += n;
          options.onProgress?.({ phase: 'copy', done, total });
        },
        options.signal,
      );
    }
    files[copy.key] = { path: copy.as, sha256, bytes: (await stat(to)).size };
  }
  const copyMs = Date.now() - started;

  // 2. The manifest, validated by its kind's schema.
  const built = buildManifest({ model, id, displayName, files, paths, origin, thresholds: options.thresholds });
  await writeFile(join(work, 'manifest.json'), `${JSON.stringify(built.raw, null, 2)}\n`);

  // 3. Each graph opened in onnxruntime, against the tensors the manifest declares.
  const checkStarted = Date.now();
  const check = options.checkGraph === undefined ? (path: string, io: IoSpec) => checkModelSignature(path, io) : options.checkGraph;
  if (check) {
    options.onProgress?.({ phase: 'check', done: 0, total: built.checks.length });
    for (const [i, io] of built.checks.entries()) {
      if (options.signal?.aborted) throw new AppError('conflict', `Adding ${id} was cancelled; nothing was installed.`);
      const problems = await check(join(work, io.file), io);
      if (problems.length)
        throw new AppError(
          'invalid_file',
          `onnxruntime does not accept ${basename(parts[i]?.file.path ?? io.file)} as recognised: ${problems.join('; ')}. Nothing was installed.`,
        );
      options.onProgress?.({ phase: 'check', done: i + 1, total: built.checks.length });
    }
  }
  const checkMs = Date.now() - checkStarted;

  // 4. One rename makes it visible; a replaced install is set aside first and restored if that fails.
  if (options.signal?.aborted) throw new AppError('conflict', `Adding ${id} was cancelled; nothing was installed.`);
  options.onProgress?.({ phase: 'install', done: 0, total: 1 });
  await moveFolderIntoPlace(
    work,
    target,
    options.force === true,
    () =>
      new AppError(
        'conflict',
        `${target} appeared while ${id} was being added; add it again with --force to replace it. Nothing was installed.`,
      ),
  );
  options.onProgress?.({ phase: 'install', done: 1, total: 1 });
  return { id, dir: target, manifest: built.raw, model, files, timings: { copyMs, checkMs, totalMs: Date.now() - started } };
}
