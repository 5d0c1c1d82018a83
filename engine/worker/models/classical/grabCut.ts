// Box and clicks -> mask with OpenCV's GrabCut (colour GMMs + graph cut).
// The work happens on a crop around the prompt, shrunk so its longest side
// is at most GRABCUT_MAX_SIDE and it holds at most GRABCUT_MAX_PIXELS:
// GrabCut's cost grows with the pixel count (opencv.js runs it on one
// thread: about 0.8 s for 120,000 pixels and 3 iterations on a 2-core
// laptop CPU), and its colour models gain little from more pixels. The mask is enlarged back (bilinear, thresholded) and
// pasted at full resolution, so outlines are as fine as the working crop.
import { type BinaryCrop,enlargeCrop, fromFullMask, keepComponentsAt } from '../../binaryCrop.js';
import { assertRgbImage, type Corners, cornersInImage, cropRgb, type ImagePoint, type PixelRect, resizeRgb, type RgbImage } from '../../rgbImage.js';
import { type CvApi, type CvMat, type CvRect,withMats } from './opencv.js';

/** A pixel of the working crop. */
interface WorkPoint {
  x: number;
  y: number;
}

export interface GrabCutPrompt {
  /** x0, y0, x1, y1 in image pixels. */
  box?: Corners;
  /** Positive clicks and scribble points: definite foreground. */
  foreground: readonly ImagePoint[];
  /** Negative clicks and scribble points: definite background. */
  background: readonly ImagePoint[];
  /** GrabCut iterations per run (default GRABCUT_ITERATIONS). */
  iterations?: number;
  /**
   * A foreground probability at an image point (e.g. a segmentation model's
   * output): GrabCut then starts from it (>= 0.5 probable foreground, else
   * probable background; outside the box definite background) instead of
   * from the rectangle, and the seeds refine that.
   */
  prior?: (x: number, y: number) => number;
}

export interface GrabCutOptions {
  /** Longest side of the crop GrabCut works on (default GRABCUT_MAX_SIDE). */
  maxSide?: number;
  /** Pixel budget of that crop (default GRABCUT_MAX_PIXELS). */
  maxPixels?: number;
  /** Context around a box, as a fraction of its side (default 0.1): the background GrabCut learns from. */
  boxMargin?: number;
}

export const GRABCUT_ITERATIONS = 3;
export const GRABCUT_MAX_SIDE = 1024;
/** About 350 × 350: a box of any size takes under a second per GrabCut run (3 iterations) on a 2-core laptop CPU. */
export const GRABCUT_MAX_PIXELS = 120_000;
/** Any fixed value: GrabCut's k-means draws from OpenCV's global generator, reseeded before each call. */
const GRABCUT_RNG_SEED = 0x5eed;
/** Context around a box, as a fraction of its side: GrabCut learns the background from it. */
const BOX_MARGIN = 0.1;
const MIN_MARGIN_PX = 8;
/** Seed discs, as a fraction of the working crop's longest side. */
const SEED_RADIUS = 0.006;
const MIN_SEED_RADIUS = 2;
/** Bounds of the per-channel colour tolerance a seed grows its patch with. */
const MIN_SEED_TOLERANCE = 12;
const MAX_SEED_TOLERANCE = 60;
/** With a box, unanchored components under this share of the largest one are dropped as strays. */
const STRAY_BLOB_SHARE = 0.1;
/** Mask value floodFill writes, distinct from the barrier's 1. */
const FILLED = 255;

/**
 * The mask GrabCut finds for a prompt:
 * - a box: GrabCut initialised with the rectangle (outside = background),
 *   on a crop with a 10% margin; clicks and scribble points inside the crop
 *   then mark their surroundings (see applySeeds) in the result, which a
 *   second run initialised with that mask refines;
 * - clicks without a box: the whole image (shrunk), probable background
 *   except what the seeds mark, one run initialised with the mask.
 * Without a box, only the connected components holding a positive point
 * are kept (similar colours elsewhere in the image are not the object);
 * with a box, components holding a positive point or the box centre, and
 * any at least a tenth the size of the largest, so stray blobs go but an
 * object GrabCut split in two stays whole.
 *
 * The box run is remembered per image (the last one), so a click added to
 * the same box costs one run. Images are read, never changed, and must not
 * be changed by the caller between calls either.
 *
 * Throws RangeError for a box outside the image (or under 2 px inside it),
 * for no box and no positive point inside the image, and for bad numbers.
 * Points outside the image are ignored (strokes may run off its edge).
 */
