// The pixels of an image (RGB, or grey when it has no colour), which
// live-wire needs and the canvas does not keep: read once per image (in row bands, so a large photograph never needs
// a second full RGBA copy at once), cached here and never put in the store.

/** Row-major pixels, 0..255: grey (one byte per pixel) or RGB (three, interleaved). */
export interface PixelImage {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  readonly data: Uint8Array;
}

/** A checked PixelImage: positive integer size and exactly width × height × channels bytes. */
export function createPixelImage(width: number, height: number, channels: 1 | 3, data: Uint8Array): PixelImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`Image size must be positive integers, got ${width} × ${height}.`);
  }
  if (channels !== 1 && channels !== 3) throw new RangeError(`An image has 1 or 3 channels, got ${String(channels)}.`);
  const bytes = width * height * channels;
  if (data.length !== bytes) throw new RangeError(`Image ${width} × ${height} × ${channels} needs ${bytes} bytes, got ${data.length}.`);
  return { width, height, channels, data };
}

/**
 * Writes the RGB of `pixelCount` RGBA pixels into `into` (3 bytes each) from
 * pixel `offset` on; returns whether every one of them was grey (R = G = B).
 */
export function rgbaToRgb(rgba: ArrayLike<number>, pixelCount: number, into: Uint8Array, offset = 0): boolean {
  if (rgba.length < pixelCount * 4) throw new RangeError(`Expected ${pixelCount * 4} RGBA bytes, got ${rgba.length}.`);
  if (offset < 0 || 3 * (offset + pixelCount) > into.length)
    throw new RangeError(`RGB target of ${into.length / 3} pixels cannot take ${pixelCount} from ${offset}.`);
  let grey = true;
  for (let i = 0; i < pixelCount; i++) {
    const o = 4 * i;
    const t = 3 * (offset + i);
    const r = rgba[o]!;
    const g = rgba[o + 1]!;
    const b = rgba[o + 2]!;
    into[t] = r;
    into[t + 1] = g;
    into[t + 2] = b;
    if (r !== g || g !== b) grey = false;
  }
  return grey;
}

/**
 * Writes the luma of `pixelCount` RGBA pixels into `into` from `offset` on
 * (ITU-R BT.601 weights in 8-bit fixed point: 77, 150, 29 sum to 256).
 */
export function rgbaToGrey(rgba: ArrayLike<number>, pixelCount: number, into: Uint8Array, offset = 0): void {
  if (rgba.length < pixelCount * 4) throw new RangeError(`Expected ${pixelCount * 4} RGBA bytes, got ${rgba.length}.`);
  if (offset < 0 || offset + pixelCount > into.length)
    throw new RangeError(`Grey target of ${into.length} pixels cannot take ${pixelCount} from ${offset}.`);
  for (let i = 0; i < pixelCount; i++) {
    const o = 4 * i;
    into[offset + i] = (77 * rgba[o]! + 150 * rgba[o + 1]! + 29 * rgba[o + 2]!) >> 8;
  }
}

/** Above this many bytes of RGB (about 21 megapixels), an image is kept as grey levels: the cache holds two images. */
export const MAX_COLOUR_BYTES = 64 * 1024 * 1024;

/** Colour (3 channels) unless the image is so large that its RGB would pass MAX_COLOUR_BYTES. */
export function channelsFor(width: number, height: number): 1 | 3 {
  return width * height * 3 <= MAX_COLOUR_BYTES ? 3 : 1;
}

/** One channel of an RGB image whose channels are all equal: a third of the memory, a third of the edge work. */
export function greyOnly(rgb: PixelImage): PixelImage {
  if (rgb.channels === 1) return rgb;
  const data = new Uint8Array(rgb.width * rgb.height);
  for (let i = 0; i < data.length; i++) data[i] = rgb.data[3 * i]!;
  return createPixelImage(rgb.width, rgb.height, 1, data);
}

/** Rows read back per getImageData call: bounds the transient RGBA copy to width × 256 × 4 bytes. */
const BAND_ROWS = 256;

/**
 * Fetches and decodes an image and returns its pixels (one channel when it
 * is grey, or too large to keep in colour: see channelsFor). Fetch + createImageBitmap rather than an <img>: a Blob-decoded
 * bitmap never taints the canvas, whatever origin the image scheme has.
 */
export async function loadPixelImage(url: string): Promise<PixelImage> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status} for the image.`);
  const bitmap = await createImageBitmap(await response.blob());
  try {
    const { width, height } = bitmap;
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('No 2D canvas context to read the image pixels.');
    context.drawImage(bitmap, 0, 0);
    if (channelsFor(width, height) === 1) {
      const data = new Uint8Array(width * height);
      for (let row = 0; row < height; row += BAND_ROWS) {
        const rows = Math.min(BAND_ROWS, height - row);
        rgbaToGrey(context.getImageData(0, row, width, rows).data, width * rows, data, row * width);
      }
      return createPixelImage(width, height, 1, data);
    }
    const data = new Uint8Array(width * height * 3);
    let grey = true;
    for (let row = 0; row < height; row += BAND_ROWS) {
      const rows = Math.min(BAND_ROWS, height - row);
      if (!rgbaToRgb(context.getImageData(0, row, width, rows).data, width * rows, data, row * width)) grey = false;
    }
    const rgb = createPixelImage(width, height, 3, data);
    return grey ? greyOnly(rgb) : rgb;
  } finally {
    bitmap.close();
  }
}

type Entry = { state: 'loading' } | { state: 'ready'; image: PixelImage } | { state: 'failed' };

export type PixelImageState = 'loading' | 'ready' | 'failed';

/**
 * The pixels of the last few images opened, keyed by the caller (project
 * and image). `get` answers at once: the image when it is ready, else null,
 * starting the load on the first ask and calling `settled` once when it ends
 * (with the error message, or null). A failed load is not retried for that
 * key, so a broken image reports its error once rather than on every mouse move.
 */
export class PixelImageCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly capacity = 2) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`Cache capacity must be a positive integer, got ${capacity}.`);
  }

  get(key: string, load: () => Promise<PixelImage>, settled: (error: string | null) => void): PixelImage | null {
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
  state(key: string): PixelImageState | null {
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
