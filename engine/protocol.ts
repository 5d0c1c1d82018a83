// The message protocol between the main process and the inference worker.
// Every request carries a sequence number; the worker answers each with one
// `result` (a Result, never a thrown error) and may send `progress` for it
// before. Payloads are plain structured-clone data: typed arrays travel as
// such, masks as RLE.
import type {
  CandidateSet,
  ExecutionProviderChoice,
  FeatureState,
  MaterializedMask,
  PromptCapabilities,
  ProviderKind,
  Result,
  SegmentOptions,
} from '../common/contract/index.js';

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

/** Prompts in image pixels, already validated (inside the image, sizes bounded). */
export interface WorkerPrompt {
  clicks: { x: number; y: number; positive: boolean }[];
  box?: [number, number, number, number];
  scribbles: { points: [number, number][]; positive: boolean; region?: number }[];
  text?: string;
  reference?: { image: WorkerImage; box?: [number, number, number, number]; points?: [number, number][] };
}

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

/** Request kind → [payload, answer]. */
export interface WorkerCalls {
  load: [{ modelId: string; modelDir: string; kind: ProviderKind; executionProvider: ExecutionProviderChoice }, LoadedModel];
  encode: [{ image: WorkerImage }, { featureSource: CandidateSet['timing']['featureSource']; encodeMs: number }];
  segment: [
    { image: WorkerImage; prompt: WorkerPrompt; options?: SegmentOptions; previous?: { candidateSetId: string; index: number }; labels: WorkerLabel[] },
    CandidateSet,
  ];
  everything: [{ image: WorkerImage; params: EverythingParams; labels: WorkerLabel[] }, CandidateSet];
  materialize: [{ candidateSetId: string; index: number }, MaterializedMask];
  /** Which of these images have features in memory or on disk for the loaded model. */
  featureStates: [{ images: WorkerImage[] }, Record<number, FeatureState>];
  setCacheLimit: [{ bytes: number }, CacheStats];
  stats: [Record<string, never>, CacheStats];
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
