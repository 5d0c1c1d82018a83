import assert from 'node:assert/strict';
import { test } from 'node:test';

import { BoxTool } from '../../../renderer/src/tools/boxTool.js';
import type { Tool } from '../../../renderer/src/tools/toolTypes.js';
import { at, fakeContext, onlyPut } from './fakeToolContext.js';

test('box tool: idle → pointing → drawing → commit on release', () => {
  const ctx = fakeContext();
  const tool: Tool = new BoxTool(ctx);
  assert.equal(tool.state(), 'idle');
  tool.onPointerDown(at(30, 20));
  assert.equal(tool.state(), 'pointing');
  tool.onPointerMove(at(10, 50));
  assert.equal(tool.state(), 'drawing');
  assert.deepEqual(ctx.draft, { kind: 'box', box: { x: 10, y: 20, w: 20, h: 30 } });
  assert.equal(ctx.commits.length, 0, 'nothing is committed while dragging');
  tool.onPointerUp(at(10, 50));
  assert.equal(tool.state(), 'idle');
  assert.equal(ctx.draft, null);
  const created = onlyPut(ctx);
  assert.deepEqual(created.geometry, { kind: 'box', box: { x: 10, y: 20, w: 20, h: 30 } });
  assert.equal(created.labelId, 'active');
  assert.deepEqual(ctx.selected, [created.id]);
});

test('box tool: clamps to the image and ignores stray clicks', () => {
  const ctx = fakeContext();
  const tool: Tool = new BoxTool(ctx);
  tool.onPointerDown(at(90, 70));
  tool.onPointerUp(at(150, 120));
  assert.deepEqual(onlyPut(ctx).geometry, { kind: 'box', box: { x: 90, y: 70, w: 10, h: 10 } });

  const click = fakeContext();
  const clicked: Tool = new BoxTool(click);
  clicked.onPointerDown(at(5, 5));
  clicked.onPointerUp(at(5.5, 5));
  assert.equal(click.commits.length, 0);
});

test('box tool: cancel drops the drag', () => {
  const ctx = fakeContext();
  const tool: Tool = new BoxTool(ctx);
  tool.onPointerDown(at(1, 1));
  tool.onPointerMove(at(40, 40));
  tool.cancel();
  assert.equal(tool.state(), 'idle');
  assert.equal(ctx.draft, null);
  tool.onPointerUp(at(40, 40));
  assert.equal(ctx.commits.length, 0);
});
