import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { ClickPromptInput, ScribblePromptInput } from '../../../common/contract/index.js';
import type { Corners } from '../../../renderer/src/lib/corners.js';
import { type AiGestures, AiPromptTool } from '../../../renderer/src/tools/aiPromptTool.js';
import { at, fakeContext } from './fakeToolContext.js';

// The tool's keys (Esc, Enter, Tab, 1–9, Shift+1–4) are actions now: aiKeys.test.ts.

interface FakeGestures extends AiGestures {
  clicks: ClickPromptInput[];
  boxes: { box: Corners; final: boolean }[];
  boxCancels: number;
  strokes: (ScribblePromptInput | null)[];
  scribbles: ScribblePromptInput[];
  scribbling: boolean;
}

function fakeAi(): FakeGestures {
  const ai: FakeGestures = {
    clicks: [],
    boxes: [],
    boxCancels: 0,
    strokes: [],
    scribbles: [],
    scribbling: false,
    scribbleMode: () => ai.scribbling,
    addClick: (click) => void ai.clicks.push(click),
    dragBox: (box, final) => void ai.boxes.push({ box, final }),
    cancelBoxDrag: () => void ai.boxCancels++,
    showStroke: (stroke) => void ai.strokes.push(stroke),
    addScribble: (scribble) => void ai.scribbles.push(scribble),
  };
  return ai;
}

/** The tool on a 200 × 100 image, with a 6 px grab distance. */
const aiTool = (ai: FakeGestures) => new AiPromptTool(fakeContext([], { width: 200, height: 100 }), ai);

test('ai tool: a click is a positive point, Alt+click and right click negative ones', () => {
  const ctx = fakeAi();
  const tool = aiTool(ctx);
  tool.onPointerDown(at(40, 30));
  assert.equal(tool.state(), 'pressing');
  // Jitter below half the grab distance is still a click.
  tool.onPointerMove(at(41, 31));
  assert.equal(tool.state(), 'pressing');
  tool.onPointerUp(at(41, 31));
  assert.equal(tool.state(), 'idle');
  tool.onPointerDown(at(50, 20, { alt: true }));
  tool.onPointerUp(at(50, 20, { alt: true }));
  tool.onPointerDown(at(60, 25, { button: 2 }));
  tool.onPointerUp(at(60, 25, { button: 2 }));
  assert.deepEqual(ctx.clicks, [
    { x: 40, y: 30, positive: true },
    { x: 50, y: 20, positive: false },
    { x: 60, y: 25, positive: false },
  ]);
  assert.equal(ctx.boxes.length + ctx.scribbles.length, 0);
});

test('ai tool: clicks beside the image and middle-button presses are not prompts', () => {
  const ctx = fakeAi();
  const tool = aiTool(ctx);
  tool.onPointerDown(at(-5, 30));
  tool.onPointerUp(at(-5, 30));
  tool.onPointerDown(at(250, 30));
  tool.onPointerUp(at(250, 30));
  tool.onPointerDown(at(20, 30, { button: 1 }));
  assert.equal(tool.state(), 'idle');
  tool.onPointerUp(at(20, 30, { button: 1 }));
  assert.deepEqual(ctx.clicks, []);
});

test('ai tool: a drag is a box the candidate follows, clamped to the image, final on release', () => {
  const ctx = fakeAi();
  const tool = aiTool(ctx);
  tool.onPointerDown(at(150, 80));
  tool.onPointerMove(at(120, 60));
  assert.equal(tool.state(), 'boxing');
  tool.onPointerMove(at(100, 40));
  tool.onPointerMove(at(-20, 30));
  tool.onPointerUp(at(-20, 30));
  assert.equal(tool.state(), 'idle');
  assert.deepEqual(ctx.boxes, [
    { box: [120, 60, 150, 80], final: false },
    { box: [100, 40, 150, 80], final: false },
    { box: [0, 30, 150, 80], final: false },
    { box: [0, 30, 150, 80], final: true },
  ]);
  assert.deepEqual(ctx.clicks, []);
});

test('ai tool: a box dragged back to nothing, or cancelled, restores the previous box', () => {
  const ctx = fakeAi();
  const tool = aiTool(ctx);
  tool.onPointerDown(at(50, 50));
  tool.onPointerMove(at(70, 70));
  tool.onPointerUp(at(50.4, 50.2));
  assert.equal(ctx.boxCancels, 1);
  assert.equal(ctx.boxes.filter((b) => b.final).length, 0);

  tool.onPointerDown(at(50, 50));
  tool.onPointerMove(at(70, 70));
  tool.cancel(); // Esc during a drag (the app's cancel; aiKeys.test.ts presses the key)
  assert.equal(tool.state(), 'idle');
  assert.equal(ctx.boxCancels, 2);
  tool.onPointerUp(at(70, 70));
  assert.equal(ctx.boxes.filter((b) => b.final).length, 0);
});

test('ai tool: Shift+drag, scribble mode and right-drag draw scribbles; Alt makes them negative', () => {
  const ctx = fakeAi();
  const tool = aiTool(ctx);
  tool.onPointerDown(at(10, 10, { shift: true }));
  tool.onPointerMove(at(20, 10));
  assert.equal(tool.state(), 'scribbling');
  tool.onPointerMove(at(20.5, 10)); // under a pixel: dropped
  tool.onPointerMove(at(30, 15));
  tool.onPointerMove(at(400, 15)); // clamped into the image
  assert.deepEqual(ctx.strokes.at(-1), {
    points: [
      [10, 10],
      [20, 10],
      [30, 15],
      [199, 15],
    ],
    positive: true,
  });
  tool.onPointerUp(at(400, 15));
  assert.equal(ctx.strokes.at(-1), null, 'the live stroke is cleared');
  assert.deepEqual(ctx.scribbles[0], {
    points: [
      [10, 10],
      [20, 10],
      [30, 15],
      [199, 15],
    ],
    positive: true,
  });

  tool.onPointerDown(at(10, 50, { shift: true, alt: true }));
  tool.onPointerMove(at(30, 50));
  tool.onPointerUp(at(30, 50));
  ctx.scribbling = true;
  tool.onPointerDown(at(10, 60));
  tool.onPointerMove(at(30, 60));
  tool.onPointerUp(at(30, 60));
  ctx.scribbling = false;
  tool.onPointerDown(at(10, 70, { button: 2 }));
  tool.onPointerMove(at(30, 70));
  tool.onPointerUp(at(30, 70));
  assert.deepEqual(
    ctx.scribbles.map((s) => s.positive),
    [true, false, true, false],
  );
  assert.equal(ctx.boxes.length, 0);
});
