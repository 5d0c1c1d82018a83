// Live-wire (intelligent scissors) on generated images whose edges are known:
// the path must run on a disc's rim and down a straight step, stay straight on
// flat ground, keep inside its window; and the polygon tool must use it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { rasterisePolygons } from '../../../common/geometry/polygon.js';
import { simplifyPolyline } from '../../../common/geometry/polygon.js';
import { computeEdgeCostMap } from '../../../renderer/src/tools/liveWire/edgeCost.js';
import {
  channelsFor,
  createPixelImage,
  greyOnly,
  type PixelImage,
  PixelImageCache,
  rgbaToGrey,
  rgbaToRgb,
} from '../../../renderer/src/tools/liveWire/imagePixels.js';
import { chooseWindow, LiveWire, type Point, sampleWindow } from '../../../renderer/src/tools/liveWire/liveWire.js';
import { IndexedMinHeap, shortestPathTree, tracePath } from '../../../renderer/src/tools/liveWire/shortestPath.js';
import { PolygonTool } from '../../../renderer/src/tools/polygonTool.js';
import { at, fakeContext, onlyPut } from './fakeToolContext.js';

/** A deterministic pseudo-random sequence in [0, 1) (LCG), so noisy images are the same every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** An image from a shape (the fraction of each pixel inside it, samples × samples per pixel): anti-aliased like a photograph. */
function renderImage(
  width: number,
  height: number,
  inside: (x: number, y: number) => boolean,
  options: { fg?: number; bg?: number; noise?: number; seed?: number; samples?: number } = {},
): PixelImage {
  const { fg = 200, bg = 40, noise = 0, seed = 1, samples = 4 } = options;
  const next = random(seed);
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let covered = 0;
      for (let sy = 0; sy < samples; sy++)
        for (let sx = 0; sx < samples; sx++) if (inside(x + (sx + 0.5) / samples, y + (sy + 0.5) / samples)) covered++;
      const value = bg + ((fg - bg) * covered) / (samples * samples) + (next() - 0.5) * 2 * noise;
      data[y * width + x] = Math.max(0, Math.min(255, Math.round(value)));
    }
  }
  return createPixelImage(width, height, 1, data);
}

const DISC = { cx: 97.3, cy: 81.6, r: 55 };
const discImage = (noise = 0) => renderImage(200, 160, (x, y) => Math.hypot(x - DISC.cx, y - DISC.cy) < DISC.r, { noise });
const onRim = (degrees: number): Point => ({
  x: DISC.cx + DISC.r * Math.cos((degrees * Math.PI) / 180),
  y: DISC.cy + DISC.r * Math.sin((degrees * Math.PI) / 180),
});

function pointsOf(flat: readonly number[]): Point[] {
  const out: Point[] = [];
  for (let i = 0; i < flat.length; i += 2) out.push({ x: flat[i]!, y: flat[i + 1]! });
  return out;
}

const rimDistance = (p: Point) => Math.abs(Math.hypot(p.x - DISC.cx, p.y - DISC.cy) - DISC.r);

function iou(a: Uint8Array, b: Uint8Array): number {
  let both = 0;
  let either = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] && b[i]) both++;
    if (a[i] || b[i]) either++;
  }
  return either === 0 ? 1 : both / either;
}

function discMask(width: number, height: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) mask[y * width + x] = Math.hypot(x + 0.5 - DISC.cx, y + 0.5 - DISC.cy) < DISC.r ? 1 : 0;
  return mask;
}

