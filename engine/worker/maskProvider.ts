// One interface for every source of masks in the worker: an ONNX model with
// the Segment Anything signature, the classical OpenCV provider, the
// foreground model, SAM 2 exports, YOLO detectors. Each takes the same
// prompts and returns the same candidates, saying which rule picked the one
// to preselect; what it cannot take is declared in its capabilities and
// refused. Detectors also answer `detect` (whole-image boxes with classes).
import { AppError, type PromptCapabilities, type ScoreKind, type SegmentOptions } from '../../common/contract/index.js';
import type { EverythingParams, WorkerImage, WorkerPrompt } from '../protocol.js';
import type { MaskCrop } from './candidateMasks.js';
import type { CaptionWord } from './captionWords.js';

/** A candidate's mask, evaluated on demand at display or full resolution. */
export interface CandidateMask {
  /** Tight crop; downscaled so its longest side is at most `maxSide`. */
  crop(maxSide?: number): MaskCrop;
  /** Memory held while the candidate is kept for materialize and the memory prompt. */
  readonly bytes: number;
}

export interface ProviderCandidate {
  mask: CandidateMask;
  /** The provider's confidence in 0..1 (predicted IoU for segmenters); null when it has none. */
  score: number | null;
  stability: number;
  /** In the text encoder's space, for label guesses; null when the provider has none. */
  classEmbedding: Float32Array | null;
  /** What to feed back as the memory prompt next round (segmenters' low-res logits). */
  memory?: Float32Array;
  /** Tells this candidate from the others, for the candidate list (e.g. "wide view of the box"). */
  note?: string;
}

export interface PreparedImage {
  /** Identifies the image content under this provider (feature or decode cache key). */
  key: string;
  source: 'memory' | 'disk' | 'encoded';
  encodeMs: number;
  width: number;
  height: number;
}

export interface ProviderResult {
  candidates: ProviderCandidate[];
  /** The provider's own pick, or null to let the engine choose (then ENGINE_PICK_RULE says how). */
  best: number | null;
  /** How `best` is chosen, in a few words for the panel (required: every provider states its rule). */
  rule: string;
}

/** The rule the engine applies when a provider leaves `best` to it (workerCalls.pickBest). */
export const ENGINE_PICK_RULE = 'sharpest mask (stability score), then highest predicted IoU';

/** Detector thresholds, resolved (request, else engine settings). */
export interface DetectParams {
  conf: number;
  iou: number;
  maxDetections: number;
}

/** One detection in image pixels. */
export interface ProviderDetection {
  classId: number;
  score: number;
  /** x0, y0, x1, y1 in image pixels. */
  box: [number, number, number, number];
  /** The instance segmenter's mask; null for plain detectors. */
  mask: CandidateMask | null;
}

export interface DetectorOutput {
  detections: ProviderDetection[];
  /** Class names by id (the manifest's). */
  classNames: string[];
  /** How detections were chosen, for the panel. */
  rule: string;
}

export interface MaskProvider {
  readonly id: string;
  readonly capabilities: PromptCapabilities;
  /** What its candidates' scores measure; null when it gives none. */
  readonly scoreKind: ScoreKind | null;
  readonly activeProvider: string;
  readonly providerNote: string | null;
  /** Whether `prepare` would find the image ready without heavy work. */
  isPrepared(image: WorkerImage): boolean;
  /** Encodes (or decodes) the image once; later calls hit the cache. */
  prepare(image: WorkerImage): Promise<PreparedImage>;
  /** `progress` is for providers whose prompts take seconds (the foreground model); fast ones need not call it. */
  segment(
    image: WorkerImage,
    prepared: PreparedImage,
    prompt: WorkerPrompt,
    options: SegmentOptions,
    memory: Float32Array | undefined,
    progress: (done: number, total: number) => void,
  ): Promise<ProviderResult>;
  /** Proposals for the whole image (grid of prompts, or the whole-image foreground). */
  everything(
    image: WorkerImage,
    prepared: PreparedImage,
    params: EverythingParams,
    progress: (done: number, total: number) => void,
    /** Awaited between steps by providers whose proposals take many model runs (background jobs yield to clicks there). */
    checkpoint?: () => Promise<void>,
  ): Promise<ProviderResult>;
  /** Words with a point each (image pixels), of the whole image or of `region`; only when capabilities.caption. */
  caption?(
    image: WorkerImage,
    prepared: PreparedImage,
    region: [number, number, number, number] | null,
    checkpoint?: () => Promise<void>,
  ): Promise<CaptionWord[]>;
  /** Phrase -> point: the phrase's words (phraseWords), each with the point of what they name (image pixels); only when capabilities.caption. */
  locatePhrase?(image: WorkerImage, prepared: PreparedImage, words: readonly string[]): Promise<CaptionWord[]>;
  /** How well the phrase describes each box (image pixels): the log-probability of its likeliest reading (phraseReadings); only when capabilities.caption. */
  phraseScores?(
    image: WorkerImage,
    prepared: PreparedImage,
    boxes: readonly [number, number, number, number][],
    readings: readonly (readonly string[])[],
  ): Promise<number[]>;
  /** Text embedding for label guesses; only when capabilities.labels. */
  embedText(phrase: string): Promise<Float32Array>;
  /** Whole-image detections (detectors and instance segmenters only: capabilities.detect). */
  detect?(
    image: WorkerImage,
    prepared: PreparedImage,
    params: DetectParams,
    progress: (done: number, total: number) => void,
  ): Promise<DetectorOutput>;
  release(): Promise<void>;
}

/** Refuses the prompt kinds a provider does not take, naming the first one. */
export function assertPromptKinds(
  provider: Pick<MaskProvider, 'id' | 'capabilities'>,
  prompt: WorkerPrompt,
  options: SegmentOptions,
): void {
  const caps = provider.capabilities;
  const refuse = (what: string) => {
    throw new AppError('unsupported', `${provider.id} cannot take ${what}.${caps.promptNote ? ` ${caps.promptNote}` : ''}`);
  };
  if (prompt.clicks.length > 0 && !caps.points && !caps.wand) refuse('clicks');
  if (prompt.box && !caps.box) refuse('a box');
  if (prompt.scribbles.length > 0 && !caps.scribble && !caps.regions) refuse('scribbles');
  if (prompt.text !== undefined && !caps.text) refuse('text prompts');
  if (prompt.reference && !caps.reference) refuse('reference regions');
  if (options.tolerance !== undefined && !caps.wand) refuse('a magic-wand tolerance');
}
