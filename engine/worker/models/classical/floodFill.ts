// Magic wand: the pixels connected to a click (8-neighbourhood) whose
// colour is within `tolerance` of the clicked pixel's, in every channel.
// The range is fixed to the clicked colour rather than floating from
// neighbour to neighbour, so a slow gradient does not carry the fill across
// the whole image. Runs at full resolution: a fill is a single linear pass.
import { type BinaryCrop,fromFullMask } from '../../binaryCrop.js';
import { assertRgbImage, type Corners, cornersInImage, cropRgb, type PixelRect, type RgbImage } from '../../rgbImage.js';
import { type CvApi,withMats } from './opencv.js';

/** floodFill writes this into its mask, distinct from 0 (free) and 1 (a wall, if ever used). */
const FILLED = 255;

/**
 * The flood-fill mask from `seed` (image pixels) with a per-channel
 * `tolerance` from 0 to 255, over the whole image or only inside `within`
 * (x0, y0, x1, y1). Throws RangeError for a seed outside the image or
 * outside `within`, a `within` outside the image, or a tolerance outside
 * 0..255. Tolerance 0 selects the connected pixels of exactly the seed's
 * colour (on noise, just the seed).
 */
export function magicWand(cv: CvApi, image: RgbImage, seed: { x: number; y: number }, tolerance: number, within?: Corners): BinaryCrop {
  assertRgbImage(image);
  if (!Number.isFinite(tolerance) || tolerance < 0 || tolerance > 255) throw new RangeError(`the wand tolerance must be from 0 to 255, got ${tolerance}`);
  if (!Number.isFinite(seed.x) || !Number.isFinite(seed.y)) throw new RangeError(`the wand click (${seed.x}, ${seed.y}) is not a finite point`);
  const x = Math.floor(seed.x);
  const y = Math.floor(seed.y);
  if (x < 0 || y < 0 || x >= image.width || y >= image.height) throw new RangeError(`the wand click (${seed.x}, ${seed.y}) lies outside the ${image.width}×${image.height} image`);
  const area: PixelRect = within ? cornersInImage(within, image, 'wand area') : { x: 0, y: 0, w: image.width, h: image.height };
  if (x < area.x || y < area.y || x >= area.x + area.w || y >= area.y + area.h) {
    throw new RangeError(`the wand click (${seed.x}, ${seed.y}) lies outside its area [${within?.join(', ')}]`);
  }
  const source = area.w === image.width && area.h === image.height ? image : cropRgb(image, area);
  const filled = withMats(cv, 'flood filling', (track) => {
    const pixels = track(new cv.Mat(area.h, area.w, cv.CV_8UC3, [0, 0, 0, 0]));
    pixels.data.set(source.data);
    const mask = track(new cv.Mat(area.h + 2, area.w + 2, cv.CV_8UC1, [0, 0, 0, 0]));
    const range: [number, number, number, number] = [tolerance, tolerance, tolerance, 0];
    const flags = 8 | cv.FLOODFILL_MASK_ONLY | cv.FLOODFILL_FIXED_RANGE | (FILLED << 8);
    cv.floodFill(pixels, mask, { x: x - area.x, y: y - area.y }, [0, 0, 0, 0], { x: 0, y: 0, width: 0, height: 0 }, range, range, flags);
    // The mask has a one-pixel frame around the image; keep the inside.
    const framed = mask.data;
    const inside = new Uint8Array(area.w * area.h);
    for (let row = 0; row < area.h; row++) {
      const from = (row + 1) * (area.w + 2) + 1;
      for (let col = 0; col < area.w; col++) inside[row * area.w + col] = framed[from + col] === FILLED ? 1 : 0;
    }
    return inside;
  });
  return fromFullMask(filled, area.w, area.h, area);
}
