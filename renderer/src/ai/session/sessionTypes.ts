// The AI session's vocabulary: its states, what it shows (the view React
// reads), what it needs from the app around it (the host, so the machine is
// plain TypeScript and its tests need no store, no DOM and no transport),
// and the data its states share.
import type {
  Annotation,
  CandidateSet,
  DetectionSet,
  Label,
  MaterializedMask,
  ModelInfo,
  RequestOf,
  ScribblePromptInput,
} from '../../../../common/contract/index.js';
import type { Corners } from '../../lib/corners.js';
import type { PromptDraft } from '../aiPrompts.js';

export type SegmentRequest = RequestOf<'ai.segment'>;
export type EverythingRequest = RequestOf<'ai.everything'>;
export type DetectRequest = RequestOf<'ai.detect'>;
export type MaterializeRequest = RequestOf<'ai.materialize'>;
/** A candidate the next request refines (the memory prompt). */
export type Memory = NonNullable<SegmentRequest['previous']>;

/**
 * - idle: nothing in flight, no candidate shown (prompts that send nothing, e.g. a box for the wand, may stay);
 * - prompting: a prompt request is in flight, latest wins (the previous answer stays shown meanwhile);
 * - candidates: candidates are shown, nothing in flight;
 * - accepting: the shown candidate (or all of them) is being turned into annotations;
 * - everything: a "segment everything" request is in flight;
 * - detecting: a detector (ai.detect) is running on the image.
 */
export type SessionStateName = 'idle' | 'prompting' | 'candidates' | 'accepting' | 'everything' | 'detecting';

/**
 * Prompted candidates refine one object; region candidates are one mask per
 * scribble region (watershed); proposals cover the whole image (segment
 * everything); detections are a detector's objects, each with its class name.
 */
export type CandidateMode = 'prompt' | 'regions' | 'everything' | 'detections';

/** Modes whose candidates are separate objects of the whole image: accepted one by one or all, each leaving the list. */
export const isProposalMode = (mode: CandidateMode | undefined): boolean => mode === 'everything' || mode === 'detections';

/** The candidates on screen. */
export interface Shown {
  set: CandidateSet;
  mode: CandidateMode;
  /** In 'regions' mode, the region each candidate is (by position); empty otherwise. */
  regions: readonly number[];
  /** Position in `set.candidates` of the one shown / to accept. */
  selected: number;
  /** The request that produced the set (pairs the performance marks); 0 for proposals. */
  requestSeq: number;
  /** In 'detections' mode, the detector's answer the candidates were made from (by index); null otherwise. */
  detections: DetectionSet | null;
}

/** What the next prompt request refines. */
export type Refinement =
  /** The prompted candidate on screen (the usual case). */
  | { kind: 'shown' }
  /** Nothing: the prompts that made the shown mask were removed. */
  | { kind: 'none' }
  /** A fixed candidate: the one on screen before a box drag began, while the box follows the pointer. */
  | { kind: 'fixed'; memory: Memory };

/** A box being dragged: the box to put back if the drag is cancelled, and what the drag's requests refine. */
export interface BoxDrag {
  before: Corners | null;
  memory: Memory | null;
}

/** Choices that outlive prompts and candidates. */
export interface SessionSettings {
  /** Drags draw scribbles without Shift. */
  scribbleMode: boolean;
  /** Clicks are magic-wand seeds (when the provider has a wand). */
  wandMode: boolean;
  /** Magic-wand tolerance, 0..MAX_WAND_TOLERANCE (per channel, of 255). */
  wandTolerance: number;
  /** Region (0-based) new scribbles go to, for providers that split by regions. */
  region: number;
}

/** The label the shown candidate gets; `picked`: the user chose it, so refinements keep it over the model's guess. */
export interface LabelChoice {
  id: string | null;
  picked: boolean;
}

/** The data every state reads and writes. */
export interface SessionContext {
  prompts: PromptDraft;
  /** The scribble being drawn, before it becomes a prompt. */
  liveStroke: ScribblePromptInput | null;
  shown: Shown | null;
  label: LabelChoice;
  settings: SessionSettings;
  refinement: Refinement;
  boxDrag: BoxDrag | null;
  /**
   * The best candidate of an answer that was superseded before it arrived:
   * never shown (a mask for half the prompts is not what the user asked
   * for), but the next request refines it, as it would have refined it shown.
   */
  unshown: Memory | null;
}

/** The session as the UI reads it: replaced on every change. */
export interface AiSessionView {
  state: SessionStateName;
  prompts: PromptDraft;
  liveStroke: ScribblePromptInput | null;
  candidates: CandidateSet | null;
  /** The detector's answer behind the candidates in 'detections' mode (class names, unmapped classes); else null. */
  detections: DetectionSet | null;
  /** How to read the candidates; 'everything' / 'detections' already while proposals are being made. */
  mode: CandidateMode;
  regions: readonly number[];
  selected: number;
  requestSeq: number;
  labelId: string | null;
  labelPicked: boolean;
  settings: SessionSettings;
}

/** What the session needs from the app: the store implements it, tests script it. */
export interface AiSessionHost {
  /** The image on screen: prompts and candidates belong to it. */
  imageId(): number | null;
  /** The model requests go to; undefined until the engine has answered. */
  model(): ModelInfo | undefined;
  /** The engine's current model id (sent with requests). */
  modelId(): string | undefined;
  labels(): readonly Label[];
  /** What a candidate without a known label guess gets (as the manual tools use). */
  activeLabelId(): string | null;
  segment(request: SegmentRequest): Promise<CandidateSet>;
  everything(request: EverythingRequest): Promise<CandidateSet>;
  detect(request: DetectRequest): Promise<DetectionSet>;
  materialize(request: MaterializeRequest): Promise<MaterializedMask>;
  /** The answer of work the user cancelled (ai.cancel): information, not an error. */
  isCancelled(error: unknown): boolean;
  /** Adds the annotations to the document as one undo step. */
  commit(annotations: Annotation[]): void;
  select(annotationIds: string[]): void;
  info(message: string): void;
  error(error: unknown): void;
}
