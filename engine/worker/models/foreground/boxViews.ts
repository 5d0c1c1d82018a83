// Choosing the mask for a box from a foreground model's views of it. A
// salient-object model answers "what stands out in this crop", not "what is
// in this box": a crop of a saucer's box sees the cup standing on it, a wider
// crop sees cup and saucer as one object. A box drawn around an object is
// tight, so the answer is the candidate whose bounds fit the box best, and
// one candidate is what the wide view holds beyond the close one (the
// saucer without its cup).
import { type BinaryCrop,emptyBinaryCrop, fromFullMask, labelComponents } from '../../binaryCrop.js';
import type { Corners, PixelRect } from '../../rgbImage.js';

/** Intersection over union of a mask's bounds and the box (0 for an empty mask). */
export function boxFit(bounds: PixelRect, box: Corners): number {
  if (bounds.w <= 0 || bounds.h <= 0) return 0;
  const ix = Math.max(0, Math.min(bounds.x + bounds.w, box[2]) - Math.max(bounds.x, box[0]));
  const iy = Math.max(0, Math.min(bounds.y + bounds.h, box[3]) - Math.max(bounds.y, box[1]));
  const inter = ix * iy;
  const union = bounds.w * bounds.h + (box[2] - box[0]) * (box[3] - box[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * The index of the mask whose bounds fit the box best. Fits are compared to
 * three decimals so that near-ties go to the earlier mask (callers list the
 * simpler views first).
 */
export function bestBoxFit(masks: readonly BinaryCrop[], box: Corners): number {
  let best = 0;
  let bestFit = -1;
  for (const [i, mask] of masks.entries()) {
    const fit = Math.round(boxFit(mask.box, box) * 1000);
    if (fit > bestFit) {
      best = i;
      bestFit = fit;
    }
  }
  return best;
}

/** How much of the outer mask the inner one must cover for "outer minus inner" to mean a nested pair. */
const MIN_INNER_SHARE = 0.15;
/** The remainder must be a real part of the outer mask, not a sliver. */
const MIN_REMAINDER_SHARE = 0.3;
/** Shrunk by the seam width, the remainder keeps at least this much: a rim around the inner object is not an object. */
const MIN_SOLID_SHARE = 0.5;
/** Seam between the two objects, as a share of the box's short side: the views' edges differ by a few pixels. */
const SEAM_SHARE = 0.02;

/**
 * The outer mask minus the inner one (grown by a seam of a few pixels), as
 * the one component with most pixels inside the box (`slack` widens it by a
 * share of its size); null when the two do not look like an object nested
 * on another: the inner covers little of the outer, or what remains is a
 * sliver or a thin rim.
 */
export function nestedRemainder(outer: BinaryCrop, inner: BinaryCrop, box: Corners, slack = 0): BinaryCrop | null {
  if (outer.scale !== 1 || inner.scale !== 1) throw new Error('nestedRemainder works on full-resolution masks');
  if (outer.area === 0 || inner.area === 0) return null;
  // Cheap bounds first: the usual pair (two views of one isolated object) ends here.
  const shared = overlap(outer, inner);
  if (shared < MIN_INNER_SHARE * outer.area || outer.area - shared < MIN_REMAINDER_SHARE * outer.area) return null;
  const seam = Math.max(1, Math.floor(SEAM_SHARE * Math.min(box[2] - box[0], box[3] - box[1])));
  const { x: ox, y: oy, w, h } = outer.box;
  // The inner mask in the outer's frame, widened by the seam so inner pixels just outside still count.
  const fx = ox - seam;
  const fy = oy - seam;
  const fw = w + 2 * seam;
  const fh = h + 2 * seam;
  const innerInFrame = new Uint8Array(fw * fh);
  const ib = inner.box;
  for (let y = Math.max(fy, ib.y); y < Math.min(fy + fh, ib.y + ib.h); y++) {
    for (let x = Math.max(fx, ib.x); x < Math.min(fx + fw, ib.x + ib.w); x++) {
      if (inner.pixels[(y - ib.y) * ib.w + (x - ib.x)]) innerInFrame[(y - fy) * fw + (x - fx)] = 1;
    }
  }
  const toInner = cityBlockDistance(innerInFrame, fw, fh);
  const rest = new Uint8Array(w * h);
  let restArea = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!outer.pixels[i]) continue;
      if (toInner[(y + seam) * fw + (x + seam)]! > seam) {
        rest[i] = 1;
        restArea++;
      }
    }
  }
  if (restArea < MIN_REMAINDER_SHARE * outer.area) return null;
  const remainder = componentMostInBox(rest, outer.box, box, slack);
  if (remainder.area < MIN_REMAINDER_SHARE * outer.area) return null;
  if (erodedArea(remainder, seam) < MIN_SOLID_SHARE * remainder.area) return null;
  return remainder;
}

