// COCO-style instance evaluation, following pycocotools' COCOeval rules
// (evaluateImg, accumulate, summarize) for one IoU kind given as a function:
// - per image and category, detections sorted by score (stable) and cut to
//   maxDets; each matched greedily to the best unmatched ground truth at
//   each IoU threshold 0.50:0.05:0.95, ground truth that is crowd or outside
//   the area range being "ignored" (matches to it neither count nor hurt);
//   a crowd region may take any number of detections, its IoU being
//   intersection over the detection's area;
// - unmatched detections outside the area range are ignored;
// - precision at the 101 recall thresholds 0:0.01:1, made monotonic from the
//   right; AP the mean over thresholds and categories that have ground truth.
// Checked against hand-computed cases (test/unit/core/evaluation).

export interface EvalInstance<M> {
  imageId: number;
  categoryId: number;
  mask: M;
  area: number;
  /** Detections only. */
  score?: number;
  /** Ground truth only: a crowd region. */
  crowd?: boolean;
}

/** IoU of a detection and a ground truth; with `crowd`, intersection over the detection's area. */
export type IouFn<M> = (dt: M, gt: M, crowd: boolean) => number;

/** numpy.linspace(start, stop, n) value for value (COCOeval's thresholds come from it; 0.5 + 0.05 * 2 is not 0.6 in floating point either way). */
function linspace(start: number, stop: number, n: number): number[] {
  const step = (stop - start) / (n - 1);
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? stop : i * step + start));
}

export const IOU_THRESHOLDS = linspace(0.5, 0.95, 10);
const REC_THRESHOLDS = linspace(0, 1, 101);
export const AREA_RANGES = { all: [0, 1e10], small: [0, 32 ** 2], medium: [32 ** 2, 96 ** 2], large: [96 ** 2, 1e10] } as const;
export type AreaRange = keyof typeof AREA_RANGES;

export interface EvalSummary {
  /** AP at IoU 0.50:0.95, all areas, 100 detections (-1 when no category has ground truth). */
  ap: number;
  ap50: number;
  ap75: number;
  apSmall: number;
  apMedium: number;
  apLarge: number;
  /** AR at 100 detections, IoU 0.50:0.95. */
  ar100: number;
}

interface ImageResult {
  /** [threshold][detection]: matched (1) or not. */
  dtMatched: boolean[][];
  dtIgnored: boolean[][];
  dtScores: number[];
  gtIgnoredCount: number;
}

function evaluateImage<M>(
  dts: EvalInstance<M>[],
  gts: EvalInstance<M>[],
  iou: IouFn<M>,
  range: readonly [number, number],
  maxDets: number,
): ImageResult | null {
  if (dts.length === 0 && gts.length === 0) return null;
  const gtIgnore = gts.map((g) => g.crowd === true || g.area < range[0] || g.area > range[1]);
  // Ground truth sorted with the ignored last (stable), as COCOeval does.
  const gtOrder = gts.map((_, i) => i).sort((a, b) => Number(gtIgnore[a]) - Number(gtIgnore[b]));
  const g = gtOrder.map((i) => gts[i]!);
  const gIg = gtOrder.map((i) => gtIgnore[i]!);
  const d = dts
    .map((dt, i) => ({ dt, i }))
    .sort((a, b) => (b.dt.score ?? 0) - (a.dt.score ?? 0) || a.i - b.i)
    .slice(0, maxDets)
    .map((x) => x.dt);
  const ious = d.map((dt) => g.map((gt) => iou(dt.mask, gt.mask, gt.crowd === true)));
  const dtMatched: boolean[][] = [];
  const dtIgnored: boolean[][] = [];
  for (const t of IOU_THRESHOLDS) {
    const gtTaken = g.map(() => false);
    const matched = d.map(() => false);
    const ignored = d.map(() => false);
    d.forEach((_, di) => {
      let best = Math.min(t, 1 - 1e-10);
      let m = -1;
      for (let gi = 0; gi < g.length; gi++) {
        if (gtTaken[gi] && !g[gi]!.crowd) continue;
        // Once matched to real ground truth, stop at the ignored ones (sorted last).
        if (m > -1 && !gIg[m] && gIg[gi]) break;
        if (ious[di]![gi]! < best) continue;
        best = ious[di]![gi]!;
        m = gi;
      }
      if (m === -1) return;
      ignored[di] = gIg[m]!;
      matched[di] = true;
      gtTaken[m] = true;
    });
    // Unmatched detections outside the area range do not count.
    d.forEach((dt, di) => {
      if (!matched[di] && (dt.area < range[0] || dt.area > range[1])) ignored[di] = true;
    });
    dtMatched.push(matched);
    dtIgnored.push(ignored);
  }
  return { dtMatched, dtIgnored, dtScores: d.map((dt) => dt.score ?? 0), gtIgnoredCount: gIg.filter((x) => !x).length };
}