describe('live-wire paths', () => {
  it('runs along the rim of a bright disc between two rim points', () => {
    for (const noise of [0, 12]) {
      const wire = new LiveWire(discImage(noise));
      for (const [from, to] of [
        [0, 100],
        [100, 210],
        [210, 300],
        [300, 360],
        [170, 20], // the shorter arc, through 95°
      ] as const) {
        const path = pointsOf(wire.path(onRim(from), onRim(to)));
        const worst = Math.max(...path.map(rimDistance));
        const middle = onRim(from < to ? (from + to) / 2 : 95);
        assert.ok(
          path.some((p) => Math.hypot(p.x - middle.x, p.y - middle.y) <= 2),
          `${from}° → ${to}° passes the middle of the shorter arc`,
        );
        assert.ok(path.length > 20, `a rim path from ${from}° to ${to}° has ${path.length} points`);
        assert.ok(worst <= 1.5, `noise ${noise}, ${from}° → ${to}°: a point is ${worst.toFixed(2)} px off the rim`);
      }
    }
  });

  it('follows an edge between two colours of the same brightness, which grey levels alone do not show', () => {
    // Red on green, both BT.601 luma 102: the grey picture of this disc is flat.
    const red = [200, 60, 60] as const;
    const green = [40, 142, 60] as const;
    const luma = ([r, g, b]: readonly number[]) => Math.round((77 * r! + 150 * g! + 29 * b!) / 256);
    assert.equal(luma(red), luma(green));
    const coverage = renderImage(200, 160, (x, y) => Math.hypot(x - DISC.cx, y - DISC.cy) < DISC.r, { fg: 255, bg: 0, noise: 0 });
    const next = random(3);
    const rgb = new Uint8Array(200 * 160 * 3);
    for (let i = 0; i < 200 * 160; i++) {
      const share = coverage.data[i]! / 255;
      for (let c = 0; c < 3; c++)
        rgb[3 * i + c] = Math.max(0, Math.min(255, Math.round(green[c]! + (red[c]! - green[c]!) * share + (next() - 0.5) * 8)));
    }
    const colour = createPixelImage(200, 160, 3, rgb);
    const greyLevels = createPixelImage(
      200,
      160,
      1,
      Uint8Array.from({ length: 200 * 160 }, (_, i) => luma([rgb[3 * i]!, rgb[3 * i + 1]!, rgb[3 * i + 2]!])),
    );
    const [from, to] = [onRim(20), onRim(110)];
    const onColour = pointsOf(new LiveWire(colour).path(from, to));
    const worst = Math.max(...onColour.map(rimDistance));
    assert.ok(worst <= 1.5, `colour: a point is ${worst.toFixed(2)} px off the rim`);
    // The same picture as grey levels: no edge to follow, so the wire cuts across the arc.
    const onGrey = pointsOf(new LiveWire(greyLevels).path(from, to));
    const greyWorst = Math.max(...onGrey.map(rimDistance));
    assert.ok(greyWorst > 10, `grey: the wire strays ${greyWorst.toFixed(2)} px from the rim`);
  });

  it('follows a straight vertical step, and snaps onto it from seeds placed beside it', () => {
    // Dark left, bright right; the edge is the line x = 60.
    const image = renderImage(120, 160, (x) => x >= 60, { noise: 6 });
    const wire = new LiveWire(image);
    const onEdge = pointsOf(wire.path({ x: 60, y: 10 }, { x: 60, y: 150 }));
    assert.ok(
      onEdge.every((p) => Math.abs(p.x - 60) <= 1),
      `every point within 1 px of x = 60: ${onEdge.map((p) => p.x).join(',')}`,
    );
    const simplified = pointsOf(
      simplifyPolyline(
        onEdge.flatMap((p) => [p.x, p.y]),
        1,
      ),
    );
    assert.ok(simplified.length <= 3, `a straight edge simplifies to a straight path, got ${simplified.length} vertices`);

    // Seeds 5 px to the left: a straight line would stay at x = 55, the wire goes over to the step.
    const beside = pointsOf(wire.path({ x: 55, y: 10 }, { x: 55, y: 150 }));
    const onStep = beside.filter((p) => Math.abs(p.x - 60) <= 1).length;
    assert.ok(onStep / beside.length >= 0.85, `${onStep} of ${beside.length} points on the step`);
  });

  it('draws a straight line on a flat image', () => {
    const flat = createPixelImage(300, 200, 1, new Uint8Array(300 * 200).fill(128));
    const wire = new LiveWire(flat);
    for (const [from, to] of [
      [
        { x: 10.5, y: 10.5 },
        { x: 250.5, y: 110.5 },
      ],
      [
        { x: 280, y: 20 },
        { x: 30, y: 180 },
      ],
      [
        { x: 150, y: 20 },
        { x: 153, y: 190 },
      ],
    ] as const) {
      const path = pointsOf(wire.path(from, to));
      const dx = to.x - from.x;
      const dy = to.y - from.y;
      const length = Math.hypot(dx, dy);
      const worst = Math.max(...path.map((p) => Math.abs((p.x - from.x) * dy - (p.y - from.y) * dx) / length));
      // A digital straight line: every pixel centre within about half a pixel of the exact segment.
      assert.ok(worst <= 0.75, `worst distance from the straight line is ${worst.toFixed(2)} px`);
      assert.ok(
        simplifyPolyline(
          path.flatMap((p) => [p.x, p.y]),
          1,
        ).length === 4,
        'it simplifies to its two ends',
      );
    }
  });

  it('starts exactly at the seed and ends exactly at the target, clamped into the image', () => {
    const wire = new LiveWire(discImage());
    const path = wire.path({ x: 12.25, y: 7.75 }, { x: 230, y: -4 });
    assert.deepEqual(path.slice(0, 2), [12.25, 7.75]);
    assert.deepEqual(path.slice(-2), [200, 0]);
    const same = wire.path({ x: 40.2, y: 40.7 }, { x: 40.6, y: 40.1 });
    assert.deepEqual(same, [40.2, 40.7, 40.6, 40.1], 'two points in one cell are joined directly');
    assert.throws(() => wire.path({ x: Number.NaN, y: 1 }, { x: 2, y: 2 }), /finite/);
  });

  it('keeps to its window: at most 512 cells a side, downscaled on a big image, inside the image', () => {
    const width = 3000;
    const height = 2000;
    const big = renderImage(width, height, (x, y) => Math.hypot(x - 1500, y - 1000) < 800, { noise: 4, samples: 1 });
    const wire = new LiveWire(big);
    const seed = { x: 700, y: 1000 };
    const target = { x: 1500, y: 200 };
    const path = pointsOf(wire.path(seed, target));
    const window = wire.window!;
    assert.ok(window.factor > 1, `an 800 px segment is worked downscaled (factor ${window.factor})`);
    assert.ok(window.cols <= 512 && window.rows <= 512, `working grid ${window.cols} × ${window.rows}`);
    assert.ok(window.x0 >= 0 && window.y0 >= 0 && window.x0 + window.width <= width && window.y0 + window.height <= height);
    for (const p of path) {
      assert.ok(
        p.x >= window.x0 && p.x <= window.x0 + window.width && p.y >= window.y0 && p.y <= window.y0 + window.height,
        `(${p.x}, ${p.y}) is outside the window`,
      );
    }
    // Downscaled, the rim is still found to within a working cell.
    const worst = Math.max(...path.map((p) => Math.abs(Math.hypot(p.x - 1500, p.y - 1000) - 800)));
    assert.ok(worst <= window.factor * 1.5, `worst ${worst.toFixed(1)} px off the rim at factor ${window.factor}`);

    // At the image's corner the window is cut by the image, not shifted.
    const corner = chooseWindow({ x: 3, y: 5 }, { x: 40, y: 20 }, width, height);
    assert.equal(corner.x0, 0);
    assert.equal(corner.y0, 0);
    assert.equal(corner.factor, 1);
  });

  it('reuses the seed tree while the cursor stays in the window, and searches again when it leaves or the seed moves', () => {
    const wire = new LiveWire(discImage());
    wire.path(onRim(0), onRim(40));
    assert.equal(wire.stats.searches, 1);
    wire.path(onRim(0), onRim(35));
    wire.path(onRim(0), onRim(30));
    assert.equal(wire.stats.searches, 1, 'moves inside the window walk the same tree');
    wire.path(onRim(0), onRim(180));
    assert.equal(wire.stats.searches, 2, 'the far side of the disc is outside the first window');
    wire.path(onRim(90), onRim(100));
    assert.equal(wire.stats.searches, 3, 'a new vertex is a new seed');
    // Back to the first window: its cost map is cached.
    const built = wire.stats.costMapsBuilt;
    wire.path(onRim(0), onRim(40));
    assert.equal(wire.stats.costMapsBuilt, built);
  });

  it('prints the time of a 512 × 512 window (edge costs and the whole tree)', (t) => {
    const image = renderImage(1024, 1024, (x, y) => Math.hypot(x - 512, y - 512) < 300, { noise: 10, samples: 1 });
    const wire = new LiveWire(image, { minMargin: 0, marginFraction: 0 });
    const start = performance.now();
    const path = wire.path({ x: 256, y: 256 }, { x: 768, y: 768 });
    const elapsed = performance.now() - start;
    assert.equal(wire.window?.cols, 512);
    assert.equal(wire.window?.rows, 512);
    const moveStart = performance.now();
    wire.path({ x: 256, y: 256 }, { x: 700, y: 760 });
    const moveElapsed = performance.now() - moveStart;
    t.diagnostic(
      `512 × 512 window: ${elapsed.toFixed(0)} ms for cost map + shortest-path tree (${path.length / 2} path points); a cursor move in the same window: ${moveElapsed.toFixed(1)} ms`,
    );
  });
});

