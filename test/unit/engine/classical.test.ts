// The classical mask tools (GrabCut, watershed, magic wand) on generated
// images whose right answers are known, and the plain helpers under them.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import sharp from 'sharp';

import {
  type BinaryCrop,
  cropIoU,
  emptyBinaryCrop,
  enlargeCrop,
  fromFullMask,
  keepComponentsAt,
  largestComponent,
  resizeMask,
  toFullMask,
} from '../../../engine/worker/binaryCrop.js';
import { magicWand } from '../../../engine/worker/models/classical/floodFill.js';
import { grabCutMask } from '../../../engine/worker/models/classical/grabCut.js';
import { type CvApi, type CvMat, loadOpenCv } from '../../../engine/worker/models/classical/opencv.js';
import { watershedRegions } from '../../../engine/worker/models/classical/watershed.js';
import { cropRgb, decodeRgb, resizeRgb, type RgbImage } from '../../../engine/worker/rgbImage.js';

/** Deterministic noise (a linear congruential generator): the images are the same on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

type Rgb = readonly [number, number, number];

/** An image painted pixel by pixel: `paint` returns a base colour, noise of ±`noise` is added per channel. */
function makeImage(width: number, height: number, paint: (x: number, y: number) => Rgb, noise = 12, seed = 7): RgbImage {
  const next = random(seed);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const colour = paint(x, y);
      for (let c = 0; c < 3; c++)
        data[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(colour[c]! + (next() * 2 - 1) * noise)));
    }
  }
  return { width, height, data };
}

function truthCrop(width: number, height: number, inside: (x: number, y: number) => boolean): BinaryCrop {
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) mask[y * width + x] = inside(x, y) ? 1 : 0;
  return fromFullMask(mask, width, height);
}

