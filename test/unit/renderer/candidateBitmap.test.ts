import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { CandidateSet, MaskCandidate } from '../../../common/contract/index.js';
import { maskToRle } from '../../../common/geometry/rle.js';
import {
  candidateAt,
  candidateCrop,
  candidateFrame,
  candidatePixels,
  decodeCandidateCrop,
  pointInCandidate,
} from '../../../renderer/src/masks/candidateBitmap.js';

/** A candidate whose crop is `rows` ('#' inside), placed at (x, y) at the given scale. */
function candidate(index: number, rows: string[], x: number, y: number, scale = 1): MaskCandidate {
  const h = rows.length,
    w = rows[0]!.length;
  const data = new Uint8Array(h * w);
  rows.forEach((row, r) => [...row].forEach((c, col) => (data[r * w + col] = c === '#' ? 1 : 0)));
  const area = data.reduce((n, v) => n + v, 0) / (scale * scale);
  return {
    index,
    score: 0.9,
    stability: 0.95,
    note: null,
    box: { x, y, w: Math.round(w / scale), h: Math.round(h / scale) },
    area,
    crop: { rle: maskToRle(data, h, w), scale },
    labels: [],
  };
}

const set = (candidates: MaskCandidate[]): CandidateSet => ({
  id: `set-${Math.random()}`,
  imageId: 1,
  modelId: 'm',
  candidates,
  best: 0,
  timing: { featureSource: 'memory', encodeMs: 0, decodeMs: 1, totalMs: 1 },
  scoreKind: 'predicted-iou',
});

test('candidate crop: the column-major COCO RLE decodes to row-major pixels', () => {
  // Asymmetric on purpose: a transposed decode would not match.
  const c = candidate(0, ['##..', '#...', '....'], 10, 20);
  const crop = decodeCandidateCrop(c);
  assert.equal(crop.width, 4);
  assert.equal(crop.height, 3);
  assert.deepEqual([...crop.data], [1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
});

test('candidate crop: an empty mask (w = h = 0) decodes to nothing; a corrupt RLE is refused, and drawn as nothing', () => {
  const empty: MaskCandidate = {
    ...candidate(0, ['#'], 0, 0),
    box: { x: 0, y: 0, w: 0, h: 0 },
    crop: { rle: { size: [0, 0], counts: '' }, scale: 1 },
  };
  assert.equal(decodeCandidateCrop(empty).data.length, 0);
  assert.equal(candidateCrop('empty-set', empty), null);
  const corrupt: MaskCandidate = { ...candidate(0, ['##'], 0, 0), crop: { rle: { size: [5, 5], counts: '12' }, scale: 1 } };
  assert.throws(() => decodeCandidateCrop(corrupt));
  assert.equal(candidateCrop('corrupt-set', corrupt), null);
});

test('candidate frame: a reduced-scale crop is stretched back over its box in image pixels', () => {
  // A 40×20 box sent at scale 0.25 is a 10×5 crop.
  const c = candidate(
    0,
    Array.from({ length: 5 }, () => '#'.repeat(10)),
    100,
    50,
    0.25,
  );
  const crop = decodeCandidateCrop(c);
  assert.deepEqual(candidateFrame(c, crop), { x: 100, y: 50, width: 40, height: 20 });
  assert.equal(pointInCandidate(c, crop, 100, 50), true);
  assert.equal(pointInCandidate(c, crop, 139.9, 69.9), true);
  assert.equal(pointInCandidate(c, crop, 140, 60), false);
  assert.equal(pointInCandidate(c, crop, 99.9, 60), false);
});

test('candidate hit test: reads the pixel under the point through the crop scale', () => {
  const c = candidate(0, ['#.', '..'], 0, 0, 0.5); // 2×2 crop over a 4×4 box: only the top-left 2×2 image pixels
  const crop = decodeCandidateCrop(c);
  assert.equal(pointInCandidate(c, crop, 1.5, 1.5), true);
  assert.equal(pointInCandidate(c, crop, 2.5, 0.5), false);
  assert.equal(pointInCandidate(c, crop, 0.5, 2.5), false);
});

test('candidateAt: the smallest proposal under the point wins, so an object on a large region can be picked', () => {
  const region = candidate(
    0,
    Array.from({ length: 10 }, () => '#'.repeat(10)),
    0,
    0,
  );
  const object = candidate(1, ['###', '###', '###'], 4, 4);
  const proposals = set([region, object]);
  const decode = (c: MaskCandidate) => decodeCandidateCrop(c);
  assert.equal(candidateAt(proposals, 5, 5, decode), 1);
  assert.equal(candidateAt(proposals, 1, 1, decode), 0);
  assert.equal(candidateAt(proposals, 50, 50, decode), null);
});

test('candidate pixels: edge pixels opaque in the edge colour, the inside in the label colour at the fill alpha, outside transparent', () => {
  const c = candidate(0, ['#####', '#####', '#####', '.....'], 0, 0);
  const words = candidatePixels(decodeCandidateCrop(c), '#ff8000', 0.5, '#102030');
  const alpha = (i: number) => words[i]! >>> 24;
  const rgb = (i: number) => [words[i]! & 255, (words[i]! >> 8) & 255, (words[i]! >> 16) & 255];
  assert.deepEqual(rgb(0), [16, 32, 48]);
  assert.equal(alpha(0), 255, 'corner: on the edge');
  assert.deepEqual(rgb(7), [255, 128, 0]);
  assert.equal(alpha(7), 128, 'inside: 4-neighbours all set');
  assert.equal(alpha(10), 255, 'left border of the crop');
  assert.equal(alpha(12), 255, 'the row below is outside');
  assert.equal(words[17], 0, 'outside the mask');
});