describe('live-wire parts', () => {
  it('edge costs: low on a step, flat elsewhere; zero-crossings only on the step', () => {
    const cols = 40;
    const rows = 10;
    const data = new Float32Array(cols * rows);
    for (let i = 0; i < data.length; i++) data[i] = i % cols >= 20 ? 200 : 50;
    const map = computeEdgeCostMap({ cols, rows, planes: [data] });
    const row = 5 * cols;
    const cheapest = [...map.gradientCost.subarray(row, row + cols)].reduce(
      (best, cost, col) => (cost < map.gradientCost[row + best]! ? col : best),
      0,
    );
    assert.ok(cheapest === 19 || cheapest === 20, `strongest gradient at column ${cheapest}`);
    assert.equal(map.gradientCost[row + 2], 1, 'flat ground has the full gradient cost');
    const crossings = [...map.zeroCrossingCost.subarray(row, row + cols)].flatMap((cost, col) => (cost === 0 ? [col] : []));
    assert.ok(crossings.length >= 1 && crossings.every((col) => col === 19 || col === 20), `zero-crossings at ${crossings.join(',')}`);

    const flat = computeEdgeCostMap({ cols: 8, rows: 8, planes: [new Float32Array(64).fill(90)] });
    assert.ok(flat.gradientCost.every((c) => c === 1) && flat.zeroCrossingCost.every((c) => c === 1));
    assert.throws(() => computeEdgeCostMap({ cols: 4, rows: 4, planes: [new Float32Array(16), new Float32Array(15)] }), /needs 16 values/);
    assert.throws(() => computeEdgeCostMap({ cols: 4, rows: 4, planes: [] }), /At least one plane/);
  });

  it('the heap pops keys in order, with keys lowered while inside', () => {
    const next = random(7);
    const keys = new Float64Array(500).map(() => next() * 1000);
    const heap = new IndexedMinHeap(keys);
    for (let i = 0; i < keys.length; i++) heap.pushOrDecrease(i);
    for (let i = 0; i < keys.length; i += 3) {
      keys[i] = keys[i]! / 10;
      heap.pushOrDecrease(i);
    }
    const popped: number[] = [];
    while (heap.size > 0) popped.push(keys[heap.pop()]!);
    assert.equal(popped.length, keys.length);
    assert.deepEqual(
      popped,
      [...popped].sort((a, b) => a - b),
    );
    assert.equal(heap.pop(), -1);
  });

  it('Dijkstra takes a cheap detour over a short expensive way', () => {
    // A wall of cost 100 across column 5, except a gap at row 8.
    const cols = 11;
    const rows = 10;
    const tree = shortestPathTree(cols, rows, 2 * cols + 1, (_p, q) => (q % cols === 5 && Math.floor(q / cols) !== 8 ? 100 : 1));
    const cells = tracePath(tree, 2 * cols + 9).map((c) => [c % cols, Math.floor(c / cols)] as const);
    assert.ok(
      cells.some(([col, row]) => col === 5 && row === 8),
      'it goes through the gap',
    );
    assert.ok(
      cells.every(([col, row]) => col !== 5 || row === 8),
      'it never crosses the wall',
    );
    assert.throws(() => shortestPathTree(cols, rows, cols * rows, () => 1), /outside/);
    assert.throws(() => shortestPathTree(3, 3, 0, () => -1), /non-negative/);
  });

  it('simplifies an open path: both ends kept, points within the tolerance dropped', () => {
    assert.deepEqual(simplifyPolyline([0, 0, 1, 0.4, 2, 0, 3, -0.4, 4, 0], 1), [0, 0, 4, 0]);
    assert.deepEqual(simplifyPolyline([0, 0, 5, 5, 10, 0], 1), [0, 0, 5, 5, 10, 0]);
    assert.deepEqual(simplifyPolyline([1, 2], 1), [1, 2]);
    assert.throws(() => simplifyPolyline([1, 2, 3], 1), /even/);
  });

  it('samples a window by block means', () => {
    const values = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150];
    const image = createPixelImage(4, 4, 1, Uint8Array.from(values));
    const planes = (of: PixelImage, window: Parameters<typeof sampleWindow>[1]) => sampleWindow(of, window).map((plane) => [...plane]);
    assert.deepEqual(planes(image, { x0: 0, y0: 0, width: 4, height: 4, factor: 2, cols: 2, rows: 2 }), [[25, 45, 105, 125]]);
    assert.deepEqual(planes(image, { x0: 1, y0: 1, width: 3, height: 3, factor: 2, cols: 2, rows: 2 }), [[75, 90, 135, 150]]);
    assert.throws(() => sampleWindow(image, { x0: 2, y0: 0, width: 4, height: 4, factor: 1, cols: 4, rows: 4 }), /outside/);
    // RGB: one plane per channel (here green = 2 × red, blue = 255 − red).
    const rgb = createPixelImage(4, 4, 3, Uint8Array.from(values.flatMap((v) => [v, 2 * v > 255 ? 255 : 2 * v, 255 - v])));
    assert.deepEqual(planes(rgb, { x0: 0, y0: 0, width: 4, height: 4, factor: 2, cols: 2, rows: 2 }), [
      [25, 45, 105, 125],
      [50, 90, 208.75, 232.5],
      [230, 210, 150, 130],
    ]);
  });

  it('pixels: RGB kept, grey images as one channel; the cache loads once, answers null until ready, reports a failure once', async () => {
    const rgb = new Uint8Array(6);
    assert.equal(rgbaToRgb([255, 0, 0, 255, 9, 9, 9, 255], 2, rgb), false);
    assert.deepEqual([...rgb], [255, 0, 0, 9, 9, 9]);
    const greyRgb = new Uint8Array(6);
    assert.equal(rgbaToRgb([7, 7, 7, 255, 200, 200, 200, 0], 2, greyRgb), true);
    assert.deepEqual(greyOnly(createPixelImage(2, 1, 3, greyRgb)), createPixelImage(2, 1, 1, Uint8Array.from([7, 200])));
    assert.throws(() => createPixelImage(2, 2, 1, new Uint8Array(3)), /needs 4 bytes/);
    assert.throws(() => createPixelImage(2, 2, 3, new Uint8Array(4)), /needs 12 bytes/);
    assert.throws(() => rgbaToRgb([1, 2, 3, 4], 1, new Uint8Array(3), 1), /cannot take/);
    // Very large images stay grey (BT.601 luma), so two cached images stay within bounds.
    const luma = new Uint8Array(3);
    rgbaToGrey([255, 0, 0, 255, 0, 255, 0, 255, 255, 255, 255, 255], 3, luma);
    assert.deepEqual([...luma], [76, 149, 255]);
    assert.equal(channelsFor(4000, 3000), 3);
    assert.equal(channelsFor(8000, 6000), 1);

    const cache = new PixelImageCache(2);
    const settled: (string | null)[] = [];
    const report = (error: string | null) => void settled.push(error);
    let loads = 0;
    const image = createPixelImage(1, 1, 1, new Uint8Array(1));
    const load = () => {
      loads++;
      return Promise.resolve(image);
    };
    assert.equal(cache.get('a', load, report), null);
    assert.equal(cache.state('a'), 'loading');
    assert.equal(cache.get('a', load, report), null, 'still loading');
    await Promise.resolve();
    assert.equal(cache.get('a', load, report), image);
    assert.equal(cache.state('a'), 'ready');
    assert.equal(loads, 1);

    const failing = () => Promise.reject(new Error('HTTP 404 for the image.'));
    cache.get('b', failing, report);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(cache.get('b', failing, report), null);
    assert.equal(cache.state('b'), 'failed');
    assert.deepEqual(settled, [null, "Live-wire cannot read this image's pixels: HTTP 404 for the image."], 'each load settles once');

    cache.get('c', load, () => undefined); // evicts 'a', the least recently used
    await Promise.resolve();
    assert.equal(cache.state('a'), null);
    assert.equal(
      cache.get('a', load, () => undefined),
      null,
      'an evicted image loads again',
    );
    assert.equal(loads, 3);
  });
});

