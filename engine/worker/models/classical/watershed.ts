// Scribbles in several regions -> one mask per region, by OpenCV's marker
// watershed: every stroke is a seed, and the image is flooded from the seeds
// in order of colour difference, so regions meet where the colours change.
//
// Watershed gives every pixel to some marker, so "the rest" needs a marker
// of its own or it is shared out among the regions. The background is:
// - the strokes passed as `background` (the prompt's negative scribbles), and
// - unless told otherwise, when no background stroke is given, the image's
//   outer frame (two working pixels wide). The frame claims the pixels it
//   covers, so for objects touching the edge of the image, mark background
//   strokes instead (or pass borderIsBackground: false).
// With borderIsBackground: false and no background strokes, the regions
// share the whole image between them (e.g. sky / ground).
import { type BinaryCrop,enlargeCrop, fromFullMask } from '../../binaryCrop.js';
import { assertRgbImage, boxBlurRgb, type ImagePoint, resizeRgb, type RgbImage } from '../../rgbImage.js';
import { type CvApi,withMats } from './opencv.js';

export interface RegionScribble {
  /** A stroke in image pixels; consecutive points are joined. */
  points: readonly ImagePoint[];
  /** Which region the stroke marks (an integer >= 0). */
  region: number;
}

export interface WatershedOptions {
  /** Strokes on the background (negative scribbles). */
  background?: readonly (readonly ImagePoint[])[];
  /** Whether the image's outer frame marks background; default: when no background stroke is given. */
  borderIsBackground?: boolean;
  /** Longest side watershed works at (default WATERSHED_MAX_SIDE); larger images are shrunk and masks enlarged back. */
  maxSide?: number;
}

export const WATERSHED_MAX_SIDE = 1024;
const BACKGROUND_MARKER = 1;
/** Width of the implicit background frame, in working pixels. */
const FRAME = 2;
const OFF_IMAGE = 1 << 20;
/** Watershed's value for the pixels between regions (and the image frame). */
const BOUNDARY = -1;

/**
 * One mask per region (keys: the regions named in `scribbles`, ascending),
 * the regions and the background together covering the image. A region
 * whose strokes all lie outside the image gets an empty mask.
 *
 * Throws RangeError when there is no scribble, when there is only one kind
 * of marker (a single region without background), and for bad numbers.
 */
