import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import {
  areaOfCounts,
  bboxOfCounts,
  countsProblem,
  countsToString,
  decodeCounts,
  encodeCounts,
  maskToRle,
  mergeCounts,
  RleFormatError,
  rleToMask,
  stringToCounts,
  summariseCompressed,
} from '../../../../common/geometry/rle.js';

/** Row-major mask from rows of '0'/'1'. */
const maskOf = (...rows: string[]) => Uint8Array.from(rows.join(''), (c) => (c === '1' ? 1 : 0));

test('encodes column-major runs starting with zeros', () => {
  // 3×4 mask          columns (top→bottom): c0=000 c1=011 c2=010 c3=000
  //   0 0 0 0         column-major stream: 000 011 010 000 → runs 4 zeros, 2 ones, 1 zero, 1 one, 4 zeros
  //   0 1 1 0
  //   0 1 0 0
  const mask = maskOf('0000', '0110', '0100');
  assert.deepEqual(encodeCounts(mask, 3, 4), [4, 2, 1, 1, 4]);
  // Compressed by hand: 4→'4', 2→'2', 1→'1'; i=3: 1-counts[1] = -1 → low 5 bits 31, sign stop → 31+48 = 'O';
  // i=4: 4-counts[2] = 3 → '3'.
  assert.equal(maskToRle(mask, 3, 4).counts, '421O3');
});

test('a mask that starts with foreground begins with an empty zero run', () => {
  assert.deepEqual(encodeCounts(maskOf('11', '11'), 2, 2), [0, 4]);
  assert.equal(countsToString([0, 4]), '04');
});

test('multi-character values: 100 = 0b11_00100 → chars (4|0x20)+48, 3+48', () => {
  // 100 & 31 = 4, more bits follow → 4|32 = 36 → '$'+... 36+48 = 84 'T'; 100>>5 = 3 → '3'.
  assert.equal(countsToString([100]), 'T3');
  assert.deepEqual(stringToCounts('T3'), [100]);
});

test('string round trip for large and negative deltas', () => {
  const counts = [100_000, 5, 3, 70_000, 1, 0, 2_000_000];
  assert.deepEqual(stringToCounts(countsToString(counts)), counts);
  // Beyond 30 bits (7+ characters) and with a delta below -2^31.
  const huge = [0, 3_000_000_000, 5, 1, 2 ** 40];
  assert.deepEqual(stringToCounts(countsToString(huge)), huge);
});

test('decode inverts encode', () => {
  const mask = maskOf('10110', '01101', '11100', '00011');
  const counts = encodeCounts(mask, 4, 5);
  assert.deepEqual(decodeCounts(counts, 4, 5), mask);
  assert.deepEqual(rleToMask(maskToRle(mask, 4, 5)), mask);
});

test('area and bbox from counts (pycocotools rleToBbox semantics)', () => {
  const mask = maskOf('0000', '0110', '0100');
  const counts = encodeCounts(mask, 3, 4);
  assert.equal(areaOfCounts(counts), 3);
  assert.deepEqual(bboxOfCounts(counts, 3), [1, 1, 2, 2]);
  assert.deepEqual(bboxOfCounts([12], 3), [0, 0, 0, 0]);
  // A run wrapping from the bottom of column 0 to the top of column 1 spans full height.
  assert.deepEqual(bboxOfCounts([2, 2, 8], 3), [0, 0, 2, 3]);
});

test('summariseCompressed gives total, area and bbox in one pass', () => {
  const mask = maskOf('0000', '0110', '0100');
  assert.deepEqual(summariseCompressed(maskToRle(mask, 3, 4).counts, 3), { total: 12, area: 3, bbox: [1, 1, 2, 2] });
  assert.throws(() => summariseCompressed('4O', 3), RleFormatError);
});

test('malformed compressed strings are refused', () => {
  assert.throws(() => stringToCounts('4 2'), RleFormatError); // space is below '0'
  assert.throws(() => stringToCounts('T'), RleFormatError); // continuation bit set on the last char
  assert.throws(() => stringToCounts('4O'), RleFormatError); // second run would be negative (-1)
  assert.throws(() => rleToMask({ size: [3, 4], counts: '42' }), RleFormatError); // covers 6 of 12 pixels
});

test('countsProblem reports wrong totals', () => {
  assert.equal(countsProblem([4, 2, 1, 1, 4], 3, 4), null);
  assert.match(countsProblem([4, 2], 3, 4) ?? '', /add up to 6/);
});

test('merge is a union (or intersection)', () => {
  const a = encodeCounts(maskOf('10', '00'), 2, 2);
  const b = encodeCounts(maskOf('00', '01'), 2, 2);
  assert.deepEqual(decodeCounts(mergeCounts([a, b], 2, 2), 2, 2), maskOf('10', '01'));
  assert.deepEqual(decodeCounts(mergeCounts([a, b], 2, 2, true), 2, 2), maskOf('00', '00'));
});

test('matches the uncompressed RLE annotations (area, bbox) of the sample dataset', () => {
  const coco = JSON.parse(readFileSync(new URL('../../../../assets/samples/annotations.coco.json', import.meta.url), 'utf8')) as {
    annotations: { segmentation: unknown; area: number; bbox: number[] }[];
  };
  const rles = coco.annotations.filter(
    (a): a is { segmentation: { size: [number, number]; counts: number[] }; area: number; bbox: number[] } =>
      typeof a.segmentation === 'object' && a.segmentation !== null && !Array.isArray(a.segmentation),
  );
  assert.ok(rles.length > 0, 'the sample has RLE annotations');
  for (const { segmentation, area, bbox } of rles.slice(0, 40)) {
    const [h, w] = segmentation.size;
    const counts = segmentation.counts;
    assert.equal(countsProblem(counts, h, w), null);
    assert.equal(areaOfCounts(counts), area);
    assert.deepEqual(bboxOfCounts(counts, h), bbox);
    // decode → encode reproduces the runs, and the compressed string round-trips.
    assert.deepEqual(encodeCounts(decodeCounts(counts, h, w), h, w), counts);
    assert.deepEqual(stringToCounts(countsToString(counts)), counts);
  }
});
