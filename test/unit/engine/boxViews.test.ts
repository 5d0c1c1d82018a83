// Choosing a foreground model's mask for a box, on drawn masks with known
// answers: the fit of a mask's bounds to the box, and the nested remainder
// (a saucer whose cup stands out of its box) against a plain pair of views
// of one isolated object, which must not produce one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { type BinaryCrop, cropIoU, fromFullMask } from '../../../engine/worker/binaryCrop.js';
import { bestBoxFit, boxFit, cityBlockDistance, nestedRemainder } from '../../../engine/worker/models/foreground/boxViews.js';

const W = 400;
const H = 400;

function drawn(inside: (x: number, y: number) => boolean): BinaryCrop {
  const pixels = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (inside(x + 0.5, y + 0.5)) pixels[y * W + x] = 1;
  return fromFullMask(pixels, W, H);
}

const disc = (cx: number, cy: number, r: number) => (x: number, y: number) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const ellipse = (cx: number, cy: number, rx: number, ry: number) => (x: number, y: number) =>
  ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;

describe('box fit', () => {
  it('is the IoU of the mask bounds and the box: 1 when they match, 0 when empty or apart', () => {
    assert.equal(boxFit({ x: 10, y: 20, w: 30, h: 40 }, [10, 20, 40, 60]), 1);
    assert.equal(boxFit({ x: 0, y: 0, w: 0, h: 0 }, [10, 20, 40, 60]), 0);
    assert.equal(boxFit({ x: 100, y: 100, w: 5, h: 5 }, [10, 20, 40, 60]), 0);
    // Half the box: 600 of 1200.
    assert.equal(boxFit({ x: 10, y: 20, w: 15, h: 40 }, [10, 20, 40, 60]), 0.5);
  });

  it('picks the mask whose bounds fit the box, and the earlier one of a near tie', () => {
    const box = [100, 100, 200, 200] as const;
    const small = drawn(disc(150, 150, 30));
    const fitting = drawn(disc(150, 150, 50));
    const tooBig = drawn(disc(150, 150, 90));
    assert.equal(bestBoxFit([small, fitting, tooBig], box), 1);
    assert.equal(bestBoxFit([fitting, drawn(disc(150, 150, 50))], box), 0);
  });
});

describe('nested remainder', () => {
  // A saucer (wide ellipse) with a cup on it whose top stands out of the saucer's box.
  const saucer = ellipse(200, 250, 150, 100);
  const cup = disc(200, 170, 80);
  const saucerBox = [50, 150, 350, 350] as const;

  it("takes the cup (the close view's object) out of cup-and-saucer (the wide view's) and fits the saucer's box", () => {
    const wide = drawn((x, y) => saucer(x, y) || cup(x, y));
    const close = drawn(cup);
    const rest = nestedRemainder(wide, close, saucerBox);
    assert.ok(rest, 'a remainder');
    const truth = drawn((x, y) => saucer(x, y) && !cup(x, y));
    const iou = cropIoU(rest, truth);
    assert.ok(iou > 0.93, `remainder IoU with the visible saucer ${iou.toFixed(3)}`);
    assert.equal(bestBoxFit([close, wide, rest], saucerBox), 2, 'the remainder fits the box best');
    // The saucer's own rim begins below the top of its box, where it comes out from behind the cup.
    assert.ok(boxFit(rest.box, saucerBox) > 0.9, `remainder fit ${boxFit(rest.box, saucerBox).toFixed(3)}`);
  });

  it('keeps only the part of the remainder with most pixels in the box', () => {
    // The cup cuts the saucer's rim in two: the bigger piece, inside the box, is kept.
    const wide = drawn((x, y) => ellipse(200, 250, 150, 40)(x, y) || disc(120, 250, 45)(x, y));
    const close = drawn(disc(120, 250, 45));
    const rest = nestedRemainder(wide, close, [50, 210, 350, 290]);
    assert.ok(rest);
    assert.ok(rest.box.x > 120, `left piece dropped (remainder starts at x = ${rest.box.x})`);
  });

  it('gives nothing for two views of one isolated object (a rim is not an object) or for an inner mask that covers little', () => {
    const box = [100, 100, 300, 300] as const;
    assert.equal(nestedRemainder(drawn(disc(200, 200, 100)), drawn(disc(200, 200, 96)), box), null, 'views a few pixels apart');
    assert.equal(nestedRemainder(drawn(disc(200, 200, 100)), drawn(disc(200, 200, 20)), box), null, 'inner covers 4 %');
    assert.equal(nestedRemainder(drawn(disc(200, 200, 100)), drawn(disc(200, 200, 90)), box), null, 'remainder is a sliver');
    assert.equal(
      nestedRemainder(
        drawn(() => false),
        drawn(disc(200, 200, 90)),
        box,
      ),
      null,
      'empty outer',
    );
  });
});

describe('city-block distance', () => {
  it('counts horizontal and vertical steps to the nearest set pixel', () => {
    const set = new Uint8Array(5 * 3);
    set[1 * 5 + 1] = 1;
    assert.deepEqual([...cityBlockDistance(set, 5, 3)], [2, 1, 2, 3, 4, 1, 0, 1, 2, 3, 2, 1, 2, 3, 4]);
    assert.deepEqual([...cityBlockDistance(new Uint8Array(4), 2, 2)], [4, 4, 4, 4], 'none set: w + h');
  });
});