describe('polygon tool with live-wire', () => {
  const size = { width: 200, height: 160 };

  it('draws around a disc with four clicks: the closed polygon matches the disc (IoU ≥ 0.95)', (t) => {
    const ctx = fakeContext([], size);
    ctx.liveWire = true;
    ctx.pixels = discImage(8);
    const tool = new PolygonTool(ctx);
    const clicks = [15, 105, 195, 285].map(onRim);
    for (const click of clicks) tool.onPointerDown(at(click.x, click.y));
    const draft = ctx.draft;
    assert.ok(draft?.kind === 'polygon' && draft.points.length / 2 > 4, 'each click added the vertices of its path');
    tool.onPointerMove(at(clicks[0]!.x + 1, clicks[0]!.y));
    assert.ok(ctx.draft?.kind === 'polygon' && ctx.draft.canClose);
    tool.onPointerDown(at(clicks[0]!.x + 1, clicks[0]!.y));
    const geometry = onlyPut(ctx).geometry;
    assert.equal(geometry.kind, 'polygon');
    if (geometry.kind !== 'polygon') return;
    const outer = geometry.polygons[0]!.outer;
    const vertices = pointsOf(outer);
    assert.ok(
      vertices.every((p) => rimDistance(p) <= 1.5),
      'every vertex is on the rim',
    );
    const overlap = iou(rasterisePolygons(geometry.polygons, size.height, size.width), discMask(size.width, size.height));
    t.diagnostic(`IoU ${overlap.toFixed(4)} with ${vertices.length} vertices from 4 clicks`);
    assert.ok(overlap >= 0.95, `IoU ${overlap.toFixed(3)}`);
    // The same four clicks without live-wire give the inscribed square.
    const straight = fakeContext([], size);
    const plain = new PolygonTool(straight);
    for (const click of clicks) plain.onPointerDown(at(click.x, click.y));
    plain.onKeyDown('Enter');
    const square = onlyPut(straight).geometry;
    assert.ok(square.kind === 'polygon' && square.polygons[0]!.outer.length === 8);
  });

  it('previews the path to the cursor; Backspace undoes a whole click; Esc abandons; toggling redraws', () => {
    const ctx = fakeContext([], size);
    ctx.liveWire = true;
    ctx.pixels = discImage();
    const tool = new PolygonTool(ctx);
    const a = onRim(0);
    const b = onRim(80);
    const c = onRim(160);
    tool.onPointerDown(at(a.x, a.y));
    tool.onPointerMove(at(b.x, b.y));
    const preview = ctx.draft?.kind === 'polygon' ? ctx.draft.cursorPath : null;
    assert.ok(preview && preview.length > 4, 'the preview follows the rim, not a straight edge');
    assert.deepEqual(preview.slice(-2), [b.x, b.y], 'and ends at the cursor');
    assert.ok(pointsOf(preview).every((p) => rimDistance(p) <= 1.5));

    tool.onPointerDown(at(b.x, b.y));
    const afterB = ctx.draft?.kind === 'polygon' ? ctx.draft.points.slice() : [];
    assert.deepEqual(afterB.slice(2), preview, 'the click adds what the preview showed');
    tool.onPointerDown(at(c.x, c.y));
    assert.equal(tool.onKeyDown('Backspace'), true);
    assert.deepEqual(ctx.draft?.kind === 'polygon' && ctx.draft.points, afterB, 'Backspace removed the whole last segment');
    assert.equal(tool.onKeyDown('Backspace'), true);
    assert.deepEqual(ctx.draft?.kind === 'polygon' && ctx.draft.points, [a.x, a.y]);

    // Switched off mid-polygon: the edge to the cursor is straight again.
    tool.onPointerMove(at(b.x, b.y));
    ctx.liveWire = false;
    tool.refresh();
    assert.equal(ctx.draft?.kind === 'polygon' && ctx.draft.cursorPath, null);
    tool.onPointerDown(at(b.x, b.y));
    assert.deepEqual(ctx.draft?.kind === 'polygon' && ctx.draft.points, [a.x, a.y, b.x, b.y]);

    tool.cancel();
    assert.equal(tool.state(), 'idle');
    assert.equal(ctx.draft, null);
    assert.equal(ctx.commits.length, 0);
  });

  it('keeps straight edges while the pixels are not there yet', () => {
    const ctx = fakeContext([], size);
    ctx.liveWire = true;
    const tool = new PolygonTool(ctx);
    tool.onPointerDown(at(10, 10));
    tool.onPointerMove(at(50, 10));
    assert.equal(ctx.draft?.kind === 'polygon' && ctx.draft.cursorPath, null);
    tool.onPointerDown(at(50, 10));
    tool.onPointerDown(at(30, 40));
    tool.onKeyDown('Enter');
    assert.deepEqual(onlyPut(ctx).geometry, { kind: 'polygon', polygons: [{ outer: [10, 10, 50, 10, 30, 40], holes: [] }] });
  });

  it('closes along the wire with Enter after three clicks on the rim', () => {
    const ctx = fakeContext([], size);
    ctx.liveWire = true;
    ctx.pixels = discImage();
    const tool = new PolygonTool(ctx);
    for (const degrees of [0, 120, 240]) {
      const p = onRim(degrees);
      tool.onPointerDown(at(p.x, p.y));
    }
    tool.onKeyDown('Enter');
    const geometry = onlyPut(ctx).geometry;
    assert.ok(geometry.kind === 'polygon');
    const overlap = iou(rasterisePolygons(geometry.polygons, size.height, size.width), discMask(size.width, size.height));
    assert.ok(overlap >= 0.95, `the closing edge follows the rim too: IoU ${overlap.toFixed(3)}`);
  });
});
