// The three ways a user brings a model, as one API for the CLI and the host:
// files or a folder (recognised, then copied), URLs (downloaded resumably,
// recognised, then moved in), and an X-AnyLabeling model YAML (its local
// paths used as they are, its URLs downloaded). Each ends in installModel,
// so a refusal at any step installs nothing; downloads are only made when
// the caller says the user asked for them.
import { readFile, rm } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';

import { AppError } from '../../common/contract/result.js';
import { ModelPackError } from '../modelPacks/errors.js';
import { type ProxySettings, resolveProxy } from '../modelPacks/proxy.js';
import { downloadUrl, parseDownloadUrl, type UrlDownloadProgress, type UrlDownloadResult } from '../modelPacks/urlDownload.js';
import type { IoSpec } from '../worker/models/manifestBase.js';
import { type InstalledModel, installModel, type InstallProgress, slugify } from './installModel.js';
import { type RecognisedModel, recogniseModel } from './recognise.js';
import { parseXAnyLabelingConfig, type XAnyLabelingPlan } from './xAnyLabeling.js';

export type AddProgress =
  | ({ phase: 'download'; file: number; files: number } & UrlDownloadProgress)
  | { phase: 'recognise'; done: number; total: number }
  | InstallProgress;

export interface AddOptions {
  userModelsDir: string;
  builtinDir?: string | null;
  id?: string | null;
  displayName?: string | null;
  force?: boolean;
  /** Class names for a YOLO model without them (data.yaml, or one name per line). */
  namesFile?: string | null;
  /** Per URL, in order: the sha256 it must have (null: none given). */
  expectedSha256?: readonly (string | null)[];
  proxy?: ProxySettings;
  timeoutMs?: number;
  /** The user asked for downloads (an X-AnyLabeling YAML naming URLs is refused without it). */
  allowDownload?: boolean;
  checkGraph?: ((path: string, io: IoSpec) => Promise<string[]>) | null;
  signal?: AbortSignal;
  onProgress?: (progress: AddProgress) => void;
}

export interface AddedModel extends InstalledModel {
  downloads: UrlDownloadResult[];
  /** Things the user should know that did not stop the install (a YAML's input_size that differs from the graph's). */
  warnings: string[];
  timings: InstalledModel['timings'] & { downloadMs: number; recogniseMs: number };
}

function downloadsDirOf(userModelsDir: string): string {
  return join(resolve(userModelsDir), '.downloads');
}

async function recognised(
  paths: readonly string[],
  options: AddOptions,
  names?: string[] | null,
): Promise<{ model: RecognisedModel; ms: number }> {
  const started = Date.now();
  options.onProgress?.({ phase: 'recognise', done: 0, total: 1 });
  const model = await recogniseModel(paths, { namesFile: options.namesFile ?? null, names: names ?? null });
  options.onProgress?.({ phase: 'recognise', done: 1, total: 1 });
  return { model, ms: Date.now() - started };
}

/** Recognises and installs a model from one or two .onnx files or a folder; the originals are only read. */
export async function addModelFromFiles(paths: readonly string[], options: AddOptions): Promise<AddedModel> {
  const { model, ms } = await recognised(paths, options);
  const installed = await installModel(model, {
    ...options,
    origin: { via: 'files', from: paths.map((p) => resolve(p)) },
  });
  return { ...installed, downloads: [], warnings: [], timings: { ...installed.timings, downloadMs: 0, recogniseMs: ms } };
}

/** Downloads each URL (one after the other, each resumable), then recognises and installs them as one model. */
async function downloadAll(urls: readonly string[], options: AddOptions): Promise<{ downloads: UrlDownloadResult[]; ms: number }> {
  const started = Date.now();
  const expected = options.expectedSha256 ?? [];
  if (expected.length > urls.length)
    throw new AppError(
      'bad_request',
      `${expected.length} sha256 values for ${urls.length} URL(s): give at most one per URL, in the same order.`,
    );
  urls.forEach((url) => parseDownloadUrl(url));
  const proxy = options.proxy ?? resolveProxy();
  const downloads: UrlDownloadResult[] = [];
  try {
    for (const [i, url] of urls.entries()) {
      downloads.push(
        await downloadUrl(url, {
          downloadsDir: downloadsDirOf(options.userModelsDir),
          expectedSha256: expected[i] ?? null,
          proxy,
          signal: options.signal,
          timeoutMs: options.timeoutMs,
          onProgress: (p) => options.onProgress?.({ phase: 'download', file: i + 1, files: urls.length, ...p }),
        }),
      );
    }
  } catch (error) {
    await forget(downloads);
    if (error instanceof ModelPackError && error.failure === 'cancelled')
      throw new ModelPackError(
        'cancelled',
        `${error.message}; the part downloaded so far is kept, and fetching the same URL again resumes it. Nothing was installed.`,
      );
    if (error instanceof ModelPackError) throw new ModelPackError(error.failure, `${error.message}. Nothing was installed.`, error.path);
    throw error;
  }
  return { downloads, ms: Date.now() - started };
}

