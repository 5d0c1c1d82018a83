// The opt-in foreground model (ISNet weights the user downloaded) as a mask
// provider. A box picks two crops, the box and a wide view of it; the model
// runs on each at its input size (seconds on a CPU, so crop outputs are
// cached), and the candidate that fits the box best is preselected (see
// boxViews.ts). Clicks keep or drop the probability map's components and
// seed a GrabCut refinement (the classical kind's, ../classical/grabCut.ts);
// "everything" is the foreground of the whole image.
import { join } from 'node:path';

import type * as ort from 'onnxruntime-node';

import { AppError, type ExecutionProviderChoice, type SegmentOptions } from '../../../../common/contract/index.js';
import type { WorkerImage, WorkerPrompt } from '../../../protocol.js';
import { type BinaryCrop,fromFullMask } from '../../binaryCrop.js';
import { ByteLru } from '../../byteLru.js';
import { DecodedImages } from '../../decodedImages.js';
import { FixedMask } from '../../fixedMask.js';
import { assertPromptKinds, type MaskProvider, type PreparedImage, type ProviderCandidate, type ProviderResult } from '../../maskProvider.js';
import type { Corners, RgbImage } from '../../rgbImage.js';
import { openSessions, resolveExecutionProvider } from '../../sessions.js';
import { grabCutMask } from '../classical/grabCut.js';
import { type CvApi,loadOpenCv } from '../classical/opencv.js';
import { bestBoxFit, nestedRemainder } from './boxViews.js';
import { type CropRect, foregroundCrop, foregroundMask, type ForegroundMaskOptions, type ForegroundModelSpec,foregroundProbability, foregroundSpecOf } from './inference.js';
import { FOREGROUND_CAPABILITIES, readForegroundManifest } from './manifest.js';

/** About 30 crop outputs of a 1024 px model. */
const PROBABILITY_BUDGET_BYTES = 128 * 1024 * 1024;

export class ForegroundProvider implements MaskProvider {
  readonly capabilities = FOREGROUND_CAPABILITIES;
  readonly scoreKind = 'confidence' as const;
  private readonly decoded = new DecodedImages();
  private readonly probabilities = new ByteLru<ProbabilityMap>(PROBABILITY_BUDGET_BYTES);
  /** OpenCV for GrabCut refinement of clicks, loaded on first use. */
  private cv: Promise<CvApi> | null = null;

  private constructor(
    readonly id: string,
    private readonly session: ort.InferenceSession,
    private readonly spec: ForegroundModelSpec,
    readonly activeProvider: string,
    readonly providerNote: string | null,
  ) {}

  static async load(id: string, dir: string, executionProvider: ExecutionProviderChoice): Promise<ForegroundProvider> {
    const manifest = await readForegroundManifest(dir);
    const opened = await openSessions([{ part: 'model', path: join(dir, manifest.model.file) }], resolveExecutionProvider(executionProvider));
    const session = opened.sessions.get('model')!;
    const spec = foregroundSpecOf(manifest);
    if (!session.inputNames.includes(spec.inputName) || !session.outputNames.includes(spec.outputName)) {
      await session.release();
      throw new AppError('invalid_file', `${manifest.model.file}: expected input "${spec.inputName}" and output "${spec.outputName}", the file has inputs ${session.inputNames.join(', ')} and outputs ${session.outputNames.join(', ')}.`);
    }
    return new ForegroundProvider(id, session, spec, opened.activeProvider, opened.providerNote);
  }

  isPrepared(image: WorkerImage): boolean {
    return this.decoded.has(image);
  }

  async prepare(image: WorkerImage): Promise<PreparedImage> {
    return (await this.decoded.get(image)).prepared;
  }

  /** The model's probability map for a crop, from the cache when the same crop was run before. */
  private async probability(prepared: PreparedImage, rgb: RgbImage, crop: CropRect): Promise<ProbabilityMap> {
    const key = cropKey(prepared, crop);
    const known = this.probabilities.get(key);
    if (known) return known;
    const map = probabilityMap(await foregroundProbability(this.session, rgb, crop, this.spec));
    this.probabilities.set(key, map, map.values.byteLength);
    return map;
  }

