import assert from 'node:assert/strict';
import { test } from 'node:test';

import { maskToRle, rleToMask } from '../../../common/geometry/rle.js';
import { BrushTool } from '../../../renderer/src/tools/brushTool.js';
import type { Tool } from '../../../renderer/src/tools/toolTypes.js';
import { annotation, at, fakeContext, onlyPut } from './fakeToolContext.js';

const W = 100,
  H = 80;
const pixelsOf = (ctx: ReturnType<typeof fakeContext>) => {
  const g = onlyPut(ctx).geometry;
  assert.equal(g.kind, 'mask');
  return g.kind === 'mask' ? rleToMask(g.rle) : new Uint8Array();
};

test('brush: a stroke with no mask selected creates one mask annotation on release', () => {
  const ctx = fakeContext();
  const tool: Tool = new BrushTool(ctx, false);
  tool.onPointerDown(at(10, 10));
  assert.equal(tool.state(), 'painting');
  tool.onPointerMove(at(30, 10));
  tool.onPointerMove(at(50, 10));
  assert.equal(ctx.draft?.kind, 'stroke');
  assert.equal(ctx.commits.length, 0, 'the stroke is one step: nothing before release');
  tool.onPointerUp(at(50, 10));
  const pixels = pixelsOf(ctx);
  assert.equal(pixels[10 * W + 30], 1);
  assert.equal(pixels[10 * W + 55], 0);
  assert.equal(pixels[20 * W + 30], 0);
  assert.equal(ctx.selected.length, 1);
  assert.equal(ctx.draft, null);
});

test('brush paints into the selected mask; eraser removes, and an emptied mask is deleted', () => {
  const data = new Uint8Array(W * H);
  data.fill(1, 40 * W + 40, 40 * W + 44);
  const mask = annotation('m', { kind: 'mask', rle: maskToRle(data, H, W) });

  const paint = fakeContext([mask]);
  paint.selected = ['m'];
  const brush: Tool = new BrushTool(paint, false);
  brush.onPointerDown(at(10, 10));
  brush.onPointerUp(at(10, 10));
  const painted = pixelsOf(paint);
  assert.equal(onlyPut(paint).id, 'm');
  assert.equal(painted[40 * W + 41], 1, 'existing pixels are kept');
  assert.equal(painted[10 * W + 10], 1);
  assert.equal(
    rleToMask(mask.geometry.kind === 'mask' ? mask.geometry.rle : { size: [1, 1], counts: '' })[10 * W + 10],
    0,
    'the cached original is untouched',
  );

  const erase = fakeContext([mask]);
  const eraser: Tool = new BrushTool(erase, true);
  eraser.onPointerDown(at(42, 40.5)); // nothing selected: erases the mask under the pointer
  eraser.onPointerUp(at(42, 40.5));
  assert.deepEqual(erase.commits, [[{ type: 'annotation.delete', id: 'm', revision: 1 }]]);
});

test('eraser with no mask under the pointer does nothing; cancel drops a stroke', () => {
  const ctx = fakeContext();
  const eraser: Tool = new BrushTool(ctx, true);
  eraser.onPointerDown(at(5, 5));
  assert.equal(eraser.state(), 'idle');

  const brush: Tool = new BrushTool(ctx, false);
  brush.onPointerDown(at(5, 5));
  brush.onPointerMove(at(20, 20));
  brush.cancel();
  assert.equal(brush.state(), 'idle');
  assert.equal(ctx.draft, null);
  brush.onPointerUp(at(20, 20));
  assert.equal(ctx.commits.length, 0);
});
