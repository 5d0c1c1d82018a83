// One COCO annotation's segmentation → our geometry, checked against the
// image: polygons and boxes inside it, masks of its size with runs that cover
// it exactly. Measures come out of the same pass so nothing is decoded twice.
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

export function convertSegmentation(annotation: CocoAnnotation, index: number, width: number, height: number): ConvertedGeometry {
  const path = `annotations[${index}].segmentation`;
  const segmentation = annotation.segmentation;
  if (segmentation === undefined || (Array.isArray(segmentation) && segmentation.length === 0)) {
    return boxFromBbox(annotation, index, width, height);
  }
  if (Array.isArray(segmentation)) return convertPolygons(segmentation, path, width, height);
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

/** Bounds check, shoelace area and bbox in one pass over the coordinates (imports hold ~100k polygons). */
function convertPolygons(rings: number[][], path: string, width: number, height: number): ConvertedGeometry {
  let area = 0;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  rings.forEach((ring, ringIndex) => {
    let twice = 0;
    const n = ring.length;
    for (let i = 0; i < n; i += 2) {
      const x = ring[i]!;
      const y = ring[i + 1]!;
      if (x < 0 || y < 0 || x > width || y > height) {
        throw refuse(`${path}[${ringIndex}]`, `point (${x}, ${y}) lies outside the ${width}×${height} image.`);
      }
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
      const j = i + 2 < n ? i + 2 : 0;
      twice += x * ring[j + 1]! - ring[j]! * y;
    }
    area += Math.abs(twice) / 2;
  });
  const polygons = rings.map((outer) => ({ outer, holes: [] }));
  return { kind: 'polygon', json: geometryJson({ kind: 'polygon', polygons }), area, bbox: [minX, minY, maxX - minX, maxY - minY] };
}

function boxFromBbox(annotation: CocoAnnotation, index: number, width: number, height: number): ConvertedGeometry {
  const path = `annotations[${index}].bbox`;
  if (!annotation.bbox) throw refuse(`annotations[${index}].segmentation`, 'no segmentation and no bbox.');
  const [x, y, w, h] = annotation.bbox;
  if (x < 0 || y < 0 || x + w > width || y + h > height) throw refuse(path, `box lies outside the ${width}×${height} image.`);
  const geometry: Geometry = { kind: 'box', box: { x, y, w, h } };
  return { kind: 'box', json: geometryJson(geometry), area: w * h, bbox: [x, y, w, h] };
}
