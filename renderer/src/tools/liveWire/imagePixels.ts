// The grey levels of an image, which live-wire needs and the canvas does not
// keep: read once per image (in row bands, so a large photograph never needs
// a second full RGBA copy at once), cached here and never put in the store.

/** Row-major luminance, 0..255, one byte per pixel. */
export interface GreyImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** A checked GreyImage: positive integer size and exactly width × height bytes. */
export function createGreyImage(width: number, height: number, data: Uint8Array): GreyImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`Grey image size must be positive integers, got ${width} × ${height}.`);
  }
  if (data.length !== width * height) throw new RangeError(`Grey image ${width} × ${height} needs ${width * height} bytes, got ${data.length}.`);
  return { width, height, data };
}

/**
 * Writes the luma of `pixelCount` RGBA pixels into `into` from `offset` on
 * (ITU-R BT.601 weights in 8-bit fixed point: 77, 150, 29 sum to 256).
 */
export function rgbaToGrey(rgba: ArrayLike<number>, pixelCount: number, into: Uint8Array, offset = 0): void {
  if (rgba.length < pixelCount * 4) throw new RangeError(`Expected ${pixelCount * 4} RGBA bytes, got ${rgba.length}.`);
  if (offset < 0 || offset + pixelCount > into.length) throw new RangeError(`Grey target of ${into.length} pixels cannot take ${pixelCount} from ${offset}.`);
  for (let i = 0; i < pixelCount; i++) {
    const o = 4 * i;
    into[offset + i] = (77 * rgba[o]! + 150 * rgba[o + 1]! + 29 * rgba[o + 2]!) >> 8;
  }
}

/** Rows read back per getImageData call: bounds the transient RGBA copy to width × 256 × 4 bytes. */
const BAND_ROWS = 256;

/**
 * Fetches and decodes an image and returns its grey levels. Fetch + createImageBitmap
 * rather than an <img>: a Blob-decoded bitmap never taints the canvas, whatever
 * origin the image scheme has.
 */
export async function loadGreyImage(url: string): Promise<GreyImage> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status} for the image.`);
  const bitmap = await createImageBitmap(await response.blob());
  try {
    const { width, height } = bitmap;
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('No 2D canvas context to read the image pixels.');
    context.drawImage(bitmap, 0, 0);
    const data = new Uint8Array(width * height);
    for (let row = 0; row < height; row += BAND_ROWS) {
      const rows = Math.min(BAND_ROWS, height - row);
      rgbaToGrey(context.getImageData(0, row, width, rows).data, width * rows, data, row * width);
    }
    return createGreyImage(width, height, data);
  } finally {
    bitmap.close();
  }
}

type Entry = { state: 'loading' } | { state: 'ready'; image: GreyImage } | { state: 'failed' };

export type GreyImageState = 'loading' | 'ready' | 'failed';

/**
 * The grey images of the last few images opened, keyed by the caller (project
 * and image). `get` answers at once: the image when it is ready, else null,
 * starting the load on the first ask and calling `settled` once when it ends
 * (with the error message, or null). A failed load is not retried for that
 * key, so a broken image reports its error once rather than on every mouse move.
 */
export class GreyImageCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly capacity = 2) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`Cache capacity must be a positive integer, got ${capacity}.`);
  }

  get(key: string, load: () => Promise<GreyImage>, settled: (error: string | null) => void): GreyImage | null {
    const entry = this.entries.get(key);
    if (entry) {
      // Most recently used last, so eviction drops the oldest.
      this.entries.delete(key);
      this.entries.set(key, entry);
      return entry.state === 'ready' ? entry.image : null;
    }
    const loading: Entry = { state: 'loading' };
    this.entries.set(key, loading);
    this.evict();
    load().then(
      (image) => {
        if (this.entries.get(key) !== loading) return;
        this.entries.set(key, { state: 'ready', image });
        settled(null);
      },
      (error: unknown) => {
        if (this.entries.get(key) !== loading) return;
        this.entries.set(key, { state: 'failed' });
        settled(`Live-wire cannot read this image's pixels: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
    return null;
  }

  /** Where the key's load stands; null when it was never asked for (or was evicted). */
  state(key: string): GreyImageState | null {
    return this.entries.get(key)?.state ?? null;
  }

  private evict(): void {
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) return;
      this.entries.delete(oldest);
    }
  }
}