/** Finished downloads that were not installed are not kept: they would only be fetched the same way again. */
async function forget(downloads: readonly UrlDownloadResult[]): Promise<void> {
  await Promise.all(downloads.map((d) => rm(dirname(d.path), { recursive: true, force: true })));
}

/** Downloads the URLs the user gave, then recognises and installs the model they make. */
export async function addModelFromUrls(urls: readonly string[], options: AddOptions): Promise<AddedModel> {
  if (!urls.length) throw new AppError('bad_request', 'Give the URL of a model file (or two: encoder and decoder).');
  const { downloads, ms: downloadMs } = await downloadAll(urls, options);
  try {
    const { model, ms } = await recognised(
      downloads.map((d) => d.path),
      options,
    );
    const installed = await installModel(model, {
      ...options,
      move: true,
      origin: { via: 'download', from: downloads.map((d) => d.url), ...expectedRecord(urls, options.expectedSha256) },
    });
    return { ...installed, downloads, warnings: [], timings: { ...installed.timings, downloadMs, recogniseMs: ms } };
  } finally {
    await forget(downloads);
  }
}

function expectedRecord(
  urls: readonly string[],
  expected: readonly (string | null)[] | undefined,
): { expectedSha256?: Record<string, string> } {
  const entries = urls
    .map((url, i) => [url, expected?.[i]?.toLowerCase()] as const)
    .filter((e): e is readonly [string, string] => typeof e[1] === 'string');
  return entries.length ? { expectedSha256: Object.fromEntries(entries) } : {};
}

/** Whether a path is a YAML file (an X-AnyLabeling model config when given on its own). */
export function isYamlPath(path: string): boolean {
  return /^\.ya?ml$/i.test(extname(path));
}

/** Reads an X-AnyLabeling model YAML into its plan (no download, nothing written). */
export async function planXAnyLabelingImport(yamlPath: string): Promise<XAnyLabelingPlan> {
  let text: string;
  try {
    text = await readFile(yamlPath, 'utf8');
  } catch (error) {
    throw new AppError(
      'not_found',
      `Cannot read ${yamlPath}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
      yamlPath,
    );
  }
  return parseXAnyLabelingConfig(text, resolve(yamlPath));
}

/** Imports an X-AnyLabeling model YAML: its files recognised (and downloaded where they are URLs), named and thresholded as the YAML says. */
export async function importXAnyLabelingYaml(yamlPath: string, options: AddOptions): Promise<AddedModel> {
  const plan = await planXAnyLabelingImport(yamlPath);
  const remote = plan.files.filter((f) => f.remote);
  if (remote.length && !options.allowDownload) {
    throw new AppError(
      'bad_request',
      `${yamlPath} names ${remote.length} file(s) to download (${remote.map((f) => f.location).join(', ')}); confirm the download to import it. Nothing was installed.`,
    );
  }
  const { downloads, ms: downloadMs } = remote.length
    ? await downloadAll(
        remote.map((f) => f.location),
        { ...options, expectedSha256: [] },
      )
    : { downloads: [], ms: 0 };
  try {
    const byUrl = new Map(downloads.map((d, i) => [remote[i]!.location, d.path]));
    const paths = plan.files.map((f) => (f.remote ? byUrl.get(f.location)! : f.location));
    const { model, ms } = await recognised(paths, { ...options, namesFile: plan.classes ? null : options.namesFile }, plan.classes);
    const warnings = checkAgainstPlan(model, plan, yamlPath);
    const installed = await installModel(model, {
      ...options,
      id: options.id ?? (slugify(plan.name) || null),
      displayName: options.displayName ?? plan.displayName,
      thresholds: plan.thresholds,
      // Local files stay where they are: copied, like any user file. Downloads are the app's own: moved.
      move: false,
      origin: { via: 'x-anylabeling-yaml', from: [resolve(yamlPath), ...plan.files.map((f) => f.location)] },
    });
    return { ...installed, downloads, warnings, timings: { ...installed.timings, downloadMs, recogniseMs: ms } };
  } finally {
    await forget(downloads);
  }
}

/** The recognised files must be what the YAML's type says; an input_size that differs is only a warning (the graph wins). */
function checkAgainstPlan(model: RecognisedModel, plan: XAnyLabelingPlan, yamlPath: string): string[] {
  const said = `${yamlPath} says type: ${plan.type}`;
  if (model.family !== plan.family)
    throw new AppError('invalid_file', `${said}, but its files are ${model.description}. Nothing was installed.`, yamlPath);
  if (model.family === 'yolo' && plan.task && model.model.role.task !== plan.task) {
    throw new AppError(
      'invalid_file',
      `${said} (${plan.task === 'segment' ? 'an instance segmenter' : 'a detector'}), but its model is ${model.description}. Nothing was installed.`,
      yamlPath,
    );
  }
  const size = model.family === 'yolo' ? model.model.role.inputSize : model.encoder.role.inputSize;
  return plan.inputSize !== null && plan.inputSize !== size
    ? [`${yamlPath} gives input_size ${plan.inputSize}, but the model's graph takes ${size}; the graph's size is used.`]
    : [];
}
