import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { BinaryMask } from '../../../common/geometry/binaryMask.js';
import { correctionClick, farthestInteriorPoint, largestComponent } from '../../../engine/evaluation/clickSimulation.js';

function rect(w: number, h: number, x0: number, y0: number, x1: number, y1: number): BinaryMask {
  const data = new Uint8Array(w * h);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) data[y * w + x] = 1;
  return { width: w, height: h, data };
}

describe('click simulation (NoC protocol)', () => {
  it('first click at the centre of a square, none in an empty mask', () => {
    assert.deepEqual(farthestInteriorPoint(rect(40, 40, 10, 10, 31, 31)), { x: 20.5, y: 20.5, depth: 11 });
    assert.equal(farthestInteriorPoint(rect(10, 10, 0, 0, 0, 0)), null);
  });

  it('keeps the largest component only', () => {
    const m = rect(30, 10, 0, 0, 5, 5);
    for (let y = 0; y < 10; y++) for (let x = 10; x < 30; x++) m.data[y * 30 + x] = 1;
    const big = largestComponent(m);
    assert.equal(
      big.data.reduce((a, b) => a + b, 0),
      200,
    );
    assert.equal(big.data[0], 0);
  });

  it('clicks positive inside the biggest miss, negative inside the biggest false area, nothing when exact', () => {
    const gt = rect(60, 60, 10, 10, 50, 50);
    const missedHalf = rect(60, 60, 10, 10, 30, 50);
    const miss = correctionClick(missedHalf, gt)!;
    assert.equal(miss.positive, true);
    assert.ok(miss.x > 30 && miss.x < 50 && miss.y > 10 && miss.y < 50, JSON.stringify(miss));
    const spill = rect(60, 60, 0, 0, 60, 60);
    const extra = correctionClick(spill, gt)!;
    assert.equal(extra.positive, false);
    assert.ok(extra.x < 10 || extra.x > 50 || extra.y < 10 || extra.y > 50, JSON.stringify(extra));
    assert.equal(correctionClick(gt, gt), null);
  });
});