  async segment(
    image: WorkerImage,
    _prepared: PreparedImage,
    prompt: WorkerPrompt,
    options: SegmentOptions,
    _memory: Float32Array | undefined,
    progress: (done: number, total: number) => void,
  ): Promise<ProviderResult> {
    assertPromptKinds(this, prompt, options);
    const { prepared, rgb } = await this.decoded.get(image);
    const size = { width: rgb.width, height: rgb.height };
    const positive = prompt.clicks.filter((c) => c.positive).map((c): [number, number] => [c.x, c.y]);
    const negative = prompt.clicks.filter((c) => !c.positive).map((c): [number, number] => [c.x, c.y]);
    const box = prompt.box;
    const keepAt = positive.length ? positive : box ? [[(box[0] + box[2]) / 2, (box[1] + box[3]) / 2] as [number, number]] : [];
    if (keepAt.length === 0) throw new AppError('bad_request', `${this.id} needs a box or a positive click on the object.`);
    const keep = { keepAt, dropAt: negative };
    const clicked = prompt.clicks.length > 0;
    if (!box) {
      const whole = { x: 0, y: 0, w: rgb.width, h: rgb.height };
      const prob = await this.probability(prepared, rgb, whole);
      const found = viewMask(prob, whole, size, keep);
      const candidates = [this.candidate(prob, found, 'whole image')];
      if (clicked) candidates.unshift(await this.refined(rgb, prob, probabilityPrior(prob, whole), prompt));
      return { candidates, best: 0, rule: clicked ? 'GrabCut refinement from the clicks' : 'the foreground of the whole image' };
    }
    // Two views of the box: close (the object fills the model's input) and
    // with context (small objects are only salient among their surroundings),
    // plus what the wide view holds beyond the close one (an object that
    // another stands on); the one whose bounds fit the box is preselected.
    const crops = CONTEXT_MARGINS.map((margin) => contextCrop(box, size, margin));
    // Progress only when the model runs (seconds); cached crops answer at once.
    const report = crops.some((crop) => !this.probabilities.has(cropKey(prepared, crop))) ? progress : () => undefined;
    const views: { prob: ProbabilityMap; mask: BinaryCrop; prior: Prior; note: string }[] = [];
    for (const [i, crop] of crops.entries()) {
      report(i, crops.length);
      const prob = await this.probability(prepared, rgb, crop);
      views.push({ prob, mask: viewMask(prob, crop, size, keep), prior: probabilityPrior(prob, crop), note: VIEW_NOTES[i]! });
    }
    report(crops.length, crops.length);
    const [close, wide] = views as [(typeof views)[0], (typeof views)[0]];
    const nested = nestedRemainder(wide.mask, close.mask, box, BOX_SLACK);
    if (nested) views.push({ prob: wide.prob, mask: nested, prior: maskPrior(nested), note: 'wide minus close view' });
    const chosen = bestBoxFit(views.map((v) => v.mask), box);
    const candidates = views.map((v) => this.candidate(v.prob, v.mask, v.note, box));
    if (!clicked) return { candidates, best: chosen, rule: 'the view whose bounds fit the box best' };
    // Clicks refine: GrabCut starts from the chosen view and takes the clicks as seeds.
    candidates.unshift(await this.refined(rgb, views[chosen]!.prob, views[chosen]!.prior, prompt));
    return { candidates, best: 0, rule: 'GrabCut refinement from the clicks, started from the view that fits the box best' };
  }

  private async refined(rgb: RgbImage, prob: ProbabilityMap, prior: Prior, prompt: WorkerPrompt): Promise<ProviderCandidate> {
    this.cv ??= loadOpenCv();
    const cv = await this.cv;
    const points = (positive: boolean) => prompt.clicks.filter((c) => c.positive === positive).map((c): [number, number] => [c.x, c.y]);
    const mask = grabCutMask(cv, rgb, { box: prompt.box, foreground: points(true), background: points(false), prior });
    return { mask: new FixedMask(mask), score: mask.area ? prob.confidence : 0, stability: prob.sharpness, classEmbedding: null, note: 'GrabCut from the clicks' };
  }

  async everything(image: WorkerImage, _prepared: PreparedImage, _params: unknown, progress: (done: number, total: number) => void): Promise<ProviderResult> {
    const { prepared, rgb } = await this.decoded.get(image);
    progress(0, 1);
    const crop = { x: 0, y: 0, w: rgb.width, h: rgb.height };
    const prob = await this.probability(prepared, rgb, crop);
    progress(1, 1);
    return { candidates: [this.candidate(prob, viewMask(prob, crop, rgb, {}), 'whole image')], best: 0, rule: 'the foreground of the whole image' };
  }

  private candidate(prob: ProbabilityMap, mask: BinaryCrop, note: string, box?: Corners): ProviderCandidate {
    // A box says where the object is: salient things that only touch it (the saucer under a cup) stay outside.
    const kept = box ? clipToBox(mask, box) : mask;
    return { mask: new FixedMask(kept), score: kept.area ? prob.confidence : 0, stability: prob.sharpness, classEmbedding: null, note };
  }

  async embedText(): Promise<Float32Array> {
    throw new AppError('unsupported', `${this.id} has no text encoder.`);
  }

  async release(): Promise<void> {
    this.decoded.clear();
    this.probabilities.clear();
    await this.session.release();
  }
}

const cropKey = (prepared: PreparedImage, crop: CropRect): string => `${prepared.key}:${crop.x},${crop.y},${crop.w},${crop.h}`;

