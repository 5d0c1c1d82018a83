// The message protocol between the main process and the inference worker.
// Every request carries a sequence number; the worker answers each with one
// `result` (a Result, never a thrown error) and may send `progress` for it
// before. Payloads are plain structured-clone data: typed arrays travel as
// such, masks as RLE. The one file the worker shares with the engine's main
// side (scripts/check-boundaries.mjs enforces it).
import type {
  Box,
  CandidateSet,
  DetectionSet,
  ExecutionProviderChoice,
  FeatureState,
  GeneratedCaption,
  LabelMap,
  MaterializedMask,
  PhraseScores,
  Polygon,
  PromptCapabilities,
  PromptSet,
  ProviderKind,
  Result,
  Rle,
  SegmentOptions,
} from '../common/contract/index.js';
import type { IoSpec } from './worker/models/manifestBase.js';

/** An image as the worker sees it: a file and the folder where its features may be kept. */
export interface WorkerImage {
  imageId: number;
  path: string;
  /** `<project>/.promptlabel/features`, or null to keep features in memory only. */
  cacheDir: string | null;
}

export interface WorkerLabel {
  labelId: string;
  name: string;
}

/**
 * The contract's PromptSet, validated (points inside the image, sizes
 * bounded), with the reference region's image resolved to a file: image
 * pixels, as the user gave them. Each provider converts it once into what
 * its model takes (the segmenter: SegmentPrompt, in the model frame).
 */
export type WorkerPrompt = Omit<PromptSet, 'reference'> & {
  /** One region from the user's prompt, or an auto-label job's examples of one label (their embeddings pooled). */
  reference?: { regions: WorkerRefRegion[] };
};

/** A region of an image (its box, or points of a scribble/outline), in that image's pixels. */
export interface WorkerRefRegion {
  image: WorkerImage;
  box?: [number, number, number, number];
  points?: [number, number][];
}

/** onnxruntime's names for the execution providers this app offers: the choices less 'auto'. */
export type ExecutionProviderName = Exclude<ExecutionProviderChoice, 'auto'>;

export interface EverythingParams {
  pointsPerSide: number;
  minScore: number;
  minAreaFraction: number;
  nmsIoU: number;
}

/** Interactive calls run first, then prefetch (the next images), then background work (auto-label jobs). */
export type Priority = 'interactive' | 'prefetch' | 'background';

export interface LoadedModel {
  modelId: string;
  activeProvider: string;
  /** Why the provider differs from the requested one. */
  note: string | null;
  capabilities: PromptCapabilities;
}

/** A model the worker can open: what `load` takes, and what `detect` names its detector and chained segmenter by. */
export interface ModelRef {
  modelId: string;
  modelDir: string;
  kind: ProviderKind;
  executionProvider: ExecutionProviderChoice;
}

export interface DetectPayload {
  image: WorkerImage;
  detector: ModelRef;
  /** A SAM-family model that turns each box into a mask (one decoder run per box on its cached features). */
  chain?: ModelRef;
  conf: number;
  iou: number;
  maxDetections: number;
  /** The project's labels, and the detector's remembered class -> label name map. */
  labels: WorkerLabel[];
  labelMap: LabelMap;
}

/** A label an auto-label job proposes, and whether it is stuff (one merged region per image). */
export interface JobLabel extends WorkerLabel {
  stuff: boolean;
}

/** What an auto-label job asks of one image (see engine/worker/autolabel). */
export type AutolabelSpec =
  | { source: 'names'; labels: JobLabel[]; vocabulary: WorkerLabel[] }
  | { source: 'examples'; groups: { label: JobLabel; regions: WorkerRefRegion[] }[] }
  | { source: 'detector'; detect: Omit<DetectPayload, 'image'>; stuffLabelIds: string[] }
  | { source: 'features' };

export interface AutolabelPayload {
  /** The loaded model (names, examples, features); a detector job names its models in the spec. */
  modelId: string;
  image: WorkerImage;
  spec: AutolabelSpec;
  minScore: number;
  nmsIoU: number;
  everything: EverythingParams;
}

