import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  actualSizeView,
  fitView,
  imageToScreen,
  MAX_SCALE,
  screenToImage,
  wheelZoomFactor,
  zoomAround,
} from '../../../renderer/src/lib/viewTransform.js';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} ≈ ${b}`);

test('zooming keeps the image point under the cursor fixed', () => {
  const view = { scale: 0.5, offsetX: 40, offsetY: -10 };
  const before = screenToImage(view, 300, 200);
  const zoomed = zoomAround(view, 2.5, 300, 200);
  close(zoomed.scale, 1.25);
  const after = imageToScreen(zoomed, before.x, before.y);
  close(after.x, 300);
  close(after.y, 200);
});

test('zoom is clamped', () => {
  assert.equal(zoomAround({ scale: 60, offsetX: 0, offsetY: 0 }, 10, 0, 0).scale, MAX_SCALE);
});

test('screen and image coordinates are inverse', () => {
  const view = { scale: 3, offsetX: 12, offsetY: 7 };
  const p = imageToScreen(view, 10, 20);
  assert.deepEqual(p, { x: 42, y: 67 });
  assert.deepEqual(screenToImage(view, p.x, p.y), { x: 10, y: 20 });
});

test('fit shows the whole image centred; 1:1 centres at scale 1', () => {
  const fit = fitView({ width: 8000, height: 6000 }, { width: 1032, height: 632 });
  close(fit.scale, 0.1);
  assert.equal(fit.offsetX, 116);
  assert.equal(fit.offsetY, 16);
  assert.deepEqual(actualSizeView({ width: 100, height: 50 }, { width: 300, height: 150 }), { scale: 1, offsetX: 100, offsetY: 50 });
});

test('wheel up zooms in, down zooms out, symmetric', () => {
  assert.ok(wheelZoomFactor(-100) > 1);
  close(wheelZoomFactor(-100) * wheelZoomFactor(100), 1);
});
