// The message protocol between the main process and the inference worker.
// Every request carries a sequence number; the worker answers each with one
// `result` (a Result, never a thrown error) and may send `progress` for it
// before. Payloads are plain structured-clone data: typed arrays travel as
// such, masks as RLE. The one file the worker shares with the engine's main
// side (scripts/check-boundaries.mjs enforces it).
import type {
  CandidateSet,
  DetectionSet,
  ExecutionProviderChoice,
  FeatureState,
  LabelMap,
  MaterializedMask,
  PromptCapabilities,
  PromptSet,
  ProviderKind,
  Result,
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
  reference?: { image: WorkerImage; box?: [number, number, number, number]; points?: [number, number][] };
};

/** onnxruntime's names for the execution providers this app offers: the choices less 'auto'. */
export type ExecutionProviderName = Exclude<ExecutionProviderChoice, 'auto'>;

export interface EverythingParams {
  pointsPerSide: number;
  minScore: number;
  minAreaFraction: number;
  nmsIoU: number;
}

export type Priority = 'interactive' | 'prefetch';

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
  /** A detector's whole-image detections (loaded beside the current model, as is the chained segmenter). */
  detect: [DetectPayload, DetectionSet];
  materialize: [{ candidateSetId: string; index: number }, MaterializedMask];
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