export function grabCutMask(cv: CvApi, image: RgbImage, prompt: GrabCutPrompt, options: GrabCutOptions = {}): BinaryCrop {
  assertRgbImage(image);
  const iterations = prompt.iterations ?? GRABCUT_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > 20) throw new RangeError(`GrabCut iterations must be an integer from 1 to 20, got ${iterations}`);
  const maxSide = options.maxSide ?? GRABCUT_MAX_SIDE;
  if (!Number.isInteger(maxSide) || maxSide < 8) throw new RangeError(`maxSide must be an integer of at least 8, got ${maxSide}`);
  const maxPixels = options.maxPixels ?? GRABCUT_MAX_PIXELS;
  if (!Number.isInteger(maxPixels) || maxPixels < 64) throw new RangeError(`maxPixels must be an integer of at least 64, got ${maxPixels}`);
  const foreground = insideImage(prompt.foreground, image, 'foreground');
  const background = insideImage(prompt.background, image, 'background');
  const box = prompt.box ? cornersInImage(prompt.box, image, 'box') : null;
  if (!box && foreground.length === 0) throw new RangeError('GrabCut needs a box or at least one positive point inside the image');

  const region = box ? regionAround(box, foreground, image, options.boxMargin ?? BOX_MARGIN) : { x: 0, y: 0, w: image.width, h: image.height };
  const scale = Math.min(1, maxSide / Math.max(region.w, region.h), Math.sqrt(maxPixels / (region.w * region.h)));
  const workWidth = Math.max(1, Math.round(region.w * scale));
  const workHeight = Math.max(1, Math.round(region.h * scale));
  const toWork = (p: ImagePoint): WorkPoint => ({
    x: Math.min(workWidth - 1, Math.floor(((p[0] - region.x) * workWidth) / region.w)),
    y: Math.min(workHeight - 1, Math.floor(((p[1] - region.y) * workHeight) / region.h)),
  });
  const inRegion = (p: ImagePoint) => p[0] >= region.x && p[1] >= region.y && p[0] < region.x + region.w && p[1] < region.y + region.h;
  const seedRadius = Math.max(MIN_SEED_RADIUS, Math.round(SEED_RADIUS * Math.max(workWidth, workHeight)));
  const work = resizeRgb(cropRgb(image, region), workWidth, workHeight);

  const working = withMats(cv, 'running GrabCut', (track) => {
    const pixels = track(new cv.Mat(workHeight, workWidth, cv.CV_8UC3, [0, 0, 0, 0]));
    pixels.data.set(work.data);
    const mask = track(new cv.Mat(workHeight, workWidth, cv.CV_8UC1, [cv.GC_PR_BGD, 0, 0, 0]));
    const backgroundModel = track(new cv.Mat());
    const foregroundModel = track(new cv.Mat());
    const seedsInRegion = { foreground: foreground.filter(inRegion).map(toWork), background: background.filter(inRegion).map(toWork) };
    const hasSeeds = seedsInRegion.foreground.length + seedsInRegion.background.length > 0;
    const runGrabCut = (rect: CvRect, mode: number): void => {
      // GrabCut seeds its colour models with k-means from OpenCV's global
      // generator: reseeding before every run makes the same prompt give
      // the same mask, whether or not the box run came from the cache.
      cv.setRNGSeed(GRABCUT_RNG_SEED);
      cv.grabCut(pixels, mask, rect, backgroundModel, foregroundModel, iterations, mode);
    };
    const runFromMask = (): void => {
      // GrabCut needs samples of both classes; when the seeds leave only
      // one, the labels already are the answer (e.g. a click on a flat image).
      const present = classesPresent(mask);
      if (present.foreground && present.background) runGrabCut({ x: 0, y: 0, width: workWidth, height: workHeight }, cv.GC_INIT_WITH_MASK);
    };
    if (prompt.prior) {
      const rect = box ? workingRect(box, region, workWidth, workHeight) : null;
      const labels = mask.data;
      for (let wy = 0; wy < workHeight; wy++) {
        const iy = region.y + ((wy + 0.5) * region.h) / workHeight;
        for (let wx = 0; wx < workWidth; wx++) {
          const inside = !rect || (wx >= rect.x && wx < rect.x + rect.width && wy >= rect.y && wy < rect.y + rect.height);
          const ix = region.x + ((wx + 0.5) * region.w) / workWidth;
          labels[wy * workWidth + wx] = !inside ? cv.GC_BGD : prompt.prior(ix, iy) >= 0.5 ? cv.GC_PR_FGD : cv.GC_PR_BGD;
        }
      }
      applySeeds(cv, track, pixels, mask, work, seedsInRegion, seedRadius);
      runFromMask();
    } else if (box) {
      // The rectangle always leaves background outside it (see workingRect) and foreground inside.
      const rect = workingRect(box, region, workWidth, workHeight);
      const key = [region.x, region.y, region.w, region.h, workWidth, workHeight, rect.x, rect.y, rect.width, rect.height, iterations].join(',');
      const cached = boxRuns.get(image);
      if (cached?.key === key) mask.data.set(cached.labels);
      else {
        runGrabCut(rect, cv.GC_INIT_WITH_RECT);
        boxRuns.set(image, { key, labels: mask.data.slice() });
      }
      if (hasSeeds) {
        applySeeds(cv, track, pixels, mask, work, seedsInRegion, seedRadius);
        runFromMask();
      }
    } else {
      applySeeds(cv, track, pixels, mask, work, seedsInRegion, seedRadius);
      runFromMask();
    }
    return foregroundOf(mask);
  });

  // Components are chosen on the working mask (cheaper than at full size), then it is enlarged.
  const workCrop = fromFullMask(working, workWidth, workHeight);
  const anchors = foreground.filter(inRegion).map((p): ImagePoint => {
    const w = toWork(p);
    return [w.x, w.y];
  });
  let kept: BinaryCrop;
  if (!box) kept = keepComponentsAt(workCrop, anchors);
  else {
    // With a box, GrabCut may split the object (a thin part, a shadow); only
    // small stray blobs away from every anchor are dropped.
    const centre = toWork([box.x + box.w / 2, box.y + box.h / 2]);
    kept = keepComponentsAt(workCrop, [...anchors, [centre.x, centre.y]], { minShareOfLargest: STRAY_BLOB_SHARE });
  }
  return enlargeCrop(kept, workWidth, workHeight, region.w, region.h, region);
}

