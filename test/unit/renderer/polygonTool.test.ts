import assert from 'node:assert/strict';
import { test } from 'node:test';

import { PolygonTool } from '../../../renderer/src/tools/polygonTool.js';
import type { Tool } from '../../../renderer/src/tools/toolTypes.js';
import { at, fakeContext, onlyPut } from './fakeToolContext.js';

const triangle = (tool: Tool) => {
  tool.onPointerDown(at(10, 10));
  tool.onPointerDown(at(50, 10));
  tool.onPointerDown(at(30, 40));
};

test('polygon tool: closes by clicking the first vertex', () => {
  const ctx = fakeContext();
  const tool: Tool = new PolygonTool(ctx);
  triangle(tool);
  assert.equal(tool.state(), 'drawing');
  tool.onPointerMove(at(12, 11));
  assert.equal(ctx.draft?.kind === 'polygon' && ctx.draft.canClose, true);
  tool.onPointerDown(at(12, 11));
  assert.equal(tool.state(), 'idle');
  assert.deepEqual(onlyPut(ctx).geometry, { kind: 'polygon', polygons: [{ outer: [10, 10, 50, 10, 30, 40], holes: [] }] });
  assert.equal(ctx.draft, null);
});

test('polygon tool: Enter and double-click close, not below 3 vertices', () => {
  const ctx = fakeContext();
  const tool: Tool = new PolygonTool(ctx);
  tool.onPointerDown(at(10, 10));
  tool.onPointerDown(at(50, 10));
  assert.equal(tool.onKeyDown('Enter'), true);
  assert.equal(ctx.commits.length, 0, 'two vertices are not a polygon');
  tool.onPointerDown(at(30, 40));
  tool.onKeyDown('Enter');
  assert.equal(ctx.commits.length, 1);

  const dbl = fakeContext();
  const other: Tool = new PolygonTool(dbl);
  triangle(other);
  other.onPointerDown(at(30, 40, { clickCount: 2 }));
  assert.deepEqual(onlyPut(dbl).geometry, { kind: 'polygon', polygons: [{ outer: [10, 10, 50, 10, 30, 40], holes: [] }] });
});

test('polygon tool: Backspace removes the last vertex; Esc cancels', () => {
  const ctx = fakeContext();
  const tool: Tool = new PolygonTool(ctx);
  triangle(tool);
  assert.equal(tool.onKeyDown('Backspace'), true);
  assert.deepEqual(ctx.draft?.kind === 'polygon' && ctx.draft.points, [10, 10, 50, 10]);
  tool.cancel();
  assert.equal(tool.state(), 'idle');
  assert.equal(ctx.draft, null);
  assert.equal(tool.onKeyDown('Backspace'), false, 'idle polygon tool leaves Backspace to the app');
  assert.equal(ctx.commits.length, 0);
});
