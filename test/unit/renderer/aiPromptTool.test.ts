import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClickPromptInput, ScribblePromptInput } from '../../../common/contract/index.js';
import type { Corners } from '../../../renderer/src/lib/corners.js';
import { AiPromptTool, type AiToolContext } from '../../../renderer/src/tools/aiPromptTool.js';
import { at } from './fakeToolContext.js';

interface FakeAiContext extends AiToolContext {
  clicks: ClickPromptInput[];
  boxes: { box: Corners; final: boolean }[];
  boxCancels: number;
  strokes: (ScribblePromptInput | null)[];
  scribbles: ScribblePromptInput[];
  candidates: number;
  work: boolean;
  scribbling: boolean;
  accepted: number;
  discarded: number;
  cycled: number[];
  hotkeys: string[];
  /** Whether the provider offers scribble regions; chosen ones are recorded. */
  regionsOffered: boolean;
  regions: number[];
}

function fakeAi(size = { width: 200, height: 100 }): FakeAiContext {
  const ctx: FakeAiContext = {
    clicks: [],
    boxes: [],
    boxCancels: 0,
    strokes: [],
    scribbles: [],
    candidates: 0,
    work: false,
    scribbling: false,
    accepted: 0,
    discarded: 0,
    cycled: [],
    hotkeys: [],
    regionsOffered: false,
    regions: [],
    imageSize: () => size,
    hitTolerance: () => 6,
    scribbleMode: () => ctx.scribbling,
    addClick: (click) => void ctx.clicks.push(click),
    dragBox: (box, final) => void ctx.boxes.push({ box, final }),
    cancelBoxDrag: () => void ctx.boxCancels++,
    showStroke: (stroke) => void ctx.strokes.push(stroke),
    addScribble: (scribble) => void ctx.scribbles.push(scribble),
    hasWork: () => ctx.work,
    candidateCount: () => ctx.candidates,
    accept: () => void ctx.accepted++,
    discard: () => void ctx.discarded++,
    cycleCandidate: (delta) => void ctx.cycled.push(delta),
    chooseLabelByHotkey: (digit) => {
      ctx.hotkeys.push(digit);
      return digit === '2';
    },
    selectRegion: (region) => {
      if (!ctx.regionsOffered) return false;
      ctx.regions.push(region);
      return true;
    },
  };
  return ctx;
}