/**
 * The labels of the last box run per image: clicks that refine a box rerun
 * only the refinement, halving their cost. Keyed by the image object, so
 * images must not be changed in place (decodeRgb hands out fresh ones).
 */
const boxRuns = new WeakMap<RgbImage, { key: string; labels: Uint8Array }>();

type Track = <M extends CvMat>(mat: M) => M;

/**
 * Writes the seeds into a GrabCut label mask. A click covers a few pixels,
 * too few to move GrabCut's colour models, so each seed first claims the
 * connected patch of its own colour that currently has the other label
 * (a flood fill, fixed range around the click's colour, tolerance from the
 * colour spread around it) as probable background / foreground; the disc
 * under the click becomes definite. Negatives go first, positives last, so
 * every positive point stays foreground and anchors its component.
 */
function applySeeds(
  cv: CvApi,
  track: Track,
  pixels: CvMat,
  mask: CvMat,
  work: RgbImage,
  seeds: { foreground: readonly WorkPoint[]; background: readonly WorkPoint[] },
  seedRadius: number,
): void {
  const { width, height } = work;
  const barrier = track(new cv.Mat(height + 2, width + 2, cv.CV_8UC1, [0, 0, 0, 0]));
  const stride = width + 2;
  const flags = 8 | cv.FLOODFILL_MASK_ONLY | cv.FLOODFILL_FIXED_RANGE | (FILLED << 8);
  /** Floods from every seed through pixels whose label is not blocked; filled pixels take `label`. */
  const growAll = (points: readonly WorkPoint[], blocked: (label: number) => boolean, label: number): void => {
    if (points.length === 0) return;
    let walls = barrier.data;
    let labels = mask.data;
    walls.fill(0);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) if (blocked(labels[y * width + x]!)) walls[(y + 1) * stride + x + 1] = 1;
    }
    for (const seed of points) {
      // A seed on a wall or inside an earlier seed's patch adds nothing.
      if (barrier.data[(seed.y + 1) * stride + seed.x + 1]) continue;
      const tolerance = colourTolerance(work, seed, seedRadius * 2);
      cv.floodFill(pixels, barrier, seed, [0, 0, 0, 0], { x: 0, y: 0, width: 0, height: 0 }, tolerance, tolerance, flags);
    }
    walls = barrier.data; // fresh views: the heap may have grown meanwhile
    labels = mask.data;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) if (walls[(y + 1) * stride + x + 1] === FILLED) labels[y * width + x] = label;
    }
  };
  const isForeground = (label: number) => (label & 1) === 1;
  growAll(seeds.background, (label) => !isForeground(label), cv.GC_PR_BGD);
  growAll(seeds.foreground, (label) => isForeground(label) || label === cv.GC_BGD, cv.GC_PR_FGD);
  for (const seed of seeds.background) cv.circle(mask, seed, seedRadius, [cv.GC_BGD, 0, 0, 0], -1, cv.LINE_8);
  for (const seed of seeds.foreground) cv.circle(mask, seed, seedRadius, [cv.GC_FGD, 0, 0, 0], -1, cv.LINE_8);
}

