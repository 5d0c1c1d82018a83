// SAM 2 / 2.1 exports as a mask provider: the encoder once per image (its
// three outputs cached together, in memory and in the project's features
// folder), then one decoder run per prompt on the cached features; the
// memory prompt feeds the chosen candidate's low-res logits back as
// mask_input. Segment everything is SAM's grid of single clicks.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { AppError, type ExecutionProviderChoice, type SegmentOptions } from '../../../../common/contract/index.js';
import { type BinaryMask,maskIoU } from '../../../../common/geometry/binaryMask.js';
import type { EverythingParams, WorkerImage, WorkerPrompt } from '../../../protocol.js';
import { contentHash } from '../../contentHash.js';
import { type CachedFeatures, diskCachePath, type FeatureCache, type FeatureTensor,readDiskFeatures, writeDiskFeatures } from '../../featureCache.js';
import { assertPromptKinds, type MaskProvider, type PreparedImage, type ProviderCandidate, type ProviderResult } from '../../maskProvider.js';
import { assertSignature, openSessions, resolveExecutionProvider } from '../../sessions.js';
import { argmax, SAM2_SELECTION_RULE, sam2Candidates } from './candidates.js';
import { readSam2Manifest, SAM2_CAPABILITIES, type Sam2Manifest } from './manifest.js';
import { sam2InputTensor } from './preprocess.js';
import { sam2Points } from './prompts.js';
import { type Sam2Features,Sam2Model } from './sam2Model.js';

/** Below this stability a grid proposal is a blur between objects (as for the SAM-format segmenter). */
const MIN_STABILITY = 0.8;
const MAX_PROPOSALS = 200;

export class Sam2Provider implements MaskProvider {
  readonly capabilities = SAM2_CAPABILITIES;
  readonly scoreKind = 'predicted-iou' as const;
  /** Model, weights and preprocessing: anything that changes features changes the key. */
  private readonly keyPrefix: string;

  private constructor(
    readonly id: string,
    readonly manifest: Sam2Manifest,
    readonly model: Sam2Model,
    private readonly cache: FeatureCache,
    readonly activeProvider: string,
    readonly providerNote: string | null,
  ) {
    const encoderFile = Object.values(manifest.files).find((f) => f.path === manifest.encoder.file);
    this.keyPrefix = createHash('sha256')
      .update(JSON.stringify({ id, kind: 'sam2', encoder: encoderFile?.sha256 ?? manifest.encoder.file, pre: manifest.preprocessing }))
      .digest('hex')
      .slice(0, 16);
  }

  static async load(id: string, dir: string, executionProvider: ExecutionProviderChoice, cache: FeatureCache): Promise<Sam2Provider> {
    const manifest = await readSam2Manifest(dir);
    if (manifest.decoder.format === 'samexporter' && manifest.decoder.maskThreshold !== 0)
      throw new AppError('invalid_file', `${join(dir, 'manifest.json')}: a samexporter decoder's masks are thresholded at 0 (SAM 2's mask_threshold), not ${manifest.decoder.maskThreshold}`);
    const opened = await openSessions(
      [
        { part: 'encoder', path: join(dir, manifest.encoder.file) },
        { part: 'decoder', path: join(dir, manifest.decoder.file), threads: 1 },
      ],
      resolveExecutionProvider(executionProvider),
    );
    const encoder = opened.sessions.get('encoder')!;
    const decoder = opened.sessions.get('decoder')!;
    try {
      assertSignature(join(dir, manifest.encoder.file), manifest.encoder, encoder);
      assertSignature(join(dir, manifest.decoder.file), manifest.decoder, decoder);
    } catch (error) {
      await Promise.all([encoder.release(), decoder.release()].map((p) => p.catch(() => undefined)));
      throw error;
    }
    const model = new Sam2Model(encoder, decoder, manifest.decoder.format, manifest.preprocessing.inputSize, manifest.preprocessing.lowResMaskSize);
    return new Sam2Provider(id, manifest, model, cache, opened.activeProvider, opened.providerNote);
  }

  private featureKey(image: WorkerImage): { key: string; hash: string } {
    const hash = contentHash(image.path);
    return { key: `${this.keyPrefix}:${hash}`, hash };
  }

  isPrepared(image: WorkerImage): boolean {
    try {
      const { key, hash } = this.featureKey(image);
      return this.cache.has(key) || (image.cacheDir !== null && existsSync(diskCachePath(image.cacheDir, this.id, hash)));
    } catch {
      return false;
    }
  }

