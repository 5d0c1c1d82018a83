// Connected-component labelling (run-based union-find) against a plain
// pixel-by-pixel flood fill: the same labels, numbered in the same order,
// on random masks of many shapes and densities, for both connectivities.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { type Connectivity, labelComponents } from '../../../engine/worker/binaryCrop.js';

/** The reference: flood each unlabelled pixel in row-major order. */
function floodLabels(pixels: Uint8Array, width: number, height: number, connectivity: Connectivity) {
  const labels = new Int32Array(width * height);
  const sizes = [0];
  let count = 0;
  for (let start = 0; start < pixels.length; start++) {
    if (!pixels[start] || labels[start]) continue;
    labels[start] = ++count;
    const queue = [start];
    let size = 0;
    while (queue.length) {
      const p = queue.pop()!;
      size++;
      const px = p % width;
      const py = Math.floor(p / width);
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          if ((dx === 0 && dy === 0) || (connectivity === 4 && dx !== 0 && dy !== 0)) continue;
          const nx = px + dx;
          const ny = py + dy;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
          const q = ny * width + nx;
          if (pixels[q] && !labels[q]) {
            labels[q] = count;
            queue.push(q);
          }
        }
      }
    }
    sizes.push(size);
  }
  return { labels, count, sizes };
}

/** Deterministic pseudo-random numbers in [0, 1). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('labelComponents', () => {
  it('joins diagonal neighbours under 8-connectivity only', () => {
    const diagonal = Uint8Array.from([1, 0, 0, 1]);
    assert.equal(labelComponents(diagonal, 2, 2, 8).count, 1);
    assert.equal(labelComponents(diagonal, 2, 2, 4).count, 2);
  });

  it('matches a flood fill on random masks (labels, their order, sizes), both connectivities', () => {
    const next = random(7);
    const shapes: [number, number][] = [
      [1, 1],
      [1, 17],
      [23, 1],
      [5, 5],
      [31, 19],
      [64, 64],
      [97, 41],
    ];
    let compared = 0;
    for (const [width, height] of shapes) {
      for (const density of [0.05, 0.3, 0.5, 0.7, 0.95]) {
        const pixels = new Uint8Array(width * height);
        for (let i = 0; i < pixels.length; i++) pixels[i] = next() < density ? 1 : 0;
        for (const connectivity of [4, 8] as const) {
          const got = labelComponents(pixels, width, height, connectivity);
          const want = floodLabels(pixels, width, height, connectivity);
          assert.equal(got.count, want.count, `${width}x${height} at ${density}, ${connectivity}-connected`);
          assert.deepEqual(got.sizes, want.sizes);
          assert.deepEqual(got.labels, want.labels);
          compared++;
        }
      }
    }
    assert.equal(compared, shapes.length * 5 * 2);
  });

  it('labels a spiral (one component that doubles back on every row) as one', () => {
    const n = 41;
    const pixels = new Uint8Array(n * n);
    // A square spiral of 1-pixel walls with 1-pixel gaps.
    let [x0, y0, x1, y1] = [0, 0, n - 1, n - 1];
    while (x0 <= x1 && y0 <= y1) {
      for (let x = x0; x <= x1; x++) pixels[y0 * n + x] = 1;
      for (let y = y0; y <= y1; y++) pixels[y * n + x1] = 1;
      if (y1 > y0) for (let x = x0; x <= x1; x++) pixels[y1 * n + x] = 1;
      if (x1 > x0 + 1) for (let y = y0 + 2; y <= y1; y++) pixels[y * n + x0] = 1;
      [x0, y0, x1, y1] = [x0 + 2, y0 + 2, x1 - 2, y1 - 2];
      if (x0 <= x1) pixels[y0 * n + x0 - 1] = 1;
    }
    const want = floodLabels(pixels, n, n, 4);
    const got = labelComponents(pixels, n, n, 4);
    assert.equal(got.count, want.count);
    assert.deepEqual(got.labels, want.labels);
  });
});
