// The promptable ONNX segmenter (built-in model, Segment Anything exports) as
// a mask provider: features through the cache, prompts to decoder feeds,
// candidates as low-res logits evaluated where the object is.
import { AppError, type ExecutionProviderChoice, type SegmentOptions } from '../../../../common/contract/index.js';
import type { EverythingParams, WorkerImage, WorkerPrompt } from '../../../protocol.js';
import { CandidateLogits, stabilityScore } from '../../candidateMasks.js';
import type { CaptionWord } from '../../captionWords.js';
import type { FeatureCache } from '../../featureCache.js';
import { assertPromptKinds, ENGINE_PICK_RULE, type MaskProvider, type PreparedImage, type ProviderResult } from '../../maskProvider.js';
import type { Captioner, RegionCorners } from './captioner.js';
import { proposeEverything } from './everything.js';
import { ModelRuntime } from './modelRuntime.js';
import { assemblePrompt } from './promptAssembly.js';
import { PromptableSegmenter } from './segmenter.js';

export class SegmenterProvider implements MaskProvider {
  readonly scoreKind = 'predicted-iou' as const;

  private constructor(private readonly runtime: ModelRuntime) {}

  static async load(id: string, dir: string, executionProvider: ExecutionProviderChoice, cache: FeatureCache): Promise<SegmenterProvider> {
    const segmenter = await PromptableSegmenter.load(dir, { executionProvider });
    return new SegmenterProvider(new ModelRuntime(id, segmenter, cache));
  }

  get id(): string {
    return this.runtime.modelId;
  }
  get capabilities() {
    return this.runtime.capabilities;
  }
  get activeProvider(): string {
    return this.runtime.segmenter.activeProvider;
  }
  get providerNote(): string | null {
    return this.runtime.segmenter.providerNote;
  }

  isPrepared(image: WorkerImage): boolean {
    return this.runtime.hasFeatures(image);
  }

  async prepare(image: WorkerImage): Promise<PreparedImage> {
    const found = await this.runtime.features(image);
    return { key: found.features.key, source: found.source, encodeMs: found.encodeMs, width: found.features.frame.origWidth, height: found.features.frame.origHeight };
  }

  /** The features prepare() just put in the cache (looked up by key, not hashed again). */
  private async features(image: WorkerImage, prepared: PreparedImage) {
    return this.runtime.cachedFeatures(prepared.key) ?? (await this.runtime.features(image)).features;
  }

  async segment(image: WorkerImage, prepared: PreparedImage, prompt: WorkerPrompt, options: SegmentOptions, memory: Float32Array | undefined): Promise<ProviderResult> {
    assertPromptKinds(this, prompt, options);
    const features = await this.features(image, prepared);
    const decoded = await this.runtime.decode(features, await assemblePrompt(this.runtime, prompt, memory));
    return {
      candidates: decoded.candidates.map((c) => ({
        mask: new CandidateLogits(c.low, features.frame),
        score: c.score,
        stability: stabilityScore(c.low, features.frame),
        classEmbedding: c.classEmbedding,
        memory: c.low.data,
      })),
      best: decoded.modelBest,
      rule:
        decoded.modelBest === null
          ? ENGINE_PICK_RULE
          : "Segment Anything's rule (select_masks): the single-mask output with several points, else the highest predicted IoU",
    };
  }

  async everything(
    image: WorkerImage,
    prepared: PreparedImage,
    params: EverythingParams,
    progress: (done: number, total: number) => void,
    checkpoint?: () => Promise<void>,
  ): Promise<ProviderResult> {
    const features = await this.features(image, prepared);
    const kept = await proposeEverything(this.runtime, features, params, progress, checkpoint);
    return {
      candidates: kept.map((p) => ({ mask: new CandidateLogits(p.low, features.frame), score: p.score, stability: p.stability, classEmbedding: p.classEmbedding, memory: p.low.data })),
      best: 0,
      rule: 'proposals ordered by predicted IoU x stability; duplicates removed',
    };
  }

  async caption(image: WorkerImage, prepared: PreparedImage, region: RegionCorners | null, checkpoint?: () => Promise<void>): Promise<CaptionWord[]> {
    const features = await this.features(image, prepared);
    return this.requireCaptioner().caption(features.frame, features.embeddings, region, checkpoint);
  }

  async locatePhrase(image: WorkerImage, prepared: PreparedImage, words: readonly string[]): Promise<CaptionWord[]> {
    const features = await this.features(image, prepared);
    return this.requireCaptioner().locate(features.frame, features.embeddings, words);
  }

  async phraseScores(image: WorkerImage, prepared: PreparedImage, boxes: readonly RegionCorners[], readings: readonly (readonly string[])[]): Promise<number[]> {
    const features = await this.features(image, prepared);
    return this.requireCaptioner().describes(features.frame, features.embeddings, boxes, readings);
  }

  private requireCaptioner(): Captioner {
    const captioner = this.runtime.segmenter.captioner;
    if (!captioner) throw new AppError('unsupported', `Model ${this.id} has no caption head: captions need a model whose manifest declares "captioner".`);
    return captioner;
  }

  embedText(phrase: string): Promise<Float32Array> {
    return this.runtime.embedText(phrase);
  }

  async release(): Promise<void> {
    await this.runtime.segmenter.release();
  }
}
