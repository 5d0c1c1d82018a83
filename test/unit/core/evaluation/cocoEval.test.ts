// COCOeval's rules on cases small enough to compute by hand (the IoUs given
// as a table, mask = an id, so each figure follows from the matching and the
// 101-point interpolation alone), and on a saved case against the figures
// pycocotools' COCOeval gave for it (test/fixtures/cocoeval/make_reference.py).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { type BinaryMask, maskIoU } from '../../../../common/geometry/binaryMask.js';
import { rleToMask } from '../../../../common/geometry/rle.js';
import { cocoEvaluate, type EvalInstance, IOU_THRESHOLDS } from '../../../../core/evaluation/cocoEval.js';

type Pair = `${string}|${string}`;
const table = (ious: Record<Pair, number>) => (dt: string, gt: string) => ious[`${dt}|${gt}`] ?? 0;
const gt = (mask: string, extra: Partial<EvalInstance<string>> = {}): EvalInstance<string> => ({
  imageId: 1,
  categoryId: 1,
  mask,
  area: 5000,
  ...extra,
});
const dt = (mask: string, score: number, extra: Partial<EvalInstance<string>> = {}): EvalInstance<string> => ({
  imageId: 1,
  categoryId: 1,
  mask,
  area: 5000,
  score,
  ...extra,
});
/** Mean precision over the 101 recall thresholds when precision is `high` up to recall `upTo` and `low` after. */
const interpolated = (upTo: number, high: number, low: number) => {
  const below = Array.from({ length: 101 }, (_, i) => i * 0.01).filter((r) => r <= upTo + 1e-12).length;
  return (below * high + (101 - below) * low) / 101;
};
const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} ≠ ${expected}`);

describe('COCOeval rules', () => {
  it('thresholds are numpy.linspace values (0.8999999999999999, not 0.9)', () => {
    assert.equal(IOU_THRESHOLDS.length, 10);
    assert.equal(IOU_THRESHOLDS[8], 0.8999999999999999);
    assert.equal(IOU_THRESHOLDS[9], 0.95);
  });

  it('a false positive between two true positives: interpolated precision, AP over thresholds, AR', () => {
    // d1 (0.9) covers g1 at 0.82, d2 (0.8) nothing, d3 (0.7) covers g2 at 0.7 exactly.
    const r = cocoEvaluate([gt('g1'), gt('g2')], [dt('d1', 0.9), dt('d2', 0.8), dt('d3', 0.7)], table({ 'd1|g1': 0.82, 'd3|g2': 0.7 }));
    // IoU >= t for t <= 0.7 (0.7 matches 0.7: COCOeval skips only strictly lower IoUs): TP FP TP -> precision 1 to recall 0.5, then 2/3.
    const upTo70 = interpolated(0.5, 1, 2 / 3);
    // 0.75, 0.8: TP FP FP -> precision 1 to recall 0.5, nothing after.
    const mid = interpolated(0.5, 1, 0);
    close(r.ap50, upTo70);
    close(r.ap, (5 * upTo70 + 2 * mid) / 10);
    close(r.ar100, (5 * 1 + 2 * 0.5) / 10);
    assert.equal(r.apSmall, -1, 'no small ground truth: no figure');
    close(r.apMedium, r.ap);
  });

  it('a crowd region absorbs the detections on it: ignored, not false positives, at any number', () => {
    // d0 and d2 lie on the crowd (intersection over their area 0.72), d1 covers g1 at 0.92.
    const r = cocoEvaluate([gt('g1'), gt('crowd', { crowd: true })], [dt('d2', 0.95), dt('d0', 0.94), dt('d1', 0.9)], (d, g, crowd) => {
      if (g === 'crowd') {
        assert.equal(crowd, true, 'crowd IoU is asked for as such');
        return d === 'd1' ? 0 : 0.72;
      }
      return d === 'd1' ? 0.92 : 0;
    });
    // t <= 0.7: d2, d0 ignored, d1 TP -> 1. 0.75..0.9: FP FP TP -> 1/3 at every recall. 0.95: nothing.
    close(r.ap, (5 * 1 + 4 * (1 / 3)) / 10);
    close(r.ar100, (9 * 1) / 10);
  });

  it('area ranges: ground truth outside the range is ignored, and so are unmatched detections outside it', () => {
    const r = cocoEvaluate(
      [gt('small', { area: 100 }), gt('large', { area: 20_000 })],
      [dt('a', 0.9, { area: 100 }), dt('b', 0.8, { area: 20_000 }), dt('c', 0.7, { area: 300 })],
      table({ 'a|small': 0.9, 'b|large': 0.9 }),
    );
    // Small, t <= 0.9: a TP; b matches the large (ignored) one: ignored; c unmatched and small: FP after a -> precision 1.
    // At 0.95: a and c are false positives -> 0. Large: the mirror image (a ignored via the small one, c unmatched and not large).
    close(r.apSmall, 9 / 10);
    close(r.apLarge, 9 / 10);
    assert.equal(r.apMedium, -1);
  });

  it('maxDets keeps the best-scoring detections of each image and category', () => {
    const gts = [gt('g')];
    const dts = [dt('low', 0.1), ...Array.from({ length: 3 }, (_, i) => dt(`fp${i}`, 0.5))];
    const ious = table({ 'low|g': 0.99 });
    close(cocoEvaluate(gts, dts, ious, 3).ap, 0);
    close(cocoEvaluate(gts, dts, ious, 4).ap, interpolated(1, 0.25, 0.25));
  });

  it('categories without ground truth are left out; images without anything are skipped', () => {
    const r = cocoEvaluate(
      [gt('g')],
      [dt('g', 0.9), { ...dt('x', 0.9), categoryId: 2 }, { ...dt('y', 0.9), imageId: 7 }],
      table({ 'g|g': 1 }),
    );
    // Category 2 has no ground truth. Image 7's detection is a false positive of category 1 after g (equal scores keep image order): precision 1 up to recall 1.
    close(r.ap, 1);
  });
});

describe('COCOeval against pycocotools', () => {
  it('gives the figures pycocotools gives on a saved case (crowd, all area ranges, duplicates, misses)', () => {
    const dir = join(__dirname, '..', '..', '..', 'fixtures', 'cocoeval');
    const read = <T>(file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as T;
    type Rle = { size: [number, number]; counts: string };
    const gt = read<{ annotations: { image_id: number; category_id: number; segmentation: Rle; area: number; iscrowd: number }[] }>(
      'gt.json',
    );
    const dt = read<{ image_id: number; category_id: number; segmentation: Rle; score: number }[]>('dt.json');
    const expected = read<Record<string, number>>('stats.json');
    const mask = (r: Rle): BinaryMask => ({ width: r.size[1], height: r.size[0], data: rleToMask(r) });
    const gts = gt.annotations.map((a) => ({
      imageId: a.image_id,
      categoryId: a.category_id,
      mask: mask(a.segmentation),
      area: a.area,
      crowd: a.iscrowd === 1,
    }));
    const dts = dt.map((d) => {
      const m = mask(d.segmentation);
      return { imageId: d.image_id, categoryId: d.category_id, mask: m, area: m.data.reduce((n, v) => n + v, 0), score: d.score };
    });
    const iou = (d: BinaryMask, g: BinaryMask, crowd: boolean) => {
      let inter = 0;
      let dtArea = 0;
      for (let i = 0; i < d.data.length; i++) {
        inter += d.data[i]! & g.data[i]!;
        dtArea += d.data[i]!;
      }
      return crowd ? (dtArea === 0 ? 0 : inter / dtArea) : maskIoU(d, g);
    };
    const r = cocoEvaluate(gts, dts, iou);
    for (const key of ['ap', 'ap50', 'ap75', 'apSmall', 'apMedium', 'apLarge', 'ar100'] as const) close(r[key], expected[key]!);
  });
});