/** Precision at the recall thresholds and final recall for one category, area range and maxDets; null when it has no ground truth. */
function accumulate(results: (ImageResult | null)[]): { precision: number[][]; recall: number[] } | null {
  const present = results.filter((r): r is ImageResult => r !== null);
  const npig = present.reduce((n, r) => n + r.gtIgnoredCount, 0);
  if (npig === 0) return null;
  const scores = present.flatMap((r) => r.dtScores);
  // np.argsort(-scores, kind='mergesort'): stable, descending.
  const order = scores
    .map((s, i) => ({ s, i }))
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .map((x) => x.i);
  const precision: number[][] = [];
  const recall: number[] = [];
  IOU_THRESHOLDS.forEach((_, t) => {
    const matched = present.flatMap((r) => r.dtMatched[t]!);
    const ignored = present.flatMap((r) => r.dtIgnored[t]!);
    let tp = 0;
    let fp = 0;
    const rc: number[] = [];
    const pr: number[] = [];
    for (const i of order) {
      if (ignored[i]) continue;
      if (matched[i]) tp++;
      else fp++;
      rc.push(tp / npig);
      pr.push(tp / (tp + fp + Number.EPSILON));
    }
    recall.push(rc.length ? rc[rc.length - 1]! : 0);
    for (let i = pr.length - 1; i > 0; i--) if (pr[i]! > pr[i - 1]!) pr[i - 1] = pr[i]!;
    precision.push(
      REC_THRESHOLDS.map((r) => {
        // np.searchsorted(rc, r, side='left')
        let lo = 0;
        let hi = rc.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (rc[mid]! < r) lo = mid + 1;
          else hi = mid;
        }
        return lo < pr.length ? pr[lo]! : 0;
      }),
    );
  });
  return { precision, recall };
}

/** COCOeval's summary figures for detections against ground truth (categories without ground truth are left out). */
export function cocoEvaluate<M>(
  gts: readonly EvalInstance<M>[],
  dts: readonly EvalInstance<M>[],
  iou: IouFn<M>,
  maxDets = 100,
): EvalSummary {
  const categories = [...new Set([...gts, ...dts].map((x) => x.categoryId))];
  const images = [...new Set([...gts, ...dts].map((x) => x.imageId))];
  const key = (imageId: number, categoryId: number) => `${imageId}/${categoryId}`;
  const group = <T extends EvalInstance<M>>(xs: readonly T[]) => {
    const map = new Map<string, T[]>();
    for (const x of xs) map.set(key(x.imageId, x.categoryId), [...(map.get(key(x.imageId, x.categoryId)) ?? []), x]);
    return map;
  };
  const gtBy = group(gts);
  const dtBy = group(dts);
  const per = (range: AreaRange) =>
    categories
      .map((c) =>
        accumulate(
          images.map((i) => evaluateImage(dtBy.get(key(i, c)) ?? [], gtBy.get(key(i, c)) ?? [], iou, AREA_RANGES[range], maxDets)),
        ),
      )
      .filter((x): x is NonNullable<typeof x> => x !== null);
  const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : -1);
  const ap = (acc: ReturnType<typeof per>, threshold?: number) =>
    mean(
      acc.flatMap((a) =>
        (threshold === undefined ? a.precision : [a.precision[IOU_THRESHOLDS.findIndex((t) => Math.abs(t - threshold) < 1e-9)]!]).flat(),
      ),
    );
  const all = per('all');
  return {
    ap: ap(all),
    ap50: ap(all, 0.5),
    ap75: ap(all, 0.75),
    apSmall: ap(per('small')),
    apMedium: ap(per('medium')),
    apLarge: ap(per('large')),
    ar100: mean(all.flatMap((a) => a.recall)),
  };
}