/** Pixels set in both masks. */
function overlap(a: BinaryCrop, b: BinaryCrop): number {
  let count = 0;
  for (let y = Math.max(a.box.y, b.box.y); y < Math.min(a.box.y + a.box.h, b.box.y + b.box.h); y++) {
    const ra = (y - a.box.y) * a.box.w - a.box.x;
    const rb = (y - b.box.y) * b.box.w - b.box.x;
    for (let x = Math.max(a.box.x, b.box.x); x < Math.min(a.box.x + a.box.w, b.box.x + b.box.w); x++) if (a.pixels[ra + x] && b.pixels[rb + x]) count++;
  }
  return count;
}

/** The 8-connected component with the most pixels inside the box (grown by `slack` of its size). */
function componentMostInBox(pixels: Uint8Array, frame: PixelRect, box: Corners, slack: number): BinaryCrop {
  const { labels, count } = labelComponents(pixels, frame.w, frame.h, 8);
  if (count === 0) return emptyBinaryCrop();
  const sx = (box[2] - box[0]) * slack;
  const sy = (box[3] - box[1]) * slack;
  const inBox = new Float64Array(count + 1);
  for (let y = 0; y < frame.h; y++) {
    const cy = frame.y + y + 0.5;
    if (cy < box[1] - sy || cy > box[3] + sy) continue;
    for (let x = 0; x < frame.w; x++) {
      const cx = frame.x + x + 0.5;
      if (cx >= box[0] - sx && cx <= box[2] + sx) inBox[labels[y * frame.w + x]!]!++;
    }
  }
  let best = 1;
  for (let label = 2; label <= count; label++) if (inBox[label]! > inBox[best]!) best = label;
  const kept = new Uint8Array(pixels.length);
  for (let i = 0; i < labels.length; i++) if (labels[i] === best) kept[i] = 1;
  return fromFullMask(kept, frame.w, frame.h, frame);
}

/** Pixels of the mask farther than `radius` (city-block) from everything outside it. */
function erodedArea(mask: BinaryCrop, radius: number): number {
  const { w, h } = mask.box;
  // One pixel of background around the crop: the mask's own border is an edge.
  const pw = w + 2;
  const ph = h + 2;
  const outside = new Uint8Array(pw * ph).fill(1);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (mask.pixels[y * w + x]) outside[(y + 1) * pw + x + 1] = 0;
  const toOutside = cityBlockDistance(outside, pw, ph);
  let area = 0;
  for (const d of toOutside) if (d > radius) area++;
  return area;
}

/**
 * City-block distance from every pixel to the nearest set pixel (two
 * passes, exact for this metric); pixels with none set get w + h.
 */
export function cityBlockDistance(set: Uint8Array, w: number, h: number): Int32Array {
  const far = w + h;
  const d = new Int32Array(w * h);
  for (let i = 0; i < d.length; i++) d[i] = set[i] ? 0 : far;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (x > 0 && d[i - 1]! + 1 < d[i]!) d[i] = d[i - 1]! + 1;
      if (y > 0 && d[i - w]! + 1 < d[i]!) d[i] = d[i - w]! + 1;
    }
  }
  for (let y = h - 1; y >= 0; y--) {
    for (let x = w - 1; x >= 0; x--) {
      const i = y * w + x;
      if (x < w - 1 && d[i + 1]! + 1 < d[i]!) d[i] = d[i + 1]! + 1;
      if (y < h - 1 && d[i + w]! + 1 < d[i]!) d[i] = d[i + w]! + 1;
    }
  }
  return d;
}
