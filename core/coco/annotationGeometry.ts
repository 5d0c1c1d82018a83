// One COCO annotation's segmentation → our geometry, checked against the
// image: polygons and boxes inside it (up to 1 px outside is moved onto the
// border and counted: labelme2coco writes vertices 0.38 px past it), masks of
// its size with runs that cover it exactly. Rings without area are dropped and
// counted: they hold no region and only widen the box. Measures come out of
// the same pass so nothing is decoded twice.
import { AppError, type Geometry } from '../../common/contract/index.js';
import {
  areaOfCounts,
  bboxOfCounts,
  type BboxXywh,
  type CompressedSummary,
  countsProblem,
  countsToString,
  RleFormatError,
  summariseCompressed,
} from '../../common/geometry/rle.js';
import { geometryJson } from '../store/rows.js';
import type { CocoAnnotation } from './schema.js';

export interface ConvertedGeometry {
  kind: Geometry['kind'];
  /** JSON of the Geometry, ready for the store. */
  json: string;
  area: number;
  bbox: BboxXywh;
}

const refuse = (path: string, message: string) => new AppError('invalid_file', `${path}: ${message}`, path);

/** Null when a polygon annotation had only rings without area (counted in `notes`). */
export function convertSegmentation(
  annotation: CocoAnnotation,
  index: number,
  width: number,
  height: number,
  notes: GeometryNotes,
): ConvertedGeometry | null {
  const path = `annotations[${index}].segmentation`;
  const segmentation = annotation.segmentation;
  if (segmentation === undefined || (Array.isArray(segmentation) && segmentation.length === 0)) {
    return boxFromBbox(annotation, index, width, height, notes);
  }
  if (Array.isArray(segmentation)) return convertPolygons(segmentation, path, width, height, notes);
  const [h, w] = segmentation.size;
  if (h !== height || w !== width)
    throw refuse(`${path}.size`, `mask size [${h}, ${w}] differs from the image size [${height}, ${width}].`);
  if (typeof segmentation.counts === 'string') {
    const compressed = segmentation.counts;
    let summary: CompressedSummary;
    try {
      summary = summariseCompressed(compressed, h);
    } catch (error) {
      if (error instanceof RleFormatError) throw refuse(`${path}.counts`, `bad compressed RLE: ${error.message}.`);
      throw error;
    }
    if (summary.total !== h * w)
      throw refuse(`${path}.counts`, `run lengths add up to ${summary.total} but the mask has ${h}×${w} = ${h * w} pixels.`);
    return {
      kind: 'mask',
      json: geometryJson({ kind: 'mask', rle: { size: [h, w], counts: compressed } }),
      area: summary.area,
      bbox: summary.bbox,
    };
  }
  const counts = segmentation.counts;
  const problem = countsProblem(counts, h, w);
  if (problem) throw refuse(`${path}.counts`, `${problem}.`);
  const geometry: Geometry = { kind: 'mask', rle: { size: [h, w], counts: countsToString(counts) } };
  return { kind: 'mask', json: geometryJson(geometry), area: areaOfCounts(counts), bbox: bboxOfCounts(counts, h) };
}

/** How far outside its image a coordinate may lie and still be taken (moved onto the border). */
export const BORDER_TOLERANCE_PX = 1;

/** What an import changed on the way in, counted for its summary. */
export interface GeometryNotes {
  /** Vertices and box edges up to BORDER_TOLERANCE_PX outside the image, moved onto its border. */
  clipped: number;
  /** Polygon rings with no area (every point on one line), dropped. */
  degenerateRings: number;
}

/**
 * Bounds check with clipping, shoelace area and bbox in one pass over the
 * coordinates (imports hold ~100k polygons); null when every ring had no area.
 */
function convertPolygons(rings: number[][], path: string, width: number, height: number, notes: GeometryNotes): ConvertedGeometry | null {
  let area = 0;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const kept: number[][] = [];
  rings.forEach((ring, ringIndex) => {
    let twice = 0;
    let ringMinX = Infinity;
    let ringMinY = Infinity;
    let ringMaxX = -Infinity;
    let ringMaxY = -Infinity;
    const n = ring.length;
    for (let i = 0; i < n; i += 2) {
      let x = ring[i]!;
      let y = ring[i + 1]!;
      if (x < 0 || y < 0 || x > width || y > height) {
        if (x < -BORDER_TOLERANCE_PX || y < -BORDER_TOLERANCE_PX || x > width + BORDER_TOLERANCE_PX || y > height + BORDER_TOLERANCE_PX) {
          throw refuse(
            `${path}[${ringIndex}]`,
            `point (${x}, ${y}) lies more than ${BORDER_TOLERANCE_PX} px outside the ${width}×${height} image.`,
          );
        }
        ring[i] = x = Math.min(Math.max(x, 0), width);
        ring[i + 1] = y = Math.min(Math.max(y, 0), height);
        notes.clipped++;
      }
      if (x < ringMinX) ringMinX = x;
      if (x > ringMaxX) ringMaxX = x;
      if (y < ringMinY) ringMinY = y;
      if (y > ringMaxY) ringMaxY = y;
    }
    // After clipping, which can flatten a ring onto the border.
    for (let i = 0; i < n; i += 2) {
      const j = i + 2 < n ? i + 2 : 0;
      twice += ring[i]! * ring[j + 1]! - ring[j]! * ring[i + 1]!;
    }
    if (twice === 0) {
      notes.degenerateRings++;
      return;
    }
    kept.push(ring);
    area += Math.abs(twice) / 2;
    if (ringMinX < minX) minX = ringMinX;
    if (ringMaxX > maxX) maxX = ringMaxX;
    if (ringMinY < minY) minY = ringMinY;
    if (ringMaxY > maxY) maxY = ringMaxY;
  });
  if (kept.length === 0) return null;
  const polygons = kept.map((outer) => ({ outer, holes: [] }));
  return { kind: 'polygon', json: geometryJson({ kind: 'polygon', polygons }), area, bbox: [minX, minY, maxX - minX, maxY - minY] };
}

function boxFromBbox(annotation: CocoAnnotation, index: number, width: number, height: number, notes: GeometryNotes): ConvertedGeometry {
  const path = `annotations[${index}].bbox`;
  if (!annotation.bbox) throw refuse(`annotations[${index}].segmentation`, 'no segmentation and no bbox.');
  let [x0, y0, w, h] = annotation.bbox;
  let x1 = x0 + w;
  let y1 = y0 + h;
  const t = BORDER_TOLERANCE_PX;
  if (x0 < -t || y0 < -t || x1 > width + t || y1 > height + t) {
    throw refuse(path, `box [${annotation.bbox.join(', ')}] lies more than ${t} px outside the ${width}×${height} image.`);
  }
  for (const [value, clippedValue] of [
    [x0, Math.max(x0, 0)],
    [y0, Math.max(y0, 0)],
    [x1, Math.min(x1, width)],
    [y1, Math.min(y1, height)],
  ] as const) {
    if (value !== clippedValue) notes.clipped++;
  }
  [x0, y0, x1, y1] = [Math.max(x0, 0), Math.max(y0, 0), Math.min(x1, width), Math.min(y1, height)];
  [w, h] = [Math.max(0, x1 - x0), Math.max(0, y1 - y0)];
  const geometry: Geometry = { kind: 'box', box: { x: x0, y: y0, w, h } };
  return { kind: 'box', json: geometryJson(geometry), area: w * h, bbox: [x0, y0, w, h] };
}
