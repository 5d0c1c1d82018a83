// The classical provider: OpenCV (WebAssembly, loaded once, lazily, in the
// worker) on the decoded photo. No learned weights, so it works on any
// photograph, following colour and edges:
//   a click with a tolerance      -> magic wand (flood fill), within the box if one is drawn
//   scribbles in several regions  -> watershed, one mask per region
//   a box and/or seed clicks/strokes -> GrabCut, seeds as definite foreground/background
import { AppError, type PromptCapabilities, type SegmentOptions } from '../../../../common/contract/index.js';
import type { WorkerImage, WorkerPrompt } from '../../../protocol.js';
import { fromFullMask, toFullMask } from '../../binaryCrop.js';
import type { MaskCrop } from '../../candidateMasks.js';
import { DecodedImages } from '../../decodedImages.js';
import { FixedMask } from '../../fixedMask.js';
import { assertPromptKinds, type MaskProvider, type PreparedImage, type ProviderCandidate, type ProviderResult } from '../../maskProvider.js';
import type { RgbImage } from '../../rgbImage.js';
import { magicWand } from './floodFill.js';
import { grabCutMask } from './grabCut.js';
import { CLASSICAL_CAPABILITIES } from './manifest.js';
import { type CvApi,loadOpenCv } from './opencv.js';
import { watershedRegions } from './watershed.js';

/** The retry's context around a box that gave nothing (measured: helpful only then). */
const WIDE_BOX_MARGIN = 1;

export class ClassicalProvider implements MaskProvider {
  readonly capabilities: PromptCapabilities = CLASSICAL_CAPABILITIES;
  readonly scoreKind = null;
  readonly activeProvider = 'cpu (OpenCV WebAssembly)';
  readonly providerNote = null;
  private readonly decoded = new DecodedImages();
  private cv: Promise<CvApi> | null = null;

  constructor(readonly id: string) {}

  private opencv(): Promise<CvApi> {
    this.cv ??= loadOpenCv();
    return this.cv;
  }

  isPrepared(image: WorkerImage): boolean {
    return this.decoded.has(image);
  }

  async prepare(image: WorkerImage): Promise<PreparedImage> {
    const [{ prepared }] = await Promise.all([this.decoded.get(image), this.opencv()]);
    return prepared;
  }

  async segment(image: WorkerImage, _prepared: PreparedImage, prompt: WorkerPrompt, options: SegmentOptions): Promise<ProviderResult> {
    assertPromptKinds(this, prompt, options);
    const [cv, { rgb }] = await Promise.all([this.opencv(), this.decoded.get(image)]);
    try {
      return this.run(cv, rgb, prompt, options);
    } catch (error) {
      // The algorithms refuse impossible geometry (a seed outside `within`, …) with RangeError.
      if (error instanceof RangeError) throw new AppError('bad_request', error.message);
      throw error;
    }
  }

  private run(cv: CvApi, rgb: RgbImage, prompt: WorkerPrompt, options: SegmentOptions): ProviderResult {
    if (options.tolerance !== undefined) return single(this.wand(cv, rgb, prompt, options), 'magic wand: the one fill from the clicks');
    const regions = new Set(prompt.scribbles.filter((s) => s.positive).map((s) => s.region ?? 0));
    if (regions.size > 1) return this.watershed(cv, rgb, prompt);
    const positive = [...prompt.clicks.filter((c) => c.positive).map((c): [number, number] => [c.x, c.y]), ...prompt.scribbles.filter((s) => s.positive).flatMap((s) => s.points)];
    const negative = [...prompt.clicks.filter((c) => !c.positive).map((c): [number, number] => [c.x, c.y]), ...prompt.scribbles.filter((s) => !s.positive).flatMap((s) => s.points)];
    if (!prompt.box && positive.length === 0) throw new AppError('bad_request', 'GrabCut needs a box or at least one positive click or stroke on the object.');
    const grabCut = { box: prompt.box, foreground: positive, background: negative, iterations: options.iterations };
    const mask = grabCutMask(cv, rgb, grabCut);
    // Nothing found in a box: the thin frame around a small object was too like it (a dark camera by a
    // dark glove); a wider frame gives GrabCut more background to learn from. Only then, as it can
    // hurt objects that fill their box.
    if (mask.area === 0 && prompt.box) return single(grabCutMask(cv, rgb, grabCut, { boxMargin: WIDE_BOX_MARGIN }), 'GrabCut: the one mask (retried with a wider frame)');
    return single(mask, 'GrabCut: the one mask');
  }

  /** Union of the fills from the positive clicks, minus those from negative clicks. */
  private wand(cv: CvApi, rgb: RgbImage, prompt: WorkerPrompt, options: SegmentOptions): MaskCrop {
    const seeds = prompt.clicks.filter((c) => c.positive);
    if (seeds.length === 0) throw new AppError('bad_request', 'The magic wand needs a positive click where the fill starts.');
    const within = options.within ?? prompt.box;
    const fill = (x: number, y: number) => toFullMask(magicWand(cv, rgb, { x, y }, options.tolerance!, within), rgb.width, rgb.height);
    const union = new Uint8Array(rgb.width * rgb.height);
    for (const s of seeds) fill(s.x, s.y).forEach((v, i) => (union[i] = union[i]! | v));
    for (const s of prompt.clicks.filter((c) => !c.positive)) fill(s.x, s.y).forEach((v, i) => v && (union[i] = 0));
    return fromFullMask(union, rgb.width, rgb.height);
  }

  /** One candidate per scribble region, in region order. */
  private watershed(cv: CvApi, rgb: RgbImage, prompt: WorkerPrompt): ProviderResult {
    const masks = watershedRegions(
      cv,
      rgb,
      prompt.scribbles.filter((s) => s.positive).map((s) => ({ points: s.points, region: s.region ?? 0 })),
      { background: prompt.scribbles.filter((s) => !s.positive).map((s) => s.points) },
    );
    const candidates: ProviderCandidate[] = [...masks.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, crop]) => ({ mask: new FixedMask(crop), score: null, stability: 1, classEmbedding: null }));
    return { candidates, best: 0, rule: 'watershed: one mask per scribble region, the first region first' };
  }

  async everything(): Promise<ProviderResult> {
    throw new AppError('unsupported', `${this.id} proposes nothing without a prompt: draw a box, or scribble regions.`);
  }

  async embedText(): Promise<Float32Array> {
    throw new AppError('unsupported', `${this.id} has no text encoder.`);
  }

  async release(): Promise<void> {
    this.decoded.clear();
  }
}

/** A binary mask has no soft edge: thresholds at ±1 give the same mask, so its stability is 1. */
function single(crop: MaskCrop, rule: string): ProviderResult {
  return { candidates: [{ mask: new FixedMask(crop), score: null, stability: 1, classEmbedding: null }], best: 0, rule };
}
