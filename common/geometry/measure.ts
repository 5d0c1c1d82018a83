// Area and bounding box of any annotation geometry, in COCO terms: polygon
// area by shoelace (outer minus holes), mask area as a pixel count.
import type { Geometry } from '../contract/domain.js';
import { bboxOfRings, polygonsArea } from './polygon.js';
import { type BboxXywh, summariseCompressed } from './rle.js';

export interface GeometryMeasure {
  area: number;
  bbox: BboxXywh;
}

/** Throws RleFormatError for an undecodable mask string. */
export function measureGeometry(geometry: Geometry): GeometryMeasure {
  switch (geometry.kind) {
    case 'box': {
      const { x, y, w, h } = geometry.box;
      return { area: w * h, bbox: [x, y, w, h] };
    }
    case 'polygon':
      return {
        area: polygonsArea(geometry.polygons),
        bbox: bboxOfRings(geometry.polygons.map((polygon) => polygon.outer)),
      };
    case 'mask': {
      const { area, bbox } = summariseCompressed(geometry.rle.counts, geometry.rle.size[0]);
      return { area, bbox };
    }
  }
}

/** The four corners of a box as a flat ring, clockwise from top-left (COCO polygon form). */
export function boxRing(box: { x: number; y: number; w: number; h: number }): number[] {
  return [box.x, box.y, box.x + box.w, box.y, box.x + box.w, box.y + box.h, box.x, box.y + box.h];
}
