import assert from 'node:assert/strict';
import { test } from 'node:test';

import { maskToPolygons } from '../../../../common/geometry/mask.js';
import { polygonsArea, rasterisePolygons } from '../../../../common/geometry/polygon.js';

const maskOf = (...rows: string[]) => Uint8Array.from(rows.join(''), (c) => (c === '1' ? 1 : 0));

test('one pixel becomes its unit square', () => {
  const polygons = maskToPolygons(maskOf('000', '010', '000'), 3, 3);
  assert.equal(polygons.length, 1);
  assert.equal(polygons[0]!.outer.length, 8, 'four corners');
  assert.equal(polygonsArea(polygons), 1);
  assert.deepEqual(polygons[0]!.holes, []);
});

test('a ring of pixels becomes one polygon with one hole', () => {
  const mask = maskOf('11111', '10001', '10001', '11111');
  const polygons = maskToPolygons(mask, 4, 5);
  assert.equal(polygons.length, 1);
  assert.equal(polygons[0]!.holes.length, 1);
  assert.equal(polygonsArea(polygons), 20 - 6);
  assert.deepEqual(rasterisePolygons(polygons, 4, 5), mask);
});

test('pixels touching only at a corner are separate components', () => {
  const mask = maskOf('10', '01');
  const polygons = maskToPolygons(mask, 2, 2);
  assert.equal(polygons.length, 2);
  assert.deepEqual(rasterisePolygons(polygons, 2, 2), mask);
});

test('an island inside a hole is its own polygon', () => {
  const mask = maskOf('1111111', '1000001', '1001001', '1000001', '1111111');
  const polygons = maskToPolygons(mask, 5, 7);
  assert.equal(polygons.length, 2);
  assert.deepEqual(polygons.map((p) => p.holes.length).sort(), [0, 1]);
  assert.deepEqual(rasterisePolygons(polygons, 5, 7), mask);
});

test('random masks survive mask → polygons → raster exactly', () => {
  let seed = 7;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  for (let trial = 0; trial < 200; trial++) {
    const h = 1 + Math.floor(random() * 12);
    const w = 1 + Math.floor(random() * 12);
    const density = random();
    const mask = Uint8Array.from({ length: h * w }, () => (random() < density ? 1 : 0));
    const polygons = maskToPolygons(mask, h, w);
    assert.deepEqual(rasterisePolygons(polygons, h, w), mask, `trial ${trial} (${h}×${w})`);
  }
});

test('tolerance simplifies and minArea drops specks', () => {
  const h = 40;
  const w = 40;
  const mask = new Uint8Array(h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if ((x - 20) ** 2 + (y - 20) ** 2 < 15 ** 2) mask[y * w + x] = 1;
  mask[0] = 1; // a one-pixel speck
  const exact = maskToPolygons(mask, h, w);
  assert.equal(exact.length, 2);
  const simplified = maskToPolygons(mask, h, w, { tolerance: 1, minArea: 2 });
  assert.equal(simplified.length, 1);
  assert.ok(simplified[0]!.outer.length < exact.find((p) => p.outer.length > 8)!.outer.length);
  assert.ok(Math.abs(polygonsArea(simplified) - Math.PI * 15 ** 2) < 40);
});
