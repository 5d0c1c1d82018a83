import assert from 'node:assert/strict';
import { test } from 'node:test';

import { measureGeometry } from '../../../../common/geometry/measure.js';
import {
  bboxOfRings,
  pointInPolygon,
  polygonsArea,
  rasterisePolygons,
  ringArea,
  simplifyRing,
} from '../../../../common/geometry/polygon.js';
import { maskToRle } from '../../../../common/geometry/rle.js';

const square = (x: number, y: number, size: number) => [x, y, x + size, y, x + size, y + size, x, y + size];
const count = (mask: Uint8Array) => mask.reduce((sum, v) => sum + v, 0);

test('shoelace area, either winding', () => {
  assert.equal(ringArea(square(0, 0, 10)), 100);
  assert.equal(ringArea([0, 0, 0, 10, 10, 10, 10, 0]), 100);
  assert.equal(ringArea([0, 0, 4, 0, 0, 3]), 6);
});

test('holes subtract from the area', () => {
  assert.equal(polygonsArea([{ outer: square(0, 0, 10), holes: [square(2, 2, 4)] }]), 84);
});

test('bbox of rings', () => {
  assert.deepEqual(bboxOfRings([square(1, 2, 3), [0, 5, 1, 5, 1, 9]]), [0, 2, 4, 7]);
});

test('point in polygon honours holes', () => {
  const polygon = { outer: square(0, 0, 10), holes: [square(2, 2, 4)] };
  assert.equal(pointInPolygon(1, 1, polygon), true);
  assert.equal(pointInPolygon(3, 3, polygon), false);
  assert.equal(pointInPolygon(11, 1, polygon), false);
});

test('rasterising the COCO box polygon fills exactly w×h pixels (pixel-centre sampling)', () => {
  const mask = rasterisePolygons([{ outer: square(0, 0, 10), holes: [] }], 20, 20);
  assert.equal(count(mask), 100);
  assert.equal(mask[0], 1);
  assert.equal(mask[9 * 20 + 9], 1);
  assert.equal(mask[10 * 20 + 9], 0);
  assert.equal(mask[9 * 20 + 10], 0);
});

test('rasterising cuts holes and clips to the image', () => {
  const withHole = rasterisePolygons([{ outer: square(0, 0, 10), holes: [square(2, 2, 4)] }], 12, 12);
  assert.equal(count(withHole), 84);
  assert.equal(withHole[3 * 12 + 3], 0);
  const clipped = rasterisePolygons([{ outer: square(-5, -5, 10), holes: [] }], 4, 4);
  assert.equal(count(clipped), 16);
});

test('raster area ≈ shoelace area for a slanted triangle', () => {
  const triangle = { outer: [10.3, 5.2, 80.7, 20.1, 30.4, 70.9], holes: [] };
  const mask = rasterisePolygons([triangle], 100, 100);
  const shoelace = polygonsArea([triangle]);
  assert.ok(Math.abs(count(mask) - shoelace) < shoelace * 0.03, `${count(mask)} vs ${shoelace}`);
});

test('measureGeometry for box, polygon and mask', () => {
  assert.deepEqual(measureGeometry({ kind: 'box', box: { x: 1, y: 2, w: 3, h: 4 } }), { area: 12, bbox: [1, 2, 3, 4] });
  assert.deepEqual(measureGeometry({ kind: 'polygon', polygons: [{ outer: square(0, 0, 10), holes: [square(2, 2, 4)] }] }), {
    area: 84,
    bbox: [0, 0, 10, 10],
  });
  const mask = rasterisePolygons([{ outer: square(1, 1, 2), holes: [] }], 5, 5);
  assert.deepEqual(measureGeometry({ kind: 'mask', rle: maskToRle(mask, 5, 5) }), { area: 4, bbox: [1, 1, 2, 2] });
});

test('Douglas–Peucker drops collinear points and keeps corners', () => {
  const ring = [0, 0, 5, 0.01, 10, 0, 10, 10, 5, 10, 0, 10];
  assert.deepEqual(simplifyRing(ring, 0.5), [0, 0, 10, 0, 10, 10, 0, 10]);
  assert.deepEqual(simplifyRing(ring, 0), ring);
  assert.equal(simplifyRing([0, 0, 1, 0, 0, 1], 100).length, 6);
});
