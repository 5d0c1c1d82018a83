// The mask helpers the converters share, checked against common/geometry's
// whole-image codecs and sharp: patch → RLE, RLE → patch, the PNG codec.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import sharp from 'sharp';

import { rasterisePolygons } from '../../../../common/geometry/polygon.js';
import { maskToRle, rleToMask } from '../../../../common/geometry/rle.js';
import { decodeSimplePng, encodePng } from '../../../../core/formats/png.js';
import { fixed, maskPatch, patchOf, patchToRle } from '../../../../core/formats/shapes.js';
import { FIXTURES } from './formatFixtures.js';

let seed = 5;
const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
const int = (n: number) => Math.floor(random() * n);

test('patchToRle equals pasting the patch into a whole mask and encoding it; maskPatch inverts it', () => {
  for (let t = 0; t < 2000; t++) {
    const [h, w, ph, pw] = [1 + int(7), 1 + int(7), 1 + int(5), 1 + int(5)];
    const [left, top] = [int(9) - 2, int(9) - 2];
    const pixels = new Uint8Array(pw * ph).map(() => (random() < 0.5 ? 1 : 0));
    const whole = new Uint8Array(h * w);
    for (let y = 0; y < ph; y++) {
      for (let x = 0; x < pw; x++) {
        const [iy, ix] = [top + y, left + x];
        if (iy >= 0 && iy < h && ix >= 0 && ix < w && pixels[y * pw + x]) whole[iy * w + ix] = 1;
      }
    }
    const rle = patchToRle({ left, top, width: pw, height: ph, pixels }, h, w);
    assert.deepEqual(rle, maskToRle(whole, h, w), JSON.stringify({ h, w, pw, ph, left, top }));
    const patch = maskPatch({ kind: 'mask', rle }, h);
    const back = new Uint8Array(h * w);
    if (patch)
      for (let y = 0; y < patch.height; y++)
        for (let x = 0; x < patch.width; x++) back[(patch.top + y) * w + patch.left + x] = patch.pixels[y * patch.width + x]!;
    assert.deepEqual(back, rleToMask(rle));
  }
});

test('encodePng writes what sharp reads; decodeSimplePng reads indexed and grayscale PNGs as sharp does', async () => {
  const pixels = new Uint8Array(37 * 11).map((_, i) => (i * 7) % 5);
  const gray = encodePng(pixels, 37, 11);
  const viaSharp = await sharp(gray).raw().toBuffer({ resolveWithObject: true });
  const firstChannel = new Uint8Array(pixels.length).map((_, i) => viaSharp.data[i * viaSharp.info.channels]!);
  assert.deepEqual(firstChannel, pixels);
  assert.deepEqual(decodeSimplePng(gray)!.samples, pixels);
  // labelme2voc's indexed SegmentationObject PNG (written by PIL, filtered rows): indices as PIL reads them.
  const png = readFileSync(join(FIXTURES, 'voc', 'labelme2voc-instances', 'SegmentationObject', '2011_000003.png'));
  const decoded = decodeSimplePng(png)!;
  const histogram = new Map<number, number>();
  for (const v of decoded.samples) histogram.set(v, (histogram.get(v) ?? 0) + 1);
  assert.deepEqual(
    [...histogram].sort((a, b) => a[0] - b[0]),
    [
      [0, 135247],
      [1, 15662],
      [2, 17218],
      [3, 873],
    ],
  );
  // A PNG of another kind (RGB) is left to sharp.
  assert.equal(
    decodeSimplePng(
      await sharp({ create: { width: 2, height: 2, channels: 3, background: '#fff' } })
        .png()
        .toBuffer(),
    ),
    null,
  );
  assert.throws(() => decodeSimplePng(Buffer.from('not a png at all, certainly not one')), /not a PNG/);
});

test('fixed: at most the given decimals, shortest text', () => {
  assert.equal(fixed(0.36666666, 6), '0.366667');
  assert.equal(fixed(12, 2), '12');
  assert.equal(fixed(-0.0000001, 6), '0');
  assert.equal(fixed(0.1 + 0.2, 6), '0.3');
});

test('fixed writes exactly what String(round(v × 10^d) / 10^d) writes, built from integers', () => {
  const reference = (value: number, digits: number) => {
    const rounded = Math.round(value * 10 ** digits) / 10 ** digits;
    return rounded === 0 ? '0' : String(rounded);
  };
  const edges = [0.5, 1, 0, -0, 1e-7, 5e-7, 4.9999999e-7, -4e-7, 0.000001, 0.1 + 0.2, 123456.1234565, 999999.9999995, -12.0000004];
  const wide = [1e9 + 0.5, 123456789.123456, 1e15, 3e20, 1e21, -1e22, Number.NaN, Infinity, -Infinity];
  const values = [...edges, ...wide];
  for (let i = 0; i < 20_000; i++) values.push((random() - 0.3) * [1, 10, 700, 5000, 1e7][i % 5]!);
  for (const digits of [0, 1, 2, 3, 6, 8]) {
    for (const value of values) assert.equal(fixed(value, digits), reference(value, digits), `fixed(${value}, ${digits})`);
  }
});

test('patchOf rasterises an outline in its own box exactly as over the whole image (holes, edges, parts outside)', () => {
  const [h, w] = [23, 31];
  for (let t = 0; t < 300; t++) {
    const ring = () => Array.from({ length: 2 * (3 + int(5)) }, (_, i) => (i % 2 ? random() * (h + 6) - 3 : random() * (w + 6) - 3));
    const polygons = [{ outer: ring(), holes: random() < 0.5 ? [ring()] : [] }];
    const whole = rasterisePolygons(polygons, h, w);
    const patch = patchOf({ kind: 'polygon', polygons }, h, w);
    const pasted = new Uint8Array(h * w);
    if (patch)
      for (let y = 0; y < patch.height; y++)
        for (let x = 0; x < patch.width; x++) pasted[(patch.top + y) * w + patch.left + x] = patch.pixels[y * patch.width + x]!;
    assert.deepEqual(pasted, whole, JSON.stringify(polygons));
  }
  const box = patchOf({ kind: 'box', box: { x: 2, y: 3, w: 4, h: 2 } }, h, w)!;
  assert.deepEqual([box.left, box.top, box.width, box.height], [2, 3, 4, 2]);
});
