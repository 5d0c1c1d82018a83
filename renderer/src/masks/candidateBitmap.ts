// AI candidate masks on the canvas. A candidate travels as the COCO RLE of a
// crop (its box, possibly at a reduced scale); it is decoded once per
// candidate, painted once per colour, and drawn stretched over its box.
import type { CandidateSet, MaskCandidate } from '../../../common/contract/index.js';
import type { BinaryMask } from '../../../common/geometry/binaryMask.js';
import { rleToMask } from '../../../common/geometry/rle.js';

/** Where a candidate's crop lands in image pixels. */
export interface CandidateFrame {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The crop as row-major pixels; throws on an RLE that does not match its size. */
export function decodeCandidateCrop(candidate: MaskCandidate): BinaryMask {
  const [height, width] = candidate.crop.rle.size;
  if (width === 0 || height === 0) return { width: 0, height: 0, data: new Uint8Array(0) };
  return { width, height, data: rleToMask(candidate.crop.rle) };
}

/**
 * The image rectangle the crop covers. The crop has ceil(w·scale) columns, so
 * it spans that many columns divided by the scale (a hair more than the box
 * when w·scale is not whole), which keeps every crop pixel square.
 */
export function candidateFrame(candidate: MaskCandidate, crop: Pick<BinaryMask, 'width' | 'height'>): CandidateFrame {
  const scale = candidate.crop.scale > 0 ? candidate.crop.scale : 1;
  return { x: candidate.box.x, y: candidate.box.y, width: crop.width / scale, height: crop.height / scale };
}

/** Whether image point (x, y) is inside the candidate's mask. */
export function pointInCandidate(candidate: MaskCandidate, crop: BinaryMask, x: number, y: number): boolean {
  const scale = candidate.crop.scale > 0 ? candidate.crop.scale : 1;
  const cx = Math.floor((x - candidate.box.x) * scale);
  const cy = Math.floor((y - candidate.box.y) * scale);
  if (cx < 0 || cy < 0 || cx >= crop.width || cy >= crop.height) return false;
  return crop.data[cy * crop.width + cx] === 1;
}

/**
 * Position (in `set.candidates`) of the candidate under the point; where
 * proposals overlap the smallest wins, so an object on top of a large region
 * can still be picked.
 */
export function candidateAt(
  set: CandidateSet,
  x: number,
  y: number,
  decode: (candidate: MaskCandidate) => BinaryMask | null,
): number | null {
  let best: number | null = null;
  set.candidates.forEach((candidate, position) => {
    const crop = decode(candidate);
    if (!crop || !pointInCandidate(candidate, crop, x, y)) return;
    if (best === null || candidate.area < set.candidates[best]!.area) best = position;
  });
  return best;
}

export function hexToRgb(colour: string): [number, number, number] {
  const n = Number.parseInt(colour.slice(1), 16);
  return Number.isNaN(n) ? [255, 255, 255] : [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Candidate outlines: light, so they read on an object of the label's own colour. */
export const CANDIDATE_EDGE_COLOUR = '#ffffff';

const abgr = (colour: string, alpha: number): number => {
  const [r, g, b] = hexToRgb(colour);
  return ((Math.round(Math.max(0, Math.min(1, alpha)) * 255) << 24) | (b << 16) | (g << 8) | r) >>> 0;
};

/**
 * RGBA words (little-endian ABGR, as ImageData is laid out in memory): the
 * inside in `colour` at `fillAlpha`, its edge pixels (a 4-neighbour outside,
 * or the crop border) in an opaque edge colour, so the candidate reads as an
 * outlined region even over an object of the same colour.
 */
export function candidatePixels(crop: BinaryMask, colour: string, fillAlpha: number, edgeColour = CANDIDATE_EDGE_COLOUR): Uint32Array {
  const { width, height, data } = crop;
  const words = new Uint32Array(width * height);
  const fill = abgr(colour, fillAlpha);
  const edge = abgr(edgeColour, 1);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      if (data[i] !== 1) continue;
      const onEdge =
        x === 0 ||
        y === 0 ||
        x === width - 1 ||
        y === height - 1 ||
        data[i - 1] !== 1 ||
        data[i + 1] !== 1 ||
        data[i - width] !== 1 ||
        data[i + width] !== 1;
      words[i] = onEdge ? edge : fill;
    }
  }
  return words;
}

const MAX_CACHED = 256;
const crops = new Map<string, BinaryMask | null>();
const bitmaps = new Map<string, HTMLCanvasElement | null>();

function remember<T>(cache: Map<string, T>, key: string, value: T): T {
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
  return value;
}

const cropKey = (setId: string, candidate: MaskCandidate) => `${setId}:${candidate.index}`;

/** Decoded once per candidate; a malformed crop is drawn as nothing rather than breaking the canvas. */
export function candidateCrop(setId: string, candidate: MaskCandidate): BinaryMask | null {
  const key = cropKey(setId, candidate);
  const hit = crops.get(key);
  if (hit !== undefined) return hit;
  let crop: BinaryMask | null;
  try {
    crop = decodeCandidateCrop(candidate);
  } catch {
    crop = null;
  }
  return remember(crops, key, crop && crop.width > 0 ? crop : null);
}

/** The painted crop (browser only), cached per candidate, colour and fill. */
export function candidateBitmap(setId: string, candidate: MaskCandidate, colour: string, fillAlpha: number): HTMLCanvasElement | null {
  const key = `${cropKey(setId, candidate)}|${colour}|${fillAlpha}`;
  const hit = bitmaps.get(key);
  if (hit !== undefined) return hit;
  const crop = candidateCrop(setId, candidate);
  let canvas: HTMLCanvasElement | null = null;
  if (crop) {
    canvas = document.createElement('canvas');
    canvas.width = crop.width;
    canvas.height = crop.height;
    const context = canvas.getContext('2d');
    if (context) {
      const pixels = context.createImageData(crop.width, crop.height);
      new Uint32Array(pixels.data.buffer).set(candidatePixels(crop, colour, fillAlpha));
      context.putImageData(pixels, 0, 0);
    } else {
      canvas = null;
    }
  }
  return remember(bitmaps, key, canvas);
}