/**
 * Per-channel flood tolerance around a click: wide enough for the texture
 * around it (2.5 standard deviations of the patch), never so narrow that
 * noise stops the fill at once nor so wide that it crosses real edges.
 */
function colourTolerance(image: RgbImage, centre: WorkPoint, radius: number): [number, number, number, number] {
  const sum = [0, 0, 0];
  const squares = [0, 0, 0];
  let n = 0;
  for (let y = Math.max(0, centre.y - radius); y <= Math.min(image.height - 1, centre.y + radius); y++) {
    for (let x = Math.max(0, centre.x - radius); x <= Math.min(image.width - 1, centre.x + radius); x++) {
      if ((x - centre.x) ** 2 + (y - centre.y) ** 2 > radius * radius) continue;
      const i = (y * image.width + x) * 3;
      for (let c = 0; c < 3; c++) {
        const v = image.data[i + c]!;
        sum[c]! += v;
        squares[c]! += v * v;
      }
      n++;
    }
  }
  const tolerance = (c: number): number => {
    const mean = sum[c]! / n;
    const std = Math.sqrt(Math.max(0, squares[c]! / n - mean * mean));
    return Math.min(MAX_SEED_TOLERANCE, Math.max(MIN_SEED_TOLERANCE, Math.round(2.5 * std) + 8));
  };
  return [tolerance(0), tolerance(1), tolerance(2), 0];
}

function classesPresent(mask: CvMat): { foreground: boolean; background: boolean } {
  const labels = mask.data;
  let foreground = false;
  let background = false;
  for (let i = 0; i < labels.length && !(foreground && background); i++) {
    if (labels[i]! & 1) foreground = true;
    else background = true;
  }
  return { foreground, background };
}

/** GrabCut labels 1 (definite) and 3 (probable) foreground: the low bit. */
function foregroundOf(mask: CvMat): Uint8Array {
  const labels = mask.data;
  const out = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = labels[i]! & 1;
  return out;
}

function insideImage(points: readonly ImagePoint[], image: RgbImage, what: string): ImagePoint[] {
  for (const [x, y] of points) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new RangeError(`a ${what} point has a non-finite coordinate (${x}, ${y})`);
  }
  return points.filter(([x, y]) => x >= 0 && y >= 0 && x < image.width && y < image.height);
}

/** The box with a margin of context, grown to hold every positive point, inside the image. */
function regionAround(box: PixelRect, foreground: readonly ImagePoint[], image: RgbImage, margin: number): PixelRect {
  const marginX = Math.max(MIN_MARGIN_PX, Math.round(margin * box.w));
  const marginY = Math.max(MIN_MARGIN_PX, Math.round(margin * box.h));
  let x0 = box.x - marginX;
  let y0 = box.y - marginY;
  let x1 = box.x + box.w + marginX;
  let y1 = box.y + box.h + marginY;
  for (const [x, y] of foreground) {
    x0 = Math.min(x0, Math.floor(x) - MIN_MARGIN_PX);
    y0 = Math.min(y0, Math.floor(y) - MIN_MARGIN_PX);
    x1 = Math.max(x1, Math.floor(x) + 1 + MIN_MARGIN_PX);
    y1 = Math.max(y1, Math.floor(y) + 1 + MIN_MARGIN_PX);
  }
  x0 = Math.max(0, x0);
  y0 = Math.max(0, y0);
  x1 = Math.min(image.width, x1);
  y1 = Math.min(image.height, y1);
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

/**
 * The box in working pixels. GrabCut learns the background from outside the
 * rectangle, so a box covering the whole crop (a box over the whole image)
 * is pulled in by a pixel to leave it some.
 */
function workingRect(box: PixelRect, region: PixelRect, workWidth: number, workHeight: number): { x: number; y: number; width: number; height: number } {
  let x0 = Math.max(0, Math.floor(((box.x - region.x) * workWidth) / region.w));
  let y0 = Math.max(0, Math.floor(((box.y - region.y) * workHeight) / region.h));
  let x1 = Math.min(workWidth, Math.ceil(((box.x + box.w - region.x) * workWidth) / region.w));
  let y1 = Math.min(workHeight, Math.ceil(((box.y + box.h - region.y) * workHeight) / region.h));
  if (x0 === 0 && y0 === 0 && x1 === workWidth && y1 === workHeight) {
    x0 = 1;
    y0 = 1;
    x1 = Math.max(x0 + 1, workWidth - 1);
    y1 = Math.max(y0 + 1, workHeight - 1);
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}
