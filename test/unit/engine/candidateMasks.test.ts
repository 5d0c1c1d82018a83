import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { rasterisePolygons } from '../../../common/geometry/polygon.js';
import { rleToMask } from '../../../common/geometry/rle.js';
import { CandidateLogits, cropPolygons, cropRle, fullImageRle, stabilityScore } from '../../../engine/worker/candidateMasks.js';
import { makeFrame } from '../../../engine/worker/modelFrame.js';

/** F.interpolate(mode='bilinear', align_corners=False), written out plainly as the reference. */
function resize(src: Float32Array, sw: number, sh: number, dw: number, dh: number): Float32Array {
  const out = new Float32Array(dw * dh);
  const coord = (d: number, s: number, o: number) => {
    const v = Math.max(0, (d + 0.5) * (s / o) - 0.5);
    const i0 = Math.min(Math.floor(v), s - 1);
    return [i0, Math.min(i0 + 1, s - 1), v - i0] as const;
  };
  for (let y = 0; y < dh; y++) {
    const [y0, y1, fy] = coord(y, sh, dh);
    for (let x = 0; x < dw; x++) {
      const [x0, x1, fx] = coord(x, sw, dw);
      const top = src[y0 * sw + x0]! * (1 - fx) + src[y0 * sw + x1]! * fx;
      const bottom = src[y1 * sw + x0]! * (1 - fx) + src[y1 * sw + x1]! * fx;
      out[y * dw + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

/** Segment Anything's postprocess_masks, whole image: low -> S x S, crop, -> original, > 0. */
function referenceMask(low: Float32Array, n: number, width: number, height: number, inputSize: number): Uint8Array {
  const frame = makeFrame(width, height, inputSize);
  const square = resize(low, n, n, inputSize, inputSize);
  const cropped = new Float32Array(frame.resizedWidth * frame.resizedHeight);
  for (let y = 0; y < frame.resizedHeight; y++)
    cropped.set(square.subarray(y * inputSize, y * inputSize + frame.resizedWidth), y * frame.resizedWidth);
  const full = resize(cropped, frame.resizedWidth, frame.resizedHeight, width, height);
  return Uint8Array.from(full, (v) => (v > 0 ? 1 : 0));
}

/** Smooth logits with two blobs, one of them with a hole, in the resized part of the square. */
function blobLogits(n: number): Float32Array {
  const low = new Float32Array(n * n);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const a = 6 - Math.hypot(x - n * 0.3, y - n * 0.35) / 2;
      const hole = Math.hypot(x - n * 0.3, y - n * 0.35) < n * 0.04 ? -12 : 0;
      const b = 4 - Math.hypot((x - n * 0.7) * 1.5, y - n * 0.5) / 2;
      low[y * n + x] = Math.max(a + hole, b, -8);
    }
  }
  return low;
}

describe('candidate masks from low-res logits', () => {
  for (const [width, height] of [
    [640, 480],
    [333, 517],
    [4000, 3000],
  ] as const) {
    it(`matches Segment Anything's full-image postprocessing pixel for pixel (${width}×${height})`, () => {
      const n = 128;
      const inputSize = 256;
      const low = blobLogits(n);
      const frame = makeFrame(width, height, inputSize);
      const crop = new CandidateLogits({ data: low, size: n }, frame).crop();
      const expected = referenceMask(low, n, width, height, inputSize);
      const got = rleToMask(fullImageRle(crop, width, height));
      let differ = 0;
      let area = 0;
      for (let i = 0; i < expected.length; i++) {
        if (expected[i] !== got[i]) differ++;
        area += expected[i]!;
      }
      assert.ok(area > 100, 'the fixture has a mask');
      assert.equal(differ, 0, `${differ} pixels differ`);
      assert.equal(crop.area, area);
    });
  }

  it('downscales large display crops but keeps the box and area', () => {
    const low = blobLogits(128);
    const frame = makeFrame(4000, 3000, 256);
    const logits = new CandidateLogits({ data: low, size: 128 }, frame);
    const full = logits.crop();
    const display = logits.crop(512);
    assert.ok(display.scale < 1);
    assert.ok(Math.max(display.cropWidth, display.cropHeight) <= 512);
    for (const k of ['x', 'y', 'w', 'h'] as const) assert.ok(Math.abs(display.box[k] - full.box[k]) <= 1 / display.scale + 1, `box.${k}`);
    assert.ok(Math.abs(display.area - full.area) / full.area < 0.02, `area ${display.area} vs ${full.area}`);
    const rle = cropRle(display);
    assert.deepEqual(rle.size, [display.cropHeight, display.cropWidth]);
  });

  it('an all-negative map is an empty crop, and materializing it has no pixels', () => {
    const frame = makeFrame(300, 200, 256);
    const crop = new CandidateLogits({ data: new Float32Array(64 * 64).fill(-3), size: 64 }, frame).crop();
    assert.equal(crop.area, 0);
    assert.deepEqual(crop.box, { x: 0, y: 0, w: 0, h: 0 });
    assert.equal(
      rleToMask(fullImageRle(crop, 300, 200)).reduce((a, b) => a + b, 0),
      0,
    );
    assert.deepEqual(cropPolygons(crop), []);
  });

  it('the simplified outline covers the mask (holes kept) within a pixel band', () => {
    const frame = makeFrame(640, 480, 256);
    const crop = new CandidateLogits({ data: blobLogits(128), size: 128 }, frame).crop();
    const polygons = cropPolygons(crop);
    assert.ok(polygons.length >= 2, 'two blobs');
    assert.ok(
      polygons.some((p) => p.holes.length > 0),
      'the hole survives',
    );
    const mask = rleToMask(fullImageRle(crop, 640, 480));
    const drawn = rasterisePolygons(polygons, 480, 640);
    let inter = 0;
    let union = 0;
    for (let i = 0; i < mask.length; i++) {
      inter += mask[i]! & drawn[i]!;
      union += mask[i]! | drawn[i]!;
    }
    assert.ok(inter / union > 0.97, `outline IoU ${(inter / union).toFixed(3)}`);
  });

  it('stability is 1 for a step edge and lower for a soft one', () => {
    const frame = makeFrame(256, 256, 256);
    const step = new Float32Array(64 * 64).map((_, i) => (i % 64 < 32 ? 10 : -10));
    const soft = new Float32Array(64 * 64).map((_, i) => (32 - (i % 64)) / 4);
    assert.equal(stabilityScore({ data: step, size: 64 }, frame), 1);
    const s = stabilityScore({ data: soft, size: 64 }, frame);
    assert.ok(s > 0.5 && s < 0.95, `soft ${s}`);
  });
});