/** Box slack, as a share of its size: hand-drawn boxes are often a little tight. */
const BOX_SLACK = 0.03;
/**
 * Context around a box, as a share of its size on each side: the box itself
 * and a wide view. Box mIoU on assets/photos (isnet-medium), choosing by box
 * fit with the nested remainder: margins 0 and 0.5 gave 0.867, 0.1 and 0.5
 * 0.829, four views (0, 0.1, 0.25, 0.5) 0.864 at twice the time. Without
 * the choice, one margin of 0.1 gave 0.727, 0.5 gave 0.763.
 */
const CONTEXT_MARGINS = [0, 0.5] as const;
const VIEW_NOTES = ['close view', 'wide view'] as const;
/** The model was trained on whole photographs: very thin crops, stretched to its square input, confuse it. */
const MIN_CROP_ASPECT = 0.6;

/** The box with a margin, widened along its short side towards a squarer crop, inside the image. */
export function contextCrop(box: readonly [number, number, number, number], size: { width: number; height: number }, margin: number): CropRect {
  const c = foregroundCrop(box, size, margin);
  const grow = (start: number, length: number, want: number, limit: number): [number, number] => {
    if (length >= want) return [start, length];
    const target = Math.min(limit, Math.ceil(want));
    const from = Math.max(0, Math.min(limit - target, Math.round(start - (target - length) / 2)));
    return [from, target];
  };
  const [x, w] = grow(c.x, c.w, c.h * MIN_CROP_ASPECT, size.width);
  const [y, h] = grow(c.y, c.h, c.w * MIN_CROP_ASPECT, size.height);
  return { x, y, w, h };
}

/** The mask without what lies outside the box (grown by BOX_SLACK). */
function clipToBox(mask: BinaryCrop, box: Corners): BinaryCrop {
  const sx = (box[2] - box[0]) * BOX_SLACK;
  const sy = (box[3] - box[1]) * BOX_SLACK;
  const { x: mx, y: my, w, h } = mask.box;
  // Pixel centres all inside: nothing to clip (whole-image boxes on large photos).
  if (mask.area === 0 || (mx + 0.5 >= box[0] - sx && my + 0.5 >= box[1] - sy && mx + w - 0.5 <= box[2] + sx && my + h - 0.5 <= box[3] + sy)) return mask;
  const pixels = mask.pixels.slice();
  for (let y = 0; y < h; y++) {
    const iy = my + y + 0.5;
    const outsideRow = iy < box[1] - sy || iy > box[3] + sy;
    for (let x = 0; x < w; x++) {
      const ix = mx + x + 0.5;
      if (outsideRow || ix < box[0] - sx || ix > box[2] + sx) pixels[y * w + x] = 0;
    }
  }
  return fromFullMask(pixels, w, h, mask.box);
}

/** GrabCut's initial labels: foreground where this is at least 0.5. */
type Prior = (x: number, y: number) => number;

/** The probability map as a prior; it covers the crop stretched to side x side (nearest sample is enough). */
function probabilityPrior({ values: prob }: ProbabilityMap, crop: CropRect): Prior {
  const side = Math.round(Math.sqrt(prob.length));
  return (x, y) => {
    const u = Math.floor(((x - crop.x) / crop.w) * side);
    const v = Math.floor(((y - crop.y) / crop.h) * side);
    return u < 0 || v < 0 || u >= side || v >= side ? 0 : prob[v * side + u]!;
  };
}

/** A mask as a prior: for the nested remainder, which no single probability map shows. */
function maskPrior(mask: BinaryCrop): Prior {
  const { x: mx, y: my, w, h } = mask.box;
  return (x, y) => {
    const u = Math.floor(x) - mx;
    const v = Math.floor(y) - my;
    return u < 0 || v < 0 || u >= w || v >= h ? 0 : mask.pixels[v * w + u]!;
  };
}

/** A view's mask: the probability map thresholded, with the components under the keep points, as a tight crop. */
function viewMask(prob: ProbabilityMap, crop: CropRect, size: { width: number; height: number }, keep: ForegroundMaskOptions): BinaryCrop {
  const found = foregroundMask(prob.values, crop, size, keep);
  return fromFullMask(found.pixels, crop.w, crop.h, crop);
}

/** A crop's probability map (S x S, 0..1) and the two figures candidates report, computed once per model run. */
interface ProbabilityMap {
  values: Float32Array;
  /** Mean probability of the confident pixels (>= 0.5): how sure the model is that something is there; 0 when nothing is. */
  confidence: number;
  /** The stability score's analogue for probabilities: pixels above 0.75 over pixels above 0.25. */
  sharpness: number;
}

function probabilityMap(values: Float32Array): ProbabilityMap {
  let sum = 0;
  let confident = 0;
  let inner = 0;
  let outer = 0;
  for (const p of values) {
    if (p >= 0.5) {
      sum += p;
      confident++;
    }
    if (p > 0.75) inner++;
    if (p > 0.25) outer++;
  }
  return { values, confidence: confident ? sum / confident : 0, sharpness: outer ? inner / outer : 0 };
}