export function watershedRegions(cv: CvApi, image: RgbImage, scribbles: readonly RegionScribble[], options: WatershedOptions = {}): Map<number, BinaryCrop> {
  assertRgbImage(image);
  if (scribbles.length === 0) throw new RangeError('watershed needs at least one scribble');
  const maxSide = options.maxSide ?? WATERSHED_MAX_SIDE;
  if (!Number.isInteger(maxSide) || maxSide < 8) throw new RangeError(`maxSide must be an integer of at least 8, got ${maxSide}`);
  for (const scribble of scribbles) {
    if (!Number.isInteger(scribble.region) || scribble.region < 0) throw new RangeError(`a scribble region must be an integer >= 0, got ${scribble.region}`);
    assertStroke(scribble.points, `region ${scribble.region}`);
  }
  const backgroundStrokes = options.background ?? [];
  for (const stroke of backgroundStrokes) assertStroke(stroke, 'background');
  const borderIsBackground = options.borderIsBackground ?? backgroundStrokes.length === 0;
  const regions = [...new Set(scribbles.map((s) => s.region))].sort((a, b) => a - b);
  if (regions.length === 1 && backgroundStrokes.length === 0 && !borderIsBackground) {
    throw new RangeError('watershed needs two kinds of marker: scribble a second region or the background');
  }
  const markerOf = new Map(regions.map((region, i) => [region, BACKGROUND_MARKER + 1 + i]));

  const scale = Math.min(1, maxSide / Math.max(image.width, image.height));
  const workWidth = Math.max(1, Math.round(image.width * scale));
  const workHeight = Math.max(1, Math.round(image.height * scale));
  // Smoothed first: on fine texture (hatching, foliage) the raw gradient splits a surface into stripes.
  const work = boxBlurRgb(scale < 1 ? resizeRgb(image, workWidth, workHeight) : image, Math.max(2, Math.round(Math.max(workWidth, workHeight) / 400)));
  // Clamped far outside the image: cv.line clips what lies off the Mat, but takes 32-bit integers.
  const toWork = ([x, y]: ImagePoint) => ({
    x: Math.max(-OFF_IMAGE, Math.min(OFF_IMAGE, Math.floor((x * workWidth) / image.width))),
    y: Math.max(-OFF_IMAGE, Math.min(OFF_IMAGE, Math.floor((y * workHeight) / image.height))),
  });
  const thickness = Math.max(1, Math.round(Math.max(workWidth, workHeight) / 512));

  const labels = withMats(cv, 'running watershed', (track) => {
    const pixels = track(new cv.Mat(workHeight, workWidth, cv.CV_8UC3, [0, 0, 0, 0]));
    pixels.data.set(work.data);
    const markers = track(new cv.Mat(workHeight, workWidth, cv.CV_32SC1, [0, 0, 0, 0]));
    if (borderIsBackground) {
      // Two pixels wide: OpenCV overwrites the outermost ring with boundary
      // values before flooding, so the marker is the ring inside it.
      const frame = markers.data32S;
      for (let y = 0; y < workHeight; y++) {
        for (let x = 0; x < workWidth; x++) {
          if (x < FRAME || y < FRAME || x >= workWidth - FRAME || y >= workHeight - FRAME) frame[y * workWidth + x] = BACKGROUND_MARKER;
        }
      }
    }
    // cv.line and cv.circle clip to the Mat, so strokes may run off the image.
    const draw = (stroke: readonly ImagePoint[], marker: number): void => {
      const colour: [number, number, number, number] = [marker, 0, 0, 0];
      const points = stroke.map(toWork);
      if (points.length === 1) cv.circle(markers, points[0]!, thickness, colour, -1, cv.LINE_8);
      for (let i = 1; i < points.length; i++) cv.line(markers, points[i - 1]!, points[i]!, colour, thickness, cv.LINE_8);
    };
    for (const stroke of backgroundStrokes) draw(stroke, BACKGROUND_MARKER);
    for (const scribble of scribbles) draw(scribble.points, markerOf.get(scribble.region)!);
    const present = new Set<number>();
    for (const marker of markers.data32S) if (marker !== 0) present.add(marker);
    if (present.size < 2) throw new RangeError('the scribbles inside the image give only one kind of marker; watershed needs two');
    cv.watershed(pixels, markers);
    return markers.data32S.slice();
  });

  fillBoundaries(labels, workWidth, workHeight);
  const masks = new Map<number, BinaryCrop>();
  for (const region of regions) masks.set(region, regionMask(labels, markerOf.get(region)!, workWidth, workHeight, image.width, image.height));
  return masks;
}

function assertStroke(points: readonly ImagePoint[], what: string): void {
  if (points.length === 0) throw new RangeError(`a ${what} stroke has no points`);
  for (const [x, y] of points) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new RangeError(`a ${what} stroke has a non-finite point (${x}, ${y})`);
  }
}

/**
 * Gives each boundary pixel the label of a labelled 4-neighbour, so masks
 * of neighbouring regions tile without one-pixel gaps. Boundaries are one
 * pixel wide, so a pass or two settles them (corners of the frame take two).
 */
function fillBoundaries(labels: Int32Array, width: number, height: number): void {
  for (let changed = true; changed; ) {
    changed = false;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        if (labels[i] !== BOUNDARY) continue;
        let neighbour = 0;
        if (x > 0 && labels[i - 1]! > 0) neighbour = labels[i - 1]!;
        else if (x < width - 1 && labels[i + 1]! > 0) neighbour = labels[i + 1]!;
        else if (y > 0 && labels[i - width]! > 0) neighbour = labels[i - width]!;
        else if (y < height - 1 && labels[i + width]! > 0) neighbour = labels[i + width]!;
        if (neighbour) {
          labels[i] = neighbour;
          changed = true;
        }
      }
    }
  }
}

/** The pixels of one marker, enlarged from the working size to the image. */
function regionMask(labels: Int32Array, marker: number, workWidth: number, workHeight: number, width: number, height: number): BinaryCrop {
  const mask = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) if (labels[i] === marker) mask[i] = 1;
  return enlargeCrop(fromFullMask(mask, workWidth, workHeight), workWidth, workHeight, width, height);
}