/** One proposal at full resolution: the mask as image-sized RLE (null for a detector's box without a mask), its outline, measures and label. */
export interface AutolabelProposal {
  labelId: string | null;
  score: number;
  rle: Rle | null;
  outline: Polygon[];
  box: Box;
  area: number;
}

export interface AutolabelAnswer {
  proposals: AutolabelProposal[];
  featureSource: CandidateSet['timing']['featureSource'];
  encodeMs: number;
  /** Everything after the features: proposals, prompts, masks. */
  decodeMs: number;
  /** Per label (names) or example group: its prompt's decoder time. */
  perLabelMs: number[];
}

/**
 * Request kind → [payload, answer]. Calls that use the loaded model name it
 * (`modelId`): a call queued before another model was loaded is refused as
 * superseded (SUPERSEDED_MESSAGE) rather than answered by the wrong model.
 */
export interface WorkerCalls {
  load: [ModelRef, LoadedModel];
  encode: [{ modelId: string; image: WorkerImage }, { featureSource: CandidateSet['timing']['featureSource']; encodeMs: number }];
  segment: [
    {
      modelId: string;
      image: WorkerImage;
      prompt: WorkerPrompt;
      options?: SegmentOptions;
      previous?: { candidateSetId: string; index: number };
      labels: WorkerLabel[];
    },
    CandidateSet,
  ];
  everything: [{ modelId: string; image: WorkerImage; params: EverythingParams; labels: WorkerLabel[] }, CandidateSet];
  /**
   * A caption with a point per word from the loaded model's caption head;
   * `box` (x0, y0, x1, y1 image pixels) describes that region; `phrase`
   * instead finds what the phrase names (its words, each with that point).
   */
  caption: [{ modelId: string; image: WorkerImage; box: [number, number, number, number] | null; phrase: string | null }, GeneratedCaption];
  /** How well `phrase` describes each box (x0, y0, x1, y1 image pixels), by the caption head: ai.phraseScores. */
  phraseScores: [{ modelId: string; image: WorkerImage; boxes: [number, number, number, number][]; phrase: string }, PhraseScores];
  /** A detector's whole-image detections (loaded beside the current model, as is the chained segmenter). */
  detect: [DetectPayload, DetectionSet];
  materialize: [{ candidateSetId: string; index: number }, MaterializedMask];
  /** An auto-label job's work on one image: its proposals at full resolution (runs at background priority). */
  autolabel: [AutolabelPayload, AutolabelAnswer];
  /** Which of these images have features in memory or on disk for the loaded model. */
  featureStates: [{ modelId: string; images: WorkerImage[] }, Record<number, FeatureState>];
  setCacheLimit: [{ bytes: number }, CacheStats];
  stats: [Record<string, never>, CacheStats];
  /** The execution providers the worker's onnxruntime can attempt, 'cpu' first (no model needed). */
  executionProviders: [Record<string, never>, ExecutionProviderName[]];
  /** How an ONNX file differs from the tensors it must have, opened on the CPU (no model needed); empty when it matches. */
  checkSignature: [{ path: string; io: IoSpec }, string[]];
}
export type WorkerCallKind = keyof WorkerCalls;
export type CallPayload<K extends WorkerCallKind> = WorkerCalls[K][0];
export type CallAnswer<K extends WorkerCallKind> = WorkerCalls[K][1];

export interface CacheStats {
  entries: number;
  bytes: number;
  limitBytes: number;
}

export type ToWorker =
  | { type: 'call'; seq: number; kind: WorkerCallKind; priority: Priority; payload: unknown }
  /** Cancels calls: queued ones are dropped, the running one answers at once and stops at its next checkpoint; each answers `cancelled`. */
  | { type: 'cancel'; seqs: number[] };

export type FromWorker =
  | { type: 'result'; seq: number; result: Result<unknown> }
  | { type: 'progress'; seq: number; done: number; total: number }
  | { type: 'encoding'; imageId: number; state: FeatureState; priority: Priority; message: string | null }
  | { type: 'ready' };

/** The message a cancelled call answers with, so callers can tell it from a failure. */
export const CANCELLED_MESSAGE = 'cancelled';

/** A call for a model that is no longer the loaded one (answered as conflict, never with the other model's masks). */
export const SUPERSEDED_MESSAGE = 'superseded: another model was loaded while this request waited; prompt again';
