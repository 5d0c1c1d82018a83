// One loaded model inside the worker: encoder features (through the cache),
// text and label embeddings (memoised), and decoder runs whose masks come out
// at the resized image's size, so the graph's own full-size upsampling stays
// small and the full-resolution mask is computed only where the object is
// (candidateMasks).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';

import { AppError, type PromptCapabilities } from '../../../../common/contract/index.js';
import type { WorkerImage } from '../../../protocol.js';
import { contentHash } from '../../contentHash.js';
import { type CachedFeatures,diskCachePath, type FeatureCache, readDiskFeatures, writeDiskFeatures } from '../../featureCache.js';
import type { ModelManifest } from './manifest.js';
import type { SegmentPrompt } from './prompts.js';
import type { DecodedMask, EncodedImage } from './segmenter.js';
import { type PromptableSegmenter } from './segmenter.js';

export interface FeatureLookup {
  features: CachedFeatures;
  source: 'memory' | 'disk' | 'encoded';
  encodeMs: number;
}

/**
 * The model part of a feature-cache key: the id, the encoder's sha256 and the
 * whole parsed `preprocessing` (defaults filled in), so the resize and colour
 * rules and `encoderInput` (normalised NCHW or raw HWC) are all in it.
 */
export function featureKeyPrefix(modelId: string, m: ModelManifest): string {
  const encoderFile = Object.values(m.files).find((f) => f.path === m.encoder.file);
  return createHash('sha256')
    .update(JSON.stringify({ id: modelId, encoder: encoderFile?.sha256 ?? m.encoder.file, pre: m.preprocessing }))
    .digest('hex')
    .slice(0, 16);
}

export class ModelRuntime {
  private readonly textEmbeddings = new Map<string, Float32Array>();
  /** Model, weights and preprocessing: anything that changes features changes the key. */
  private readonly featureKeyPrefix: string;

  constructor(
    readonly modelId: string,
    readonly segmenter: PromptableSegmenter,
    private readonly cache: FeatureCache,
  ) {
    this.featureKeyPrefix = featureKeyPrefix(modelId, segmenter.manifest);
  }

  get capabilities(): PromptCapabilities {
    return this.segmenter.capabilities;
  }

  featureKey(image: WorkerImage): { key: string; hash: string } {
    const hash = contentHash(image.path);
    return { key: `${this.featureKeyPrefix}:${hash}`, hash };
  }

  /** Features already in memory under this key, without touching the file. */
  cachedFeatures(key: string): CachedFeatures | undefined {
    return this.cache.get(key);
  }

  /** Memory, then disk, then the encoder; a bad disk file is simply re-encoded and overwritten. */
  async features(image: WorkerImage): Promise<FeatureLookup> {
    const { key, hash } = this.featureKey(image);
    const inMemory = this.cache.get(key);
    if (inMemory) return { features: inMemory, source: 'memory', encodeMs: 0 };
    const diskPath = image.cacheDir ? diskCachePath(image.cacheDir, this.modelId, hash) : null;
    if (diskPath) {
      const fromDisk = readDiskFeatures(diskPath, key);
      if (fromDisk) {
        this.cache.put(fromDisk);
        return { features: fromDisk, source: 'disk', encodeMs: 0 };
      }
    }
    const started = performance.now();
    let encoded: EncodedImage;
    try {
      encoded = await this.segmenter.encodeImage(image.path);
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError('invalid_file', `Cannot encode image ${image.imageId}: ${(error as Error).message}`);
    }
    const encodeMs = performance.now() - started;
    const features: CachedFeatures = { key, frame: encoded.frame, embeddings: encoded.embeddings };
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

  /**
   * Whether features are cached (memory, or a features file on disk). Cheap:
   * the disk file is only validated when used; a bad one is then re-encoded.
   */
  hasFeatures(image: WorkerImage): boolean {
    let key: string;
    let hash: string;
    try {
      ({ key, hash } = this.featureKey(image));
    } catch {
      return false;
    }
    if (this.cache.has(key)) return true;
    return image.cacheDir !== null && existsSync(diskCachePath(image.cacheDir, this.modelId, hash));
  }

  async embedText(phrase: string): Promise<Float32Array> {
    if (!this.capabilities.text) throw new AppError('unsupported', `Model ${this.modelId} has no text encoder: text prompts and labels need one.`);
    const key = phrase.trim().toLowerCase();
    const known = this.textEmbeddings.get(key);
    if (known) return known;
    const embedding = await this.segmenter.embedText(key);
    this.textEmbeddings.set(key, embedding);
    return embedding;
  }

  /**
   * Runs the decoder. Prompts come in image pixels and enter the model frame
   * once, in the segmenter; the masks come out at the resized image's size
   * (orig_im_size = resized size), so the graph's postprocessing stops at the
   * input frame and candidateMasks takes it from there.
   */
  async decode(features: CachedFeatures, prompt: SegmentPrompt): Promise<{ candidates: DecodedMask[]; modelBest: number | null }> {
    const f = features.frame;
    const result = await this.segmenter.segment({ frame: f, embeddings: features.embeddings }, prompt, { width: f.resizedWidth, height: f.resizedHeight });
    return {
      candidates: result.candidates,
      // A model with its own selection rule (SAM's 4-mask export) is followed; otherwise the engine picks.
      modelBest: this.segmenter.manifest.decoder.bestMask === 'sam-select' ? result.best : null,
    };
  }
}
