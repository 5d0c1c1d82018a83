// AI masks carry a simplified outline next to their RLE: the existing tools
// must draw, hit-test and move them like any mask, and keep the outline true.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Geometry } from '../../../common/contract/index.js';
import { maskToRle } from '../../../common/geometry/rle.js';
import { translateOutline } from '../../../renderer/src/tools/geometryEdits.js';
import { annotationAt } from '../../../renderer/src/tools/hitTesting.js';
import { SelectTool } from '../../../renderer/src/tools/selectTool.js';
import type { Tool } from '../../../renderer/src/tools/toolTypes.js';
import { annotation, at, fakeContext } from './fakeToolContext.js';

/** A 10×10 square at (20, 20) on a 100×80 image, with its outline. */
function squareMask(x = 20, y = 20): Geometry {
  const data = new Uint8Array(100 * 80);
  for (let row = y; row < y + 10; row++) data.fill(1, row * 100 + x, row * 100 + x + 10);
  return { kind: 'mask', rle: maskToRle(data, 80, 100), outline: [{ outer: [x, y, x + 10, y, x + 10, y + 10, x, y + 10], holes: [] }] };
}

test('mask with an outline: hit-tested by its pixels', () => {
  const ctx = fakeContext([annotation('m', squareMask())]);
  assert.equal(annotationAt(ctx.items, 25, 25, 0, ctx.decodeMask)?.id, 'm');
  assert.equal(annotationAt(ctx.items, 35, 25, 0, ctx.decodeMask), null);
});

test('mask with an outline: moving it with the select tool moves the outline by the same whole pixels', () => {
  const ctx = fakeContext([annotation('m', squareMask())]);
  const tool: Tool = new SelectTool(ctx);
  tool.onPointerDown(at(25, 25));
  tool.onPointerMove(at(35.4, 30.2));
  tool.onPointerUp(at(35.4, 30.2));
  const op = ctx.commits[0]?.[0];
  assert.equal(op?.type, 'annotation.put');
  if (op?.type !== 'annotation.put' || op.annotation.geometry.kind !== 'mask') return assert.fail('expected a mask put');
  assert.deepEqual(op.annotation.geometry.outline, [{ outer: [30, 25, 40, 25, 40, 35, 30, 35], holes: [] }]);
  assert.deepEqual(op.annotation.geometry.rle, (squareMask(30, 25) as Extract<Geometry, { kind: 'mask' }>).rle);
});

test('mask outline: dropped when the move pushes it off the image (the clipped pixels no longer match it)', () => {
  const outline = [{ outer: [90, 10, 99, 10, 99, 20], holes: [] }];
  assert.deepEqual(translateOutline(outline, -5, 0, 100, 80), [{ outer: [85, 10, 94, 10, 94, 20], holes: [] }]);
  assert.equal(translateOutline(outline, 5, 0, 100, 80), undefined);
});
