// Image features, so the encoder runs once per image: an in-memory LRU
// bounded by bytes, backed by files in the project (reopening a project does
// not re-encode). Keys hold the model, its preprocessing and the image
// content hash, so an edited image or a retrained model never hits a stale
// entry. A disk file that fails any check is ignored (and later rewritten).
// An entry holds the embedding grid and, for models whose decoder takes more
// of the encoder's outputs (SAM 2's two high-resolution feature maps), those
// tensors too: one entry, one file, all or nothing.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { ensureDir } from '../../files/ensureDir.js';
import type { CacheStats } from '../protocol.js';
import { ByteLru } from './byteLru.js';
import type { EmbeddingGrid, ModelFrame } from './modelFrame.js';

/** A further encoder output kept with the embeddings, by its output name. */
export interface FeatureTensor {
  name: string;
  /** Its shape, batch dimension included (e.g. [1, 32, 256, 256]). */
  dims: number[];
  data: Float32Array;
}

export interface CachedFeatures {
  key: string;
  frame: ModelFrame;
  embeddings: EmbeddingGrid;
  /** Further encoder outputs the decoder takes (SAM 2: high_res_feats_0 and _1); absent for one-output encoders. */
  extra?: FeatureTensor[];
}

/** Memory an entry holds. */
export function featureBytes(features: CachedFeatures): number {
  return features.embeddings.data.byteLength + (features.extra ?? []).reduce((n, t) => n + t.data.byteLength, 0);
}

const elements = (dims: readonly number[]): number => dims.reduce((n, d) => n * d, 1);

const MAGIC = Buffer.from('PLFEAT01', 'ascii');

interface DiskHeader {
  key: string;
  frame: ModelFrame;
  channels: number;
  grid: number;
  stride: number;
  floats: number;
  sha256: string;
  /** Further tensors, stored after the embeddings in this order. */
  extra?: { name: string; dims: number[] }[];
}

/** Features in memory, least recently used dropped first once over the byte budget. */
export class FeatureCache {
  private readonly lru: ByteLru<CachedFeatures>;

  constructor(limitBytes: number) {
    this.lru = new ByteLru(limitBytes);
  }

  stats(): CacheStats {
    return { entries: this.lru.size, bytes: this.lru.bytes, limitBytes: this.lru.limit };
  }

  setLimit(bytes: number): void {
    this.lru.setLimit(bytes);
  }

  has(key: string): boolean {
    return this.lru.has(key);
  }

  get(key: string): CachedFeatures | undefined {
    return this.lru.get(key);
  }

  put(features: CachedFeatures): void {
    this.lru.set(features.key, features, featureBytes(features));
  }

  clear(): void {
    this.lru.clear();
  }
}

/** Where an image's features for one model live on disk. */
export function diskCachePath(cacheDir: string, modelId: string, contentHash: string): string {
  return join(cacheDir, modelId.replace(/[^A-Za-z0-9_.-]/g, '_'), `${contentHash}.feat`);
}

/** Reads a features file; null when it is missing, corrupt, truncated or for another key. */
export function readDiskFeatures(path: string, key: string): CachedFeatures | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return null;
  }
  try {
    if (bytes.length < MAGIC.length + 4 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return null;
    const headerLength = bytes.readUInt32LE(MAGIC.length);
    const headerStart = MAGIC.length + 4;
    const dataStart = headerStart + headerLength;
    if (dataStart > bytes.length) return null;
    const header = JSON.parse(bytes.subarray(headerStart, dataStart).toString('utf8')) as DiskHeader;
    if (header.key !== key) return null;
    const dataBytes = header.floats * 4;
    if (!Number.isInteger(header.floats) || bytes.length !== dataStart + dataBytes) return null;
    const gridFloats = header.channels * header.grid * header.grid;
    const extraSpecs = header.extra ?? [];
    if (
      !Array.isArray(extraSpecs) ||
      extraSpecs.some((t) => typeof t.name !== 'string' || !Array.isArray(t.dims) || !t.dims.every((d) => Number.isInteger(d) && d > 0))
    )
      return null;
    if (gridFloats + extraSpecs.reduce((n, t) => n + elements(t.dims), 0) !== header.floats) return null;
    const body = bytes.subarray(dataStart);
    if (createHash('sha256').update(body).digest('hex') !== header.sha256) return null;
    // Copy into an aligned buffer: the file's data offset need not be a multiple of 4.
    const all = new Float32Array(header.floats);
    new Uint8Array(all.buffer).set(body);
    const features: CachedFeatures = {
      key,
      frame: header.frame,
      embeddings: { data: all.subarray(0, gridFloats), channels: header.channels, grid: header.grid, stride: header.stride },
    };
    if (header.extra) {
      let at = gridFloats;
      features.extra = extraSpecs.map((t) => {
        const n = elements(t.dims);
        const tensor = { name: t.name, dims: [...t.dims], data: all.slice(at, at + n) };
        at += n;
        return tensor;
      });
    }
    return features;
  } catch {
    return null;
  }
}

/** Writes atomically (temp file + rename), so a crash never leaves a half file under the real name. */
export function writeDiskFeatures(path: string, features: CachedFeatures): void {
  const parts = [features.embeddings.data, ...(features.extra ?? []).map((t) => t.data)].map((d) =>
    Buffer.from(d.buffer, d.byteOffset, d.byteLength),
  );
  const body = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  const header: DiskHeader = {
    key: features.key,
    frame: features.frame,
    channels: features.embeddings.channels,
    grid: features.embeddings.grid,
    stride: features.embeddings.stride,
    floats: body.byteLength / 4,
    sha256: createHash('sha256').update(body).digest('hex'),
  };
  if (features.extra) header.extra = features.extra.map((t) => ({ name: t.name, dims: [...t.dims] }));
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(headerBytes.length);
  ensureDir(dirname(path));
  const temp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, Buffer.concat([MAGIC, length, headerBytes, body]));
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