const inDisc = (cx: number, cy: number, r: number) => (x: number, y: number) => (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= r * r;
/** Two greens in 8 px checks: a textured background, not one flat colour. */
const checkedGreen = (x: number, y: number): Rgb => (((x >> 3) + (y >> 3)) & 1 ? [95, 170, 95] : [60, 120, 70]);
const RED: Rgb = [205, 50, 45];
const BLUE: Rgb = [45, 70, 210];

const processHandlers = () => [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')];
let handlersBeforeLoad: number[] = [];

let cv: CvApi;
before(async () => {
  // Counted right before opencv.js loads: its Emscripten glue adds process-wide handlers that loadOpenCv removes.
  handlersBeforeLoad = processHandlers();
  cv = await loadOpenCv();
});

describe('loading opencv.js', () => {
  it('loads once, as a plain (non-thenable) object, leaving the process error handlers alone', async () => {
    assert.equal(await loadOpenCv(), cv);
    assert.equal('then' in cv, false);
    assert.equal(typeof cv.grabCut, 'function');
    assert.deepEqual(processHandlers(), handlersBeforeLoad);
  });
});

describe('binary crops', () => {
  it('crops a full mask to its tight box and pastes it back', () => {
    const mask = new Uint8Array(10 * 8);
    for (const [x, y] of [
      [2, 3],
      [5, 3],
      [4, 6],
    ])
      mask[y! * 10 + x!] = 1;
    const crop = fromFullMask(mask, 10, 8, { x: 100, y: 200 });
    assert.deepEqual(crop.box, { x: 102, y: 203, w: 4, h: 4 });
    assert.equal(crop.area, 3);
    assert.equal(crop.scale, 1);
    assert.equal(crop.cropWidth, 4);
    assert.equal(crop.cropHeight, 4);
    assert.deepEqual(toFullMask(fromFullMask(mask, 10, 8), 10, 8), mask);
    assert.deepEqual(fromFullMask(new Uint8Array(6), 3, 2), emptyBinaryCrop());
    assert.throws(() => fromFullMask(new Uint8Array(5), 3, 2), RangeError);
  });

  it('keeps the components under the points, 8- or 4-connected, and the large ones on request', () => {
    // A diagonal pair (one component with 8-connectivity, two with 4) and a far blob of 9 pixels.
    const mask = new Uint8Array(12 * 12);
    mask[1 * 12 + 1] = 1;
    mask[2 * 12 + 2] = 1;
    for (let y = 8; y < 11; y++) for (let x = 8; x < 11; x++) mask[y * 12 + x] = 1;
    const crop = fromFullMask(mask, 12, 12);
    assert.equal(keepComponentsAt(crop, [[1.5, 1.5]]).area, 2);
    assert.equal(keepComponentsAt(crop, [[1.5, 1.5]], { connectivity: 4 }).area, 1);
    assert.equal(
      keepComponentsAt(crop, [
        [9, 9],
        [1, 1],
      ]).area,
      11,
    );
    assert.equal(keepComponentsAt(crop, [[5, 5]]).area, 0, 'a point off the mask selects nothing');
    assert.equal(keepComponentsAt(crop, [[1, 1]], { minShareOfLargest: 0.5 }).area, 11);
    assert.equal(keepComponentsAt(crop, [], { minShareOfLargest: 0.5 }).area, 9);
    assert.deepEqual(largestComponent(crop).box, { x: 8, y: 8, w: 3, h: 3 });
  });

  it('resizes masks by nearest pixel or by thresholding the average', () => {
    const square = new Uint8Array(16);
    square[5] = square[6] = square[9] = square[10] = 1; // the middle 2×2 of 4×4
    const nearest = resizeMask(square, 4, 4, 8, 8, 'nearest');
    assert.equal(
      nearest.reduce((a, b) => a + b, 0),
      16,
    );
    assert.deepEqual(fromFullMask(nearest, 8, 8).box, { x: 2, y: 2, w: 4, h: 4 });
    const smooth = resizeMask(square, 4, 4, 8, 8, 'threshold');
    assert.deepEqual(fromFullMask(smooth, 8, 8).box, { x: 2, y: 2, w: 4, h: 4 }, 'bilinear ≥ 0.5 keeps the square where it was');
    // Shrinking by area: a 2×2 block is in when at least half of it is.
    const half = Uint8Array.from([1, 1, 0, 0, 0, 0, 0, 1]);
    assert.deepEqual(resizeMask(half, 4, 2, 2, 1, 'threshold'), Uint8Array.from([1, 0]));
  });

  it('enlarges a crop of a shrunk copy back to full size', () => {
    const small = truthCrop(10, 10, (x, y) => x >= 3 && x < 7 && y >= 3 && y < 7);
    const big = enlargeCrop(small, 10, 10, 30, 30, { x: 100, y: 50 });
    assert.deepEqual(big.box, { x: 109, y: 59, w: 12, h: 12 });
    assert.equal(big.area, 144 - 4, 'bilinear rounds the four corners off (2/3 × 2/3 < 1/2)');
    assert.deepEqual(enlargeCrop(small, 10, 10, 10, 10, { x: 5, y: 6 }).box, { x: 8, y: 9, w: 4, h: 4 });
    assert.deepEqual(enlargeCrop(emptyBinaryCrop(), 10, 10, 30, 30), emptyBinaryCrop());
  });

  it('measures IoU between crops', () => {
    const a = truthCrop(20, 20, (x, y) => x < 10 && y < 10);
    const b = truthCrop(20, 20, (x, y) => x >= 5 && x < 15 && y < 10);
    assert.equal(cropIoU(a, b), 50 / 150);
    assert.equal(cropIoU(a, a), 1);
    assert.equal(cropIoU(emptyBinaryCrop(), emptyBinaryCrop()), 1);
    assert.equal(cropIoU(a, emptyBinaryCrop()), 0);
  });
});

describe('RGB images', () => {
  it('decodes with sharp, dropping alpha, and shrinks to maxSide', async () => {
    const rgba = Buffer.alloc(40 * 20 * 4);
    for (let i = 0; i < 40 * 20; i++) rgba.set([i % 40 < 20 ? 200 : 10, 100, 50, 128], i * 4);
    const png = await sharp(rgba, { raw: { width: 40, height: 20, channels: 4 } })
      .png()
      .toBuffer();
    const full = await decodeRgb(png);
    assert.deepEqual([full.width, full.height, full.sourceWidth, full.sourceHeight, full.data.length], [40, 20, 40, 20, 40 * 20 * 3]);
    assert.deepEqual([...full.data.subarray(0, 3)], [200, 100, 50]);
    assert.deepEqual([...full.data.subarray(39 * 3, 40 * 3)], [10, 100, 50]);
    const small = await decodeRgb(png, 10);
    assert.deepEqual([small.width, small.height, small.sourceWidth], [10, 5, 40]);
    assert.equal((await decodeRgb(png, 100)).width, 40, 'never enlarged');
    await assert.rejects(decodeRgb(png, 0), RangeError);
  });

  it('crops and resizes (area average when shrinking)', () => {
    const image = makeImage(4, 2, (x) => (x < 2 ? [0, 100, 200] : [40, 60, 80]), 0);
    assert.deepEqual([...cropRgb(image, { x: 1, y: 1, w: 2, h: 1 }).data], [0, 100, 200, 40, 60, 80]);
    assert.throws(() => cropRgb(image, { x: 3, y: 0, w: 2, h: 1 }), RangeError);
    assert.deepEqual([...resizeRgb(image, 2, 1).data], [0, 100, 200, 40, 60, 80]);
    assert.deepEqual([...resizeRgb(image, 1, 1).data], [20, 80, 140]);
    assert.equal(resizeRgb(image, 8, 4).data.length, 8 * 4 * 3);
  });
});

describe('GrabCut', () => {
  // A red disc on a textured green background.
  const W = 240;
  const H = 180;
  const disc = inDisc(110, 90, 50);
  const image = makeImage(W, H, (x, y) => (disc(x, y) ? RED : checkedGreen(x, y)));
  const truth = truthCrop(W, H, disc);

  it('finds a disc from a box around it', () => {
    const mask = grabCutMask(cv, image, { box: [50, 30, 170, 150], foreground: [], background: [] });
    const iou = cropIoU(mask, truth);
    assert.ok(iou >= 0.9, `IoU ${iou.toFixed(3)}`);
    assert.equal(mask.scale, 1);
    assert.equal(mask.pixels.length, mask.box.w * mask.box.h);
  });

  it('gives the same mask for the same prompt, with or without the remembered box run', () => {
    const boxOnly = { box: [50, 30, 170, 150] as const, foreground: [], background: [] };
    assert.deepEqual(grabCutMask(cv, image, boxOnly), grabCutMask(cv, image, boxOnly));
    const clicks = { ...boxOnly, foreground: [[110, 90]] as [number, number][], background: [[60, 40]] as [number, number][] };
    const remembered = grabCutMask(cv, image, clicks); // the box run above is reused
    const fresh = grabCutMask(cv, { ...image, data: image.data.slice() }, clicks); // another image object: run again
    assert.deepEqual(remembered, fresh);
  });

  it('drops a wrongly included part at a negative click', () => {
    // A blue block stuck to the disc, inside the box: unlike the background, so GrabCut takes it.
    const block = (x: number, y: number) => x >= 155 && x < 200 && y >= 70 && y < 110;
    const joined = makeImage(W, H, (x, y) => (disc(x, y) ? RED : block(x, y) ? BLUE : checkedGreen(x, y)));
    const box = [50, 30, 210, 150] as const;
    const boxOnly = grabCutMask(cv, joined, { box, foreground: [], background: [] });
    const boxIoU = cropIoU(boxOnly, truth);
    assert.ok(boxIoU < 0.9, `the box alone should include the block (IoU ${boxIoU.toFixed(3)})`);
    const refined = grabCutMask(cv, joined, { box, foreground: [], background: [[185, 90]] });
    const iou = cropIoU(refined, truth);
    assert.ok(iou >= 0.95, `IoU ${iou.toFixed(3)} after the negative click`);
  });

  it("starts from a prior probability when given one (a model's rough mask), and its seeds still refine it", () => {
    // The prior is a rough, too-big blob around the disc (like a salient-object model near touching objects).
    const block = (x: number, y: number) => x >= 155 && x < 200 && y >= 70 && y < 110;
    const joined = makeImage(W, H, (x, y) => (disc(x, y) ? RED : block(x, y) ? BLUE : checkedGreen(x, y)));
    const prior = (x: number, y: number) => (disc(x, y) || block(x, y) ? 0.9 : 0.1);
    const fromPrior = grabCutMask(cv, joined, { box: [50, 30, 210, 150], foreground: [], background: [], prior });
    const withPrior = cropIoU(fromPrior, truth);
    assert.ok(withPrior < 0.9, `the prior alone keeps the block (IoU ${withPrior.toFixed(3)})`);
    const refined = grabCutMask(cv, joined, { box: [50, 30, 210, 150], foreground: [[110, 90]], background: [[185, 90]], prior });
    const iou = cropIoU(refined, truth);
    assert.ok(iou >= 0.9, `IoU ${iou.toFixed(3)} once a negative click marks the block`);
  });

  it('takes a click without a box, keeping only the clicked object', () => {
    // Two red discs: one click on the left one must not bring the right one.
    const left = inDisc(60, 90, 35);
    const right = inDisc(185, 90, 35);
    const twin = makeImage(W, H, (x, y) => (left(x, y) || right(x, y) ? RED : checkedGreen(x, y)));
    const mask = grabCutMask(cv, twin, { foreground: [[60, 90]], background: [] });
    const iou = cropIoU(mask, truthCrop(W, H, left));
    assert.ok(iou >= 0.9, `IoU ${iou.toFixed(3)}`);
  });

  it('works on a shrunk copy of a large box and pastes the mask back at full resolution', () => {
    const big = inDisc(700, 520, 380);
    const large = makeImage(1400, 1040, (x, y) => (big(x, y) ? RED : checkedGreen(x >> 2, y >> 2)), 12, 3);
    const mask = grabCutMask(cv, large, { box: [280, 100, 1120, 940], foreground: [], background: [] }, { maxPixels: 40_000 });
    const iou = cropIoU(mask, truthCrop(1400, 1040, big));
    assert.ok(iou >= 0.95, `IoU ${iou.toFixed(3)}`);
  });

  it('refuses prompts it cannot use, with reasons', () => {
    const none = { foreground: [], background: [] };
    assert.throws(() => grabCutMask(cv, image, { ...none, box: [300, 10, 400, 100] }), /lies outside/);
    assert.throws(() => grabCutMask(cv, image, { ...none, box: [10, 10, 11, 11] }), /less than 2×2/);
    assert.throws(() => grabCutMask(cv, image, { ...none, box: [10, 10, 5, 50] }), /x0 < x1/);
    assert.throws(() => grabCutMask(cv, image, { foreground: [], background: [[10, 10]] }), /needs a box or at least one positive point/);
    assert.throws(() => grabCutMask(cv, image, { foreground: [[500, 500]], background: [] }), /needs a box or at least one positive point/);
    assert.throws(() => grabCutMask(cv, image, { foreground: [[Number.NaN, 1]], background: [] }), /non-finite/);
    assert.throws(() => grabCutMask(cv, image, { ...none, box: [50, 30, 170, 150], iterations: 0 }), /iterations/);
    assert.throws(
      () => grabCutMask(cv, { width: 2, height: 2, data: new Uint8Array(3) }, { ...none, box: [0, 0, 2, 2] }),
      /needs 12 bytes/,
    );
  });

  it('takes all of a flat image for a click on it', () => {
    // The seed's colour patch is the whole image: nothing is left to model the background with.
    const flat = makeImage(50, 40, () => [90, 90, 90], 0);
    assert.equal(grabCutMask(cv, flat, { foreground: [[25, 20]], background: [] }).area, 50 * 40);
  });

  it('copes with a box over the whole image', () => {
    const mask = grabCutMask(cv, image, { box: [0, 0, W, H], foreground: [], background: [] });
    assert.ok(mask.area > 0 && mask.area < W * H);
  });
});

describe('watershed', () => {
  const W = 200;
  const H = 150;

  it('splits a two-region image along its colour edge, one mask per scribbled region', () => {
    // A wavy edge between a red and a blue half; the scribbles fill the whole image between them.
    const top = (x: number, y: number) => y < 75 + 20 * Math.sin(x / 25);
    const image = makeImage(W, H, (x, y) => (top(x, y) ? RED : BLUE), 20);
    const masks = watershedRegions(
      cv,
      image,
      [
        {
          region: 3,
          points: [
            [20, 20],
            [100, 30],
            [180, 20],
          ],
        },
        {
          region: 1,
          points: [
            [20, 130],
            [180, 130],
          ],
        },
      ],
      { borderIsBackground: false },
    );
    assert.deepEqual([...masks.keys()], [1, 3]);
    const topIoU = cropIoU(masks.get(3)!, truthCrop(W, H, top));
    const bottomIoU = cropIoU(
      masks.get(1)!,
      truthCrop(W, H, (x, y) => !top(x, y)),
    );
    assert.ok(topIoU >= 0.9 && bottomIoU >= 0.9, `IoU ${topIoU.toFixed(3)}, ${bottomIoU.toFixed(3)}`);
    assert.equal(masks.get(3)!.area + masks.get(1)!.area, W * H, 'the two masks tile the image');
  });

  it('treats a striped texture as one region (the image is smoothed before flooding)', () => {
    // Left: fine dark/light stripes (like the samples' hatched sky); right: a flat grey of the stripes' mean.
    const striped = (x: number) => x < 100;
    const image = makeImage(
      W,
      H,
      (x, y) => (striped(x) ? (Math.floor((x + y) / 3) % 2 === 0 ? [60, 60, 60] : [200, 200, 200]) : [90, 140, 90]),
      4,
    );
    const masks = watershedRegions(
      cv,
      image,
      [
        {
          region: 0,
          points: [
            [30, 20],
            [60, 130],
          ],
        },
        {
          region: 1,
          points: [
            [160, 20],
            [160, 130],
          ],
        },
      ],
      { borderIsBackground: false },
    );
    const stripedIoU = cropIoU(
      masks.get(0)!,
      truthCrop(W, H, (x) => striped(x)),
    );
    assert.ok(stripedIoU >= 0.9, `striped region IoU ${stripedIoU.toFixed(3)}`);
  });

  it('finds two objects against an implicit background at the image border', () => {
    const a = inDisc(60, 75, 40);
    const b = (x: number, y: number) => x >= 120 && x < 180 && y >= 30 && y < 120;
    const image = makeImage(W, H, (x, y) => (a(x, y) ? RED : b(x, y) ? BLUE : checkedGreen(x, y)), 10);
    const masks = watershedRegions(cv, image, [
      {
        region: 0,
        points: [
          [50, 70],
          [70, 80],
        ],
      },
      { region: 1, points: [[150, 75]] },
    ]);
    const iouA = cropIoU(masks.get(0)!, truthCrop(W, H, a));
    const iouB = cropIoU(masks.get(1)!, truthCrop(W, H, b));
    assert.ok(iouA >= 0.9 && iouB >= 0.9, `IoU ${iouA.toFixed(3)}, ${iouB.toFixed(3)}`);
  });

  it('works on a shrunk copy of a large image', () => {
    const a = inDisc(600, 400, 250);
    const image = makeImage(1200, 800, (x, y) => (a(x, y) ? RED : checkedGreen(x >> 2, y >> 2)), 10);
    const masks = watershedRegions(cv, image, [{ region: 0, points: [[600, 400]] }], {
      background: [
        [
          [50, 50],
          [1150, 50],
        ],
      ],
      maxSide: 300,
    });
    const iou = cropIoU(masks.get(0)!, truthCrop(1200, 800, a));
    assert.ok(iou >= 0.95, `IoU ${iou.toFixed(3)}`);
  });

  it('refuses missing markers and leaves regions off the image empty', () => {
    const image = makeImage(40, 30, checkedGreen, 5);
    assert.throws(() => watershedRegions(cv, image, []), /at least one scribble/);
    assert.throws(
      () => watershedRegions(cv, image, [{ region: 0, points: [[5, 5]] }], { borderIsBackground: false }),
      /two kinds of marker/,
    );
    assert.throws(() => watershedRegions(cv, image, [{ region: -1, points: [[5, 5]] }]), /integer >= 0/);
    assert.throws(() => watershedRegions(cv, image, [{ region: 0, points: [] }]), /no points/);
    assert.throws(
      () =>
        watershedRegions(
          cv,
          image,
          [
            { region: 0, points: [[500, 500]] },
            { region: 1, points: [[600, 600]] },
          ],
          { borderIsBackground: false },
        ),
      /only one kind of marker/,
    );
    const masks = watershedRegions(cv, image, [
      { region: 0, points: [[20, 15]] },
      { region: 1, points: [[500, 500]] },
    ]);
    assert.ok(masks.get(0)!.area > 0);
    assert.deepEqual(masks.get(1), emptyBinaryCrop());
  });
});

describe('magic wand', () => {
  // Grey levels equal to x: a fixed range of ±t around the click's level keeps 2t + 1 columns.
  const gradient = makeImage(256, 40, (x) => [x, x, x], 0);

  it('stops at the tolerance on a gradient', () => {
    const narrow = magicWand(cv, gradient, { x: 100, y: 20 }, 10);
    assert.equal(narrow.area, 21 * 40);
    assert.deepEqual(narrow.box, { x: 90, y: 0, w: 21, h: 40 });
    const wide = magicWand(cv, gradient, { x: 100.7, y: 20.2 }, 60);
    assert.equal(wide.area, 121 * 40);
    assert.deepEqual(wide.box, { x: 40, y: 0, w: 121, h: 40 });
    assert.equal(magicWand(cv, gradient, { x: 250, y: 5 }, 60).area, (255 - 190 + 1) * 40, 'clipped by the image edge');
  });

  it('stays inside `within`', () => {
    const flat = makeImage(80, 60, () => [120, 130, 140], 0);
    const inside = magicWand(cv, flat, { x: 30, y: 30 }, 5, [10.5, 20, 50, 59.2]);
    assert.deepEqual(inside.box, { x: 10, y: 20, w: 40, h: 40 });
    assert.equal(inside.area, 40 * 40);
    assert.equal(magicWand(cv, flat, { x: 30, y: 30 }, 5).area, 80 * 60);
  });

  it('matches a plain flood fill on noise, from zero tolerance up', () => {
    const noise = makeImage(64, 48, () => [128, 128, 128], 128, 11);
    for (const tolerance of [0, 40, 90]) {
      const seed = { x: 31, y: 17 };
      const mask = magicWand(cv, noise, seed, tolerance);
      assert.deepEqual(toFullMask(mask, 64, 48), referenceFloodFill(noise, seed, tolerance), `tolerance ${tolerance}`);
      if (tolerance === 0) assert.equal(mask.area, 1, 'no neighbour has exactly the same colour');
    }
  });

  it('refuses clicks and areas it cannot use', () => {
    assert.throws(() => magicWand(cv, gradient, { x: 300, y: 5 }, 10), /outside the 256×40 image/);
    assert.throws(() => magicWand(cv, gradient, { x: 5, y: 5 }, 10, [20, 0, 60, 40]), /outside its area/);
    assert.throws(() => magicWand(cv, gradient, { x: 5, y: 5 }, 10, [300, 0, 400, 40]), /lies outside/);
    assert.throws(() => magicWand(cv, gradient, { x: 5, y: 5 }, -1), /tolerance/);
    assert.throws(() => magicWand(cv, gradient, { x: 5, y: 5 }, 256), /tolerance/);
    assert.throws(() => magicWand(cv, gradient, { x: Number.NaN, y: 5 }, 10), /finite/);
  });
});

/** 8-connected fill of the pixels within ±tolerance of the seed's colour in every channel. */
function referenceFloodFill(image: RgbImage, seed: { x: number; y: number }, tolerance: number): Uint8Array {
  const { width, height, data } = image;
  const out = new Uint8Array(width * height);
  const s = (seed.y * width + seed.x) * 3;
  const near = (p: number) => [0, 1, 2].every((c) => Math.abs(data[p * 3 + c]! - data[s + c]!) <= tolerance);
  const stack = [seed.y * width + seed.x];
  out[stack[0]!] = 1;
  while (stack.length) {
    const p = stack.pop()!;
    const px = p % width;
    const py = (p - px) / width;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const x = px + dx;
        const y = py + dy;
        if (x < 0 || y < 0 || x >= width || y >= height) continue;
        const q = y * width + x;
        if (!out[q] && near(q)) {
          out[q] = 1;
          stack.push(q);
        }
      }
    }
  }
  return out;
}