  /** Memory, then the project's features file, then the encoder (a bad file is re-encoded and rewritten). */
  private async features(image: WorkerImage): Promise<{ features: CachedFeatures; source: PreparedImage['source']; encodeMs: number }> {
    const { key, hash } = this.featureKey(image);
    const inMemory = this.cache.get(key);
    if (inMemory) return { features: inMemory, source: 'memory', encodeMs: 0 };
    const diskPath = image.cacheDir ? diskCachePath(image.cacheDir, this.id, hash) : null;
    const fromDisk = diskPath ? readDiskFeatures(diskPath, key) : null;
    if (fromDisk && sam2Tensors(fromDisk)) {
      this.cache.put(fromDisk);
      return { features: fromDisk, source: 'disk', encodeMs: 0 };
    }
    const started = performance.now();
    let input: { tensor: Float32Array; width: number; height: number };
    try {
      input = await sam2InputTensor(image.path, this.manifest.preprocessing);
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError('invalid_file', `Cannot read image ${image.imageId}: ${(error as Error).message}`);
    }
    const [imageEmbed, ...highRes] = await this.model.encode(input.tensor);
    const s = this.manifest.preprocessing.inputSize;
    const grid = imageEmbed!.dims[2]!;
    const features: CachedFeatures = {
      key,
      // The image stretched over the whole square: toModelFrame then gives x / W * S, y / H * S.
      frame: { origWidth: input.width, origHeight: input.height, resizedWidth: s, resizedHeight: s, inputSize: s },
      embeddings: { data: imageEmbed!.data, channels: imageEmbed!.dims[1]!, grid, stride: s / grid },
      extra: highRes,
    };
    const encodeMs = performance.now() - started;
    this.cache.put(features);
    if (diskPath) {
      try {
        writeDiskFeatures(diskPath, features);
      } catch {
        // A read-only project still works; it only re-encodes next time.
      }
    }
    return { features, source: 'encoded', encodeMs };
  }

  async prepare(image: WorkerImage): Promise<PreparedImage> {
    const found = await this.features(image);
    return { key: found.features.key, source: found.source, encodeMs: found.encodeMs, width: found.features.frame.origWidth, height: found.features.frame.origHeight };
  }

  private async cachedFeatures(image: WorkerImage, prepared: PreparedImage): Promise<CachedFeatures> {
    return this.cache.get(prepared.key) ?? (await this.features(image)).features;
  }

  /** One decoder run on cached features: the candidates, best first by SAM 2's rule. */
  private async run(features: CachedFeatures, prompt: Pick<WorkerPrompt, 'clicks' | 'box' | 'scribbles'>, memory: Float32Array | undefined) {
    const tensors = sam2Tensors(features);
    if (!tensors) throw new AppError('internal', 'SAM 2 features are incomplete; encode the image again.');
    const { origWidth: width, origHeight: height, inputSize } = features.frame;
    const points = sam2Points(prompt, width, height, inputSize);
    const memoryInput = this.manifest.decoder.format === 'samexporter' ? memory : undefined;
    const decoded = await this.model.decode(tensors, points, memoryInput, { width, height });
    const lr = this.manifest.preprocessing.lowResMaskSize;
    return { decoded, candidates: sam2Candidates(decoded, width, height, lr, this.manifest.decoder.maskThreshold, this.manifest.decoder.format === 'samexporter') };
  }

  async segment(image: WorkerImage, prepared: PreparedImage, prompt: WorkerPrompt, options: SegmentOptions, memory: Float32Array | undefined): Promise<ProviderResult> {
    assertPromptKinds(this, prompt, options);
    const features = await this.cachedFeatures(image, prepared);
    const { decoded, candidates } = await this.run(features, prompt, memory);
    return { candidates: candidates.map((c) => c.candidate), best: argmax(decoded.scores), rule: SAM2_SELECTION_RULE };
  }

  async everything(image: WorkerImage, prepared: PreparedImage, params: EverythingParams, progress: (done: number, total: number) => void): Promise<ProviderResult> {
    const features = await this.cachedFeatures(image, prepared);
    const { origWidth: width, origHeight: height } = features.frame;
    const n = params.pointsPerSide;
    const found: { candidate: ProviderCandidate; bits: BinaryMask; rank: number }[] = [];
    for (let row = 0; row < n; row++) {
      for (let col = 0; col < n; col++) {
        const click = { x: ((col + 0.5) / n) * width, y: ((row + 0.5) / n) * height, positive: true };
        const { candidates } = await this.run(features, { clicks: [click], scribbles: [] }, undefined);
        for (const { candidate, bits } of candidates) {
          const score = candidate.score ?? 0;
          if (score < params.minScore || candidate.stability < MIN_STABILITY) continue;
          const b = bits();
          let area = 0;
          for (const v of b.data) area += v;
          if (area === 0 || area < params.minAreaFraction * b.data.length) continue;
          found.push({ candidate, bits: b, rank: score * candidate.stability });
        }
      }
      progress(row + 1, n);
    }
    found.sort((a, b) => b.rank - a.rank);
    const kept: typeof found = [];
    for (const item of found) {
      if (kept.length >= MAX_PROPOSALS) break;
      if (kept.every((k) => maskIoU(k.bits, item.bits) <= params.nmsIoU)) kept.push(item);
    }
    return { candidates: kept.map((k) => k.candidate), best: 0, rule: 'proposals ordered by predicted IoU x stability; duplicates removed' };
  }

  async embedText(): Promise<Float32Array> {
    throw new AppError('unsupported', `${this.id} has no text encoder.`);
  }

  async release(): Promise<void> {
    await this.model.release();
  }
}

/** The three tensors a SAM 2 decoder takes, from a cache entry; null when one is missing (a file from another model). */
export function sam2Tensors(features: CachedFeatures): Sam2Features | null {
  const extra = (name: string): FeatureTensor | undefined => features.extra?.find((t) => t.name === name);
  const highRes0 = extra('high_res_feats_0');
  const highRes1 = extra('high_res_feats_1');
  if (!highRes0 || !highRes1) return null;
  const e = features.embeddings;
  return { imageEmbed: { name: 'image_embed', dims: [1, e.channels, e.grid, e.grid], data: e.data }, highRes0, highRes1 };
}
