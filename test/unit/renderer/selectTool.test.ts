import assert from 'node:assert/strict';
import { test } from 'node:test';

import { maskToRle, rleToMask } from '../../../common/geometry/rle.js';
import { SelectTool } from '../../../renderer/src/tools/selectTool.js';
import type { Tool } from '../../../renderer/src/tools/toolTypes.js';
import { annotation, at, fakeContext, onlyPut } from './fakeToolContext.js';

const box = annotation('b', { kind: 'box', box: { x: 10, y: 10, w: 20, h: 20 } });
const poly = annotation('p', {
  kind: 'polygon',
  polygons: [{ outer: [50, 10, 90, 10, 90, 50, 50, 50], holes: [[60, 20, 80, 20, 80, 40, 60, 40]] }],
});

test('select tool: click selects the topmost hit, empty click clears, shift toggles', () => {
  const ctx = fakeContext([box, poly]);
  const tool: Tool = new SelectTool(ctx);
  tool.onPointerDown(at(15, 15));
  tool.onPointerUp(at(15, 15));
  assert.deepEqual(ctx.selected, ['b']);
  tool.onPointerDown(at(55, 15, { shift: true }));
  assert.deepEqual(ctx.selected, ['b', 'p']);
  tool.onPointerDown(at(70, 30));
  assert.deepEqual(ctx.selected, [], 'the hole of a polygon is not the polygon');
  assert.equal(ctx.commits.length, 0);
});

test('select tool: a drag previews a translation and commits once on release', () => {
  const ctx = fakeContext([box, poly]);
  const tool: Tool = new SelectTool(ctx);
  tool.onPointerDown(at(15, 15));
  assert.equal(tool.state(), 'pointing');
  tool.onPointerMove(at(20, 15));
  tool.onPointerMove(at(25, 18));
  assert.equal(tool.state(), 'dragging');
  assert.deepEqual(ctx.previews?.get('b'), { kind: 'translate', dx: 10, dy: 3 });
  assert.equal(ctx.commits.length, 0);
  tool.onPointerUp(at(25, 18));
  assert.equal(ctx.previews, null);
  assert.deepEqual(onlyPut(ctx).geometry, { kind: 'box', box: { x: 20, y: 13, w: 20, h: 20 } });
});

test('select tool: moves masks by whole pixels', () => {
  const data = new Uint8Array(100 * 80);
  data[5 * 100 + 5] = 1;
  const mask = annotation('m', { kind: 'mask', rle: maskToRle(data, 80, 100) });
  const ctx = fakeContext([mask]);
  const tool: Tool = new SelectTool(ctx);
  tool.onPointerDown(at(5.5, 5.5));
  tool.onPointerMove(at(8.5, 7.5));
  tool.onPointerUp(at(8.5, 7.5));
  const moved = onlyPut(ctx);
  assert.equal(moved.geometry.kind, 'mask');
  const pixels = moved.geometry.kind === 'mask' ? rleToMask(moved.geometry.rle) : new Uint8Array();
  assert.equal(pixels[7 * 100 + 8], 1);
  assert.equal(
    pixels.reduce((a, b) => a + b, 0),
    1,
  );
});

test('select tool: cancel abandons a drag without committing', () => {
  const ctx = fakeContext([box]);
  const tool: Tool = new SelectTool(ctx);
  tool.onPointerDown(at(15, 15));
  tool.onPointerMove(at(40, 40));
  tool.cancel();
  assert.equal(tool.state(), 'idle');
  assert.equal(ctx.previews, null);
  tool.onPointerUp(at(40, 40));
  assert.equal(ctx.commits.length, 0);
});