describe('opencv.js memory', () => {
  /** The same API, with every Mat constructed through it remembered. */
  function tracking(api: CvApi): { cv: CvApi; made: CvMat[] } {
    const made: CvMat[] = [];
    const Mat = new Proxy(api.Mat, {
      construct(target, args: unknown[]) {
        const mat = Reflect.construct(target, args) as CvMat;
        made.push(mat);
        return mat;
      },
    });
    return { cv: { ...api, Mat }, made };
  }

  it('deletes every Mat it makes, on success and on failure', () => {
    const { cv: counted, made } = tracking(cv);
    const image = makeImage(60, 50, (x, y) => (inDisc(30, 25, 15)(x, y) ? RED : checkedGreen(x, y)), 8);
    grabCutMask(counted, image, { box: [10, 5, 50, 45], foreground: [[30, 25]], background: [[12, 8]] });
    grabCutMask(counted, image, { foreground: [[30, 25]], background: [] });
    watershedRegions(counted, image, [{ region: 0, points: [[30, 25]] }]);
    magicWand(counted, image, { x: 30, y: 25 }, 20, [5, 5, 55, 45]);
    assert.throws(() =>
      watershedRegions(
        counted,
        image,
        [
          { region: 0, points: [[900, 900]] },
          { region: 1, points: [[901, 901]] },
        ],
        { borderIsBackground: false },
      ),
    );
    assert.ok(made.length >= 12, `${made.length} Mats seen`);
    assert.deepEqual(
      made.filter((mat) => !mat.isDeleted()),
      [],
    );
  });

  it('does not grow the WebAssembly heap over 50 runs', () => {
    // The module instance loadOpenCv initialised. Its heap only ever grows,
    // and a fresh large block comes from the top of the used heap, so Mats
    // left behind show as a larger heap or a higher address for the block.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the same CommonJS instance the worker loaded, not an ESM wrapper
    const module = require('@techstark/opencv-js') as { HEAPU8: Uint8Array; _malloc(bytes: number): number; _free(pointer: number): void };
    const probe = () => {
      const pointer = module._malloc(4 << 20);
      module._free(pointer);
      return { heapBytes: module.HEAPU8.buffer.byteLength, largeBlockAt: pointer };
    };
    const image = makeImage(160, 120, (x, y) => (inDisc(80, 60, 40)(x, y) ? RED : checkedGreen(x, y)), 8);
    const runAll = () => {
      grabCutMask(cv, image, { box: [30, 10, 130, 110], foreground: [[80, 60]], background: [] });
      watershedRegions(cv, image, [{ region: 0, points: [[80, 60]] }]);
      magicWand(cv, image, { x: 80, y: 60 }, 30);
    };
    runAll(); // warm up: the first runs size the allocator's pools
    const before = probe();
    for (let i = 0; i < 50; i++) runAll();
    assert.deepEqual(probe(), before);
  });
});