test('ai tool: a click is a positive point, Alt+click and right click negative ones', () => {
  const ctx = fakeAi();
  const tool = new AiPromptTool(ctx);
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
  const tool = new AiPromptTool(ctx);
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
  const tool = new AiPromptTool(ctx);
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

test('ai tool: a box dragged back to nothing, or cancelled with Esc, restores the previous box', () => {
  const ctx = fakeAi();
  const tool = new AiPromptTool(ctx);
  tool.onPointerDown(at(50, 50));
  tool.onPointerMove(at(70, 70));
  tool.onPointerUp(at(50.4, 50.2));
  assert.equal(ctx.boxCancels, 1);
  assert.equal(ctx.boxes.filter((b) => b.final).length, 0);

  tool.onPointerDown(at(50, 50));
  tool.onPointerMove(at(70, 70));
  assert.equal(tool.onKeyDown('Escape'), true, 'Esc during a drag cancels the drag');
  assert.equal(tool.state(), 'idle');
  assert.equal(ctx.boxCancels, 2);
  assert.equal(ctx.discarded, 0, 'cancelling a drag keeps the prompts');
  tool.onPointerUp(at(70, 70));
  assert.equal(ctx.boxes.filter((b) => b.final).length, 0);
});

test('ai tool: Shift+drag, scribble mode and right-drag draw scribbles; Alt makes them negative', () => {
  const ctx = fakeAi();
  const tool = new AiPromptTool(ctx);
  tool.onPointerDown(at(10, 10, { shift: true }));
  tool.onPointerMove(at(20, 10));
  assert.equal(tool.state(), 'scribbling');
  tool.onPointerMove(at(20.5, 10)); // under a pixel: dropped
  tool.onPointerMove(at(30, 15));
  tool.onPointerMove(at(400, 15)); // clamped into the image
  assert.deepEqual(ctx.strokes.at(-1), { points: [[10, 10], [20, 10], [30, 15], [199, 15]], positive: true });
  tool.onPointerUp(at(400, 15));
  assert.equal(ctx.strokes.at(-1), null, 'the live stroke is cleared');
  assert.deepEqual(ctx.scribbles[0], { points: [[10, 10], [20, 10], [30, 15], [199, 15]], positive: true });

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

test('ai tool: Esc drops the prompts only when there are some, otherwise it is left to the app', () => {
  const ctx = fakeAi();
  const tool = new AiPromptTool(ctx);
  assert.equal(tool.onKeyDown('Escape'), false);
  ctx.work = true;
  assert.equal(tool.onKeyDown('Escape'), true);
  assert.equal(ctx.discarded, 1);
});

test('ai tool: Enter, Tab, Shift+Tab and label digits act on candidates only when there are some', () => {
  const ctx = fakeAi();
  const tool = new AiPromptTool(ctx);
  assert.equal(tool.onKeyDown('Enter'), false);
  assert.equal(tool.onKeyDown('Tab', { shift: false, code: 'Tab' }), false);
  assert.equal(tool.onKeyDown('2', { shift: false, code: 'Digit2' }), false);
  ctx.candidates = 3;
  assert.equal(tool.onKeyDown('Tab', { shift: false, code: 'Tab' }), true);
  assert.equal(tool.onKeyDown('Tab', { shift: true, code: 'Tab' }), true);
  assert.deepEqual(ctx.cycled, [1, -1]);
  // The physical key decides (AZERTY types 'é' on Digit2).
  assert.equal(tool.onKeyDown('é', { shift: false, code: 'Digit2' }), true);
  assert.equal(tool.onKeyDown('5', { shift: false, code: 'Digit5' }), false, 'no label has that hotkey');
  assert.deepEqual(ctx.hotkeys, ['2', '5']);
  assert.equal(tool.onKeyDown('Enter'), true);
  assert.equal(ctx.accepted, 1);
  assert.equal(tool.onKeyDown('x'), false);
});

test('ai tool: keys wait while a gesture is in progress', () => {
  const ctx = fakeAi();
  ctx.candidates = 2;
  const tool = new AiPromptTool(ctx);
  tool.onPointerDown(at(50, 50));
  tool.onPointerMove(at(80, 80));
  assert.equal(tool.onKeyDown('Enter'), false);
  assert.equal(ctx.accepted, 0);
  tool.cancel();
  assert.equal(tool.state(), 'idle');
});

test('ai tool: Shift+1–4 choose the scribble region when the provider has regions, by physical key; otherwise they stay label keys', () => {
  const ctx = fakeAi();
  const tool = new AiPromptTool(ctx);
  ctx.candidates = 2;
  // No regions: Shift+2 is the label key it always was.
  assert.equal(tool.onKeyDown('@', { shift: true, code: 'Digit2' }), true);
  assert.deepEqual(ctx.hotkeys, ['2']);
  assert.deepEqual(ctx.regions, []);

  ctx.regionsOffered = true;
  assert.equal(tool.onKeyDown('!', { shift: true, code: 'Digit1' }), true);
  assert.equal(tool.onKeyDown('$', { shift: true, code: 'Digit4' }), true);
  assert.deepEqual(ctx.regions, [0, 3]);
  assert.deepEqual(ctx.hotkeys, ['2'], 'a region key is not also a label key');
  // Shift+5 is no region; plain digits are labels even with regions offered.
  assert.equal(tool.onKeyDown('%', { shift: true, code: 'Digit5' }), false);
  assert.equal(tool.onKeyDown('2', { shift: false, code: 'Digit2' }), true);
  assert.deepEqual(ctx.regions, [0, 3]);
  assert.deepEqual(ctx.hotkeys, ['2', '5', '2']);
  // Regions can be chosen before any candidate exists (before the first scribble).
  ctx.candidates = 0;
  assert.equal(tool.onKeyDown('#', { shift: true, code: 'Digit3' }), true);
  assert.deepEqual(ctx.regions, [0, 3, 2]);
});
