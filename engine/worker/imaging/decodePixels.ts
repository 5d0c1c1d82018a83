// Decoding a file to 8-bit RGB with an explicit colour rule. sharp converts
// any image with an embedded ICC profile to sRGB unless told otherwise, while
// the reference code of SAM, SAM 2 and YOLO reads the values as stored (PIL's
// `convert('RGB')` and cv2 ignore profiles): on a photo tagged Adobe RGB
// (assets/photos/rocket.jpg) that changes 89 % of the pixels by up to 55
// levels. `keepIccProfile()` makes libvips skip the conversion, so the raw
// output is the stored values; test/unit/engine/preprocessReference.test.ts
// checks them against PIL's decoding.
import sharp from 'sharp';

import type { RgbImage } from '../rgbImage.js';
import type { ColourRule } from './rules.js';

/**
 * A file (or encoded buffer) as RGB bytes, EXIF orientation ignored.
 * - `stored`: the stored values, as `np.array(Image.open(p).convert('RGB'))`
 *   gives them (greyscale replicated, alpha dropped without compositing,
 *   palette expanded, 16-bit reduced to 8); CMYK files are the exception:
 *   libvips converts them to RGB through a profile, PIL with a naive formula.
 * - `srgb`: converted to sRGB through the embedded profile (sharp's default).
 */
export async function decodePixels(input: Buffer | string, colour: ColourRule): Promise<RgbImage> {
  let pipeline = sharp(input);
  pipeline = colour === 'stored' ? pipeline.keepIccProfile() : pipeline.toColourspace('srgb');
  const { data, info } = await pipeline.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 channels after decoding, got ${info.channels}`);
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
