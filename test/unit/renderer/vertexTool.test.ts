import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Tool } from '../../../renderer/src/tools/toolTypes.js';
import { VertexTool } from '../../../renderer/src/tools/vertexTool.js';
import { annotation, at, fakeContext, onlyPut } from './fakeToolContext.js';

const square = () => annotation('s', { kind: 'polygon', polygons: [{ outer: [10, 10, 50, 10, 50, 50, 10, 50], holes: [] }] });
const outer = (ctx: ReturnType<typeof fakeContext>) => {
  const g = onlyPut(ctx).geometry;
  return g.kind === 'polygon' ? g.polygons[0]!.outer : [];
};

test('vertex tool: dragging a vertex is one commit', () => {
  const ctx = fakeContext([square()]);
  const tool: Tool = new VertexTool(ctx);
  tool.onPointerDown(at(51, 49));
  assert.equal(tool.state(), 'dragging');
  tool.onPointerMove(at(60, 55));
  tool.onPointerMove(at(70, 60));
  assert.equal(ctx.previews?.get('s')?.kind, 'geometry');
  assert.equal(ctx.commits.length, 0);
  tool.onPointerUp(at(70, 60));
  assert.deepEqual(outer(ctx), [10, 10, 50, 10, 70, 60, 10, 50]);
  assert.equal(ctx.previews, null);
});

test('vertex tool: pressing an edge inserts a vertex', () => {
  const ctx = fakeContext([square()]);
  const tool: Tool = new VertexTool(ctx);
  tool.onPointerDown(at(30, 11));
  tool.onPointerUp(at(30, 11));
  assert.deepEqual(outer(ctx), [10, 10, 30, 10, 50, 10, 50, 50, 10, 50]);
});

test('vertex tool: Alt+click and right-click delete a vertex, never below 3', () => {
  const ctx = fakeContext([square()]);
  const tool: Tool = new VertexTool(ctx);
  tool.onPointerDown(at(10, 10, { alt: true }));
  assert.deepEqual(outer(ctx), [50, 10, 50, 50, 10, 50]);

  const triangle = annotation('t', { kind: 'polygon', polygons: [{ outer: [10, 10, 50, 10, 30, 40], holes: [] }] });
  const small = fakeContext([triangle]);
  new VertexTool(small).onPointerDown(at(30, 40, { button: 2 }));
  assert.equal(small.commits.length, 0);
});

test('vertex tool: cancel restores the shape', () => {
  const ctx = fakeContext([square()]);
  const tool: Tool = new VertexTool(ctx);
  tool.onPointerDown(at(10, 10));
  tool.onPointerMove(at(0, 0));
  tool.cancel();
  assert.equal(tool.state(), 'idle');
  assert.equal(ctx.previews, null);
  tool.onPointerUp(at(0, 0));
  assert.equal(ctx.commits.length, 0);
});
