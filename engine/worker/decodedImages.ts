// Photos decoded to RGB once per image for the providers that work on pixels
// (classical tools, the foreground model), kept in an LRU by bytes.
import { AppError } from '../../common/contract/index.js';
import type { WorkerImage } from '../protocol.js';
import { ByteLru } from './byteLru.js';
import { contentHash } from './contentHash.js';
import type { PreparedImage } from './maskProvider.js';
import { decodeRgb, type RgbImage } from './rgbImage.js';

/** A 4000 px photo is 48 MB decoded; this keeps the current image and a few neighbours. */
const DECODED_BUDGET_BYTES = 256 * 1024 * 1024;

export class DecodedImages {
  private readonly images = new ByteLru<RgbImage>(DECODED_BUDGET_BYTES);

  has(image: WorkerImage): boolean {
    try {
      return this.images.has(contentHash(image.path));
    } catch {
      return false;
    }
  }

  /** The decoded pixels, keyed by content so an edited file is decoded again. */
  async get(image: WorkerImage): Promise<{ prepared: PreparedImage; rgb: RgbImage }> {
    const key = contentHash(image.path);
    const known = this.images.get(key);
    if (known) return { prepared: { key, source: 'memory', encodeMs: 0, width: known.width, height: known.height }, rgb: known };
    const started = performance.now();
    let rgb: RgbImage;
    try {
      rgb = await decodeRgb(image.path);
    } catch (error) {
      throw new AppError('invalid_file', `Cannot decode image ${image.imageId}: ${(error as Error).message}`);
    }
    this.images.set(key, rgb, rgb.data.byteLength);
    return { prepared: { key, source: 'encoded', encodeMs: performance.now() - started, width: rgb.width, height: rgb.height }, rgb };
  }

  clear(): void {
    this.images.clear();
  }
}
