// The AI side of the contract: prompts the renderer sends, candidate masks it
// gets back, and the engine's status and settings. Masks travel as COCO RLE
// of a crop (never as arrays of floats), so a click on a 4000 px image costs
// a few hundred bytes on the wire.
import { z } from 'zod';

import type { Box, Polygon, Rle, TraceWord } from './domain.js';

const finite = z.number().finite();
const imageId = z.number().int().positive();
const point = z.tuple([finite, finite]);
/** The most boxes one ai.phraseScores call scores (Find asks for a handful). */
export const MAX_PHRASE_BOXES = 32;

/** x0, y0, x1, y1 in image pixels. */
const corners = z
  .tuple([finite, finite, finite, finite])
  .refine(([x0, y0, x1, y1]) => x1 > x0 && y1 > y0, 'a box needs x1 > x0 and y1 > y0');

/**
 * Where a prompt may lie: one rule for the renderer (a click beside the
 * image is not a prompt) and the engine (a point outside is refused, never
 * clamped). Image pixels, x right, y down; pixel (i, j) covers [i, i+1) x
 * [j, j+1), so a point (click, scribble or reference point) must lie on a
 * pixel: 0 <= x < width, 0 <= y < height.
 */
export function isInsideImage(x: number, y: number, width: number, height: number): boolean {
  return x >= 0 && y >= 0 && x < width && y < height;
}

/** A box corner may also lie on the right or bottom edge (a box dragged to the border covers the last pixel): 0 <= x <= width. */
export function isCornerInsideImage(x: number, y: number, width: number, height: number): boolean {
  return x >= 0 && y >= 0 && x <= width && y <= height;
}

/** More points than this in one request is refused: SEEM samples strokes down to 512 anyway. */
export const MAX_PROMPT_POINTS = 20_000;
const TOO_MANY_POINTS = `at most ${MAX_PROMPT_POINTS} prompt points in one request`;

export const clickPromptSchema = z.object({ x: finite, y: finite, positive: z.boolean() }).strict();
export type ClickPromptInput = z.infer<typeof clickPromptSchema>;

export const scribblePromptSchema = z
  .object({
    // Bounded per array so an oversized list is refused before its elements are read.
    points: z.array(point).min(1, 'a scribble needs at least one point').max(MAX_PROMPT_POINTS, TOO_MANY_POINTS),
    positive: z.boolean(),
    /** Region index for providers that split an image by scribbles (watershed); omitted = region 0. */
    region: z.number().int().min(0).max(31).optional(),
  })
  .strict();
export type ScribblePromptInput = z.infer<typeof scribblePromptSchema>;

/** A region of another image of the project (SEEM's visual reference prompt). */
export const referencePromptSchema = z
  .object({ imageId, box: corners.optional(), points: z.array(point).min(1).max(MAX_PROMPT_POINTS, TOO_MANY_POINTS).optional() })
  .strict()
  .refine((r) => r.box !== undefined || r.points !== undefined, 'a reference region needs a box or scribble points');
export type ReferencePromptInput = z.infer<typeof referencePromptSchema>;

export const promptSetSchema = z
  .object({
    clicks: z.array(clickPromptSchema).max(1000).default([]),
    box: corners.optional(),
    scribbles: z.array(scribblePromptSchema).max(200).default([]),
    text: z.string().trim().min(1).max(500).optional(),
    reference: referencePromptSchema.optional(),
  })
  .strict()
  .refine(
    (p) => p.clicks.length + p.scribbles.reduce((n, s) => n + s.points.length, 0) + (p.reference?.points?.length ?? 0) <= MAX_PROMPT_POINTS,
    TOO_MANY_POINTS,
  )
  .refine(
    (p) => p.clicks.length > 0 || p.box !== undefined || p.scribbles.length > 0 || p.text !== undefined || p.reference !== undefined,
    'give at least one prompt (click, box, scribble, text or reference region)',
  );
export type PromptSetInput = z.input<typeof promptSetSchema>;
export type PromptSet = z.output<typeof promptSetSchema>;

export const EXECUTION_PROVIDERS = ['auto', 'cpu', 'webgpu', 'cuda', 'dml', 'coreml'] as const;
export const executionProviderSchema = z.enum(EXECUTION_PROVIDERS);
export type ExecutionProviderChoice = z.infer<typeof executionProviderSchema>;

/** Detector thresholds (Ultralytics' predict defaults: 0.25, 0.7, 300). */
export const detectionSettingsSchema = z
  .object({
    /** A detection is kept when its score is strictly above this. */
    conf: z.number().min(0).max(1),
    /** NMS drops a box whose IoU with a better box of its class is strictly above this. */
    iou: z.number().min(0).max(1),
    maxDetections: z.number().int().min(1).max(1000),
  })
  .strict();
export type DetectionSettings = z.infer<typeof detectionSettingsSchema>;

export const engineSettingsSchema = z
  .object({
    executionProvider: executionProviderSchema,
    /** Memory budget of the image-feature LRU. */
    cacheLimitMB: z.number().int().min(16).max(65_536),
    /** How many of the next images in the list are encoded ahead. */
    prefetchCount: z.number().int().min(0).max(16),
    /**
     * Model used when a request names none. Choosing one while a project is
     * open remembers it for that project (`projectModels`); status reports the
     * open project's model here.
     */
    modelId: z.string().min(1).max(200),
    /** Detector thresholds used when an ai.detect request gives none; absent: each detector's own (its manifest; Ultralytics' 0.25, 0.7, 300). */
    detection: detectionSettingsSchema.optional(),
  })
  .strict();

export const modelIdSchema = z.string().min(1).max(200);
/** A detector's class names mapped onto project label names where they differ (same names map by themselves). */
export const labelMapSchema = z.record(z.string().min(1).max(200), z.string().min(1).max(200));
export type LabelMap = z.infer<typeof labelMapSchema>;

/**
 * What engine-settings.json holds: the settings ai.configure changes, plus
 * what the engine remembers on its own (changed through their own channels).
 */
export const storedEngineSettingsSchema = engineSettingsSchema
  .extend({
    /** Per detector model id: class name -> project label name (ai.setLabelMap). Always present in status. */
    labelMaps: z.record(modelIdSchema, labelMapSchema).optional(),
    /** Per project folder: the model chosen for it. Always present in status. */
    projectModels: z.record(z.string().min(1).max(4096), modelIdSchema).optional(),
  })
  .strict();
export type EngineSettings = z.infer<typeof storedEngineSettingsSchema>;

/** What a model (or mask provider) can take; the UI greys out the rest. */
export interface PromptCapabilities {
  points: boolean;
  box: boolean;
  scribble: boolean;
  text: boolean;
  reference: boolean;
  /** Semantic labels from class embeddings. */
  labels: boolean;
  /** Magic wand: a click floods similar colours within `options.tolerance`. */
  wand: boolean;
  /** Scribbles in several regions (`scribbles[].region`) give one mask per region (watershed). */
  regions: boolean;
  /** "Segment everything": proposals for the whole image (or its foreground). */
  everything: boolean;
  /** Whole-image detections with class names and scores (ai.detect): detectors and instance segmenters. */
  detect?: boolean;
  /** Captions with a point per word, of the whole image or a box (ai.caption): segmenters with a caption head. */
  caption?: boolean;
  /** Why prompts are greyed out, for the UI to say (e.g. a detector takes no clicks); absent when all it lacks is obvious. */
  promptNote?: string;
}

/**
 * What kind of mask source a registry entry is: the SAM-signature segmenter
 * (built-in model, Segment Anything / MobileSAM exports), SAM 2 / 2.1
 * exports, Ultralytics YOLO detectors and instance segmenters, the classical
 * tools, the foreground model.
 */
export type ProviderKind = 'segmenter' | 'sam2' | 'detector' | 'classical' | 'foreground';

export interface ModelInfo {
  id: string;
  displayName: string;
  kind: ProviderKind;
  source: 'builtin' | 'user';
  dir: string;
  license: string;
  /** null when the model is usable; otherwise why not (missing file, wrong input name...). */
  problem: string | null;
  /** What a user should know before relying on it (e.g. trained on synthetic data, its licence). */
  note: string | null;
  capabilities: PromptCapabilities;
  /** A detector's class names by class index (mapped onto the project's labels by name); absent for other kinds. */
  classNames?: string[];
}

export type WorkerState = 'starting' | 'ready' | 'restarting' | 'failed';

export interface EngineStatus {
  settings: EngineSettings;
  /** Providers this platform's onnxruntime build offers. */
  availableProviders: ExecutionProviderChoice[];
  /** What the loaded model actually runs on; null before a model is loaded. */
  activeProvider: string | null;
  /** Why the active provider differs from the requested one, or a load problem. */
  note: string | null;
  worker: WorkerState;
  modelId: string | null;
  cache: { entries: number; bytes: number; limitBytes: number };
  /** The image being encoded right now, if any. */
  encoding: { imageId: number; priority: 'interactive' | 'prefetch' | 'background' } | null;
}

export type FeatureState = 'queued' | 'encoding' | 'ready' | 'failed';

export interface LabelGuess {
  labelId: string;
  name: string;
  /** Cosine similarity of the mask's class embedding and the label name's text embedding. */
  score: number;
}

/** What a candidate's `score` measures: the decoder's own IoU estimate, or the foreground model's confidence. */
export type ScoreKind = 'predicted-iou' | 'confidence';

export interface MaskCandidate {
  index: number;
  /** See CandidateSet.scoreKind; null for providers without one (classical). */
  score: number | null;
  /** What this candidate is, where the provider tells its candidates apart (e.g. "wide view of the box"); else null. */
  note: string | null;
  /** IoU of the mask thresholded at +1 and -1 logits: how sharp it is (SAM's stability score). */
  stability: number;
  /** Integer pixel bounds of the mask in the image; w = h = 0 for an empty mask. */
  box: Box;
  /** Pixels in the full-resolution mask (estimated from the crop when scale < 1). */
  area: number;
  /** The mask inside `box`, at `scale` (1 = full resolution); RLE size is [ceil(h*scale), ceil(w*scale)]. */
  crop: { rle: Rle; scale: number };
  /** Top 3 project labels (empty when the model has no class embeddings or the project no labels). */
  labels: LabelGuess[];
  /**
   * Whether labels[0] stands out enough to be preselected over the active
   * label (see LABEL_CONFIDENCE); false when there is no guess. Always set by the engine.
   */
  labelConfident?: boolean;
}

/**
 * When a label guess stands out: its cosine is at least `floor` and beats
 * the runner-up by at least `margin`. Below that, the active label is kept.
 */
export const LABEL_CONFIDENCE = { margin: 0.05, floor: 0.2 } as const;

export function isLabelConfident(guesses: readonly Pick<LabelGuess, 'score'>[]): boolean {
  const [top, next] = guesses;
  if (!top || !(top.score >= LABEL_CONFIDENCE.floor)) return false;
  return next === undefined || top.score - next.score >= LABEL_CONFIDENCE.margin;
}

export interface CandidateSet {
  /** Refer to it in `previous` (memory prompt) and `ai.materialize`. */
  id: string;
  imageId: number;
  modelId: string;
  candidates: MaskCandidate[];
  /** Index of the candidate to preselect. */
  best: number;
  /** How `best` was chosen, in a few words for the panel (e.g. "highest predicted IoU (SAM 2's rule)"). Always set by the engine. */
  selectionRule?: string;
  /** What the candidates' `score` measures; null when they carry none. */
  scoreKind: ScoreKind | null;
  timing: { featureSource: 'memory' | 'disk' | 'encoded'; encodeMs: number; decodeMs: number; totalMs: number };
}

/** The project label a detector class lands on. */
export interface DetectionLabel {
  labelId: string;
  name: string;
  /** 'name': the same name (case-insensitive); 'labelMap': through the model's remembered mapping. */
  via: 'name' | 'labelMap';
}

/** One object a detector (or instance segmenter) proposes. */
export interface Detection {
  index: number;
  classId: number;
  /** From the model's manifest; `class N` when it has no name. */
  className: string;
  /** The detector's class score, 0..1. */
  score: number;
  /** x0, y0, x1, y1 in image pixels (not rounded). */
  box: [number, number, number, number];
  /** The project label it maps to; null when none does (ask the user, then ai.setLabelMap). */
  label: DetectionLabel | null;
  /**
   * Its mask: from the instance segmenter's prototypes, or from the chained
   * SAM-family model (`maskScore` its predicted IoU); null for a plain
   * detector. Accept with ai.materialize {candidateSetId: set.id, index}.
   */
  mask: { box: Box; area: number; crop: { rle: Rle; scale: number }; maskScore: number | null } | null;
}

export interface DetectionSet {
  /** The candidate set of the masks, for ai.materialize (detections without a mask cannot be materialised: store their box). */
  id: string;
  imageId: number;
  modelId: string;
  /** The SAM-family model that turned boxes into masks; null when not chained. */
  chainModelId: string | null;
  detections: Detection[];
  /** The thresholds used. */
  thresholds: DetectionSettings;
  /** The model's class names, by class id. */
  classNames: string[];
  /** Class names found here that map onto no project label. */
  unmappedClasses: string[];
  /** How the detections were chosen and ordered, for the panel. */
  selectionRule: string;
  timing: { featureSource: 'memory' | 'disk' | 'encoded'; encodeMs: number; decodeMs: number; totalMs: number };
}

/** A candidate at full resolution, ready to become an annotation. */
export interface MaterializedMask {
  rle: Rle;
  /** Simplified outline (holes kept). */
  polygons: Polygon[];
  box: Box;
  area: number;
  /** null when the provider gives no confidence (classical). */
  score: number | null;
  modelId: string;
}

/** Provider settings that are not prompts. */
export const segmentOptionsSchema = z
  .object({
    /** Magic wand: how far (0–255 per channel) a colour may be from the clicked one. */
    tolerance: z.number().min(0).max(255).optional(),
    /** Magic wand / GrabCut: only inside this box (x0, y0, x1, y1). */
    within: corners.optional(),
    /** GrabCut iterations. */
    iterations: z.number().int().min(1).max(20).optional(),
  })
  .strict();
export type SegmentOptions = z.infer<typeof segmentOptionsSchema>;

export const segmentRequestSchema = z
  .object({
    imageId,
    /** Defaults to the engine's current model. */
    modelId: z.string().min(1).max(200).optional(),
    prompts: promptSetSchema,
    /** The candidate this prompt refines: its low-res mask is fed back (memory prompt). */
    previous: z
      .object({ candidateSetId: z.string().min(1).max(100), index: z.number().int().nonnegative() })
      .strict()
      .optional(),
    options: segmentOptionsSchema.optional(),
  })
  .strict();

export const everythingRequestSchema = z
  .object({
    imageId,
    modelId: z.string().min(1).max(200).optional(),
    pointsPerSide: z.number().int().min(2).max(64).default(12),
    /** Candidates below this predicted IoU are dropped. */
    minScore: z.number().min(0).max(1).default(0.7),
    /** Candidates smaller than this fraction of the image are dropped. */
    minAreaFraction: z.number().min(0).max(1).default(0.0005),
    /** Two candidates overlapping more than this (mask IoU) are duplicates. */
    nmsIoU: z.number().min(0).max(1).default(0.7),
  })
  .strict();

/** A caption of the whole image, or of `box` (describe this region), from the model's caption head. */
export const captionRequestSchema = z
  .object({
    imageId,
    /** Defaults to the engine's current model (it must have a caption head: capabilities.caption). */
    modelId: z.string().min(1).max(200).optional(),
    box: corners.optional(),
    /** Phrase -> point instead of a caption: the phrase's words, each with the point of what it names. */
    phrase: z.string().trim().min(1).max(200).optional(),
  })
  .strict()
  .refine((r) => r.box === undefined || r.phrase === undefined, {
    message: 'give a box (describe it) or a phrase (find it), not both',
    path: ['phrase'],
  });
export type CaptionRequest = z.infer<typeof captionRequestSchema>;

/**
 * How well a phrase describes each of some boxes, by the model's caption head
 * (box -> caption read backwards: a listener from a speaker, as in Mao et
 * al. 2016): Find ranks the masks it found by these.
 */
export const phraseScoresRequestSchema = z
  .object({
    imageId,
    /** Defaults to the engine's current model (it must have a caption head: capabilities.caption). */
    modelId: z.string().min(1).max(200).optional(),
    phrase: z.string().trim().min(1).max(200),
    boxes: z.array(corners).min(1).max(MAX_PHRASE_BOXES),
  })
  .strict();
export type PhraseScoresRequest = z.infer<typeof phraseScoresRequestSchema>;

/** scores[i]: the log-probability (nats) that the caption head describes boxes[i] with the phrase (its likeliest reading, with or without an article). */
export interface PhraseScores {
  modelId: string;
  imageId: number;
  scores: number[];
}

/** A generated caption, a proposal until accepted: each word with its point in image pixels (t null: no narration). */
export interface GeneratedCaption {
  modelId: string;
  imageId: number;
  /** Display text: the words joined, first letter upper-cased, a full stop added. */
  text: string;
  words: TraceWord[];
  /** The region described (box -> caption); null for the whole image. */
  region: Box | null;
  timing: { featureSource: 'memory' | 'disk' | 'encoded'; encodeMs: number; captionMs: number };
}

export const detectRequestSchema = z
  .object({
    imageId,
    /** The detector; defaults to the current model when it is one, else the first installed detector. */
    modelId: modelIdSchema.optional(),
    /** A SAM-family model (SAM-format segmenter or SAM 2) that turns each box into a mask. */
    chainModelId: modelIdSchema.optional(),
    conf: z.number().min(0).max(1).optional(),
    iou: z.number().min(0).max(1).optional(),
    maxDetections: z.number().int().min(1).max(1000).optional(),
  })
  .strict();

export const setLabelMapRequestSchema = z
  .object({
    modelId: modelIdSchema,
    /** class name -> project label name; null removes a class's mapping. Merged into the remembered map. */
    map: z.record(z.string().min(1).max(200), z.string().min(1).max(200).nullable()),
  })
  .strict();

export const materializeRequestSchema = z
  .object({ candidateSetId: z.string().min(1).max(100), index: z.number().int().nonnegative() })
  .strict();

export const focusRequestSchema = z
  .object({
    /** The image on screen: encoded first. */
    imageId,
    /** The next images in the list, encoded afterwards at low priority; queued work for any other image is cancelled. */
    upcoming: z.array(imageId).max(64).default([]),
  })
  .strict();

/** Downloadable model packs (opt-in; never bundled). */
export const MODEL_PACK_IDS = ['isnet-small', 'isnet-medium'] as const;
export const modelPackIdSchema = z.enum(MODEL_PACK_IDS);
export type ModelPackId = z.infer<typeof modelPackIdSchema>;

export interface ModelPack {
  id: ModelPackId;
  displayName: string;
  /** SPDX id, shown before download. */
  license: string;
  /** What the licence means for the user, in one or two sentences. */
  licenseNote: string;
  /** Where it comes from (package@version on the npm registry). */
  source: string;
  /** What the fetch downloads (the npm package may hold more than this model). */
  approxBytes: number;
  /** The model's size once installed. */
  modelBytes: number;
  /** Installed in the user's models folder (then `modelId` names it in ai.models). */
  installed: boolean;
  modelId: string;
}

const localPath = z.string().min(1).max(4096);
const userModelId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'letters, digits, ".", "_" and "-", starting with a letter or digit');
const sha256Hex = z.string().regex(/^[0-9a-fA-F]{64}$/, 'a sha256: 64 hex digits');

/**
 * A model the user brings: one or two .onnx files or a folder (recognised
 * from the graphs, copied into the user models folder), or one X-AnyLabeling
 * model YAML (`allowDownload` when it names URLs and the user confirmed).
 */
export const modelAddRequestSchema = z
  .object({
    paths: z.array(localPath).min(1).max(8),
    /** Class names for a YOLO model without them: a data.yaml, or one name per line. */
    namesFile: localPath.optional(),
    id: userModelId.optional(),
    displayName: z.string().min(1).max(200).optional(),
    /** Replace an installed user model of the same id. */
    force: z.boolean().default(false),
    allowDownload: z.boolean().default(false),
  })
  .strict();

/** Download a model by URL (one file, or encoder then decoder), each optionally checked against a sha256. */
export const modelFetchUrlRequestSchema = z
  .object({
    urls: z.array(z.string().url().max(4096)).min(1).max(2),
    /** Per URL, in order; null where none is known. */
    sha256: z.array(sha256Hex.nullable()).max(2).default([]),
    namesFile: localPath.optional(),
    id: userModelId.optional(),
    displayName: z.string().min(1).max(200).optional(),
    force: z.boolean().default(false),
  })
  .strict();

/** What models.add / models.fetchUrl installed. */
export interface AddedModel {
  model: ModelInfo;
  /** What the files were recognised as, in words. */
  recognisedAs: string;
  /** Each installed file (in the model folder) with its sha256 and size. */
  files: { path: string; sha256: string; bytes: number }[];
  /** Each download: its URL, sha256 (shown, and recorded in the manifest) and whether it resumed an earlier one. */
  downloads: { url: string; sha256: string; bytes: number; resumed: boolean }[];
  warnings: string[];
  /** From the request to a listed, usable model. */
  totalMs: number;
}

/** A public model link offered as a suggestion; nothing is fetched until the user asks. */
export interface ModelLink {
  id: string;
  displayName: string;
  /** What it is (family, size, classes) and what to know before downloading. */
  description: string;
  /** One file, or encoder then decoder. */
  urls: string[];
  /** Known sha256 per URL, or null: then it is "not verified here". */
  sha256: (string | null)[];
  verified: boolean;
  /** Where the link comes from (publisher, release), and the weights' licence as published. */
  source: string;
}

/** An X-AnyLabeling YAML read before importing: what it is and what would be downloaded. */
export interface ModelImportPlan {
  type: string;
  displayName: string;
  files: { role: 'encoder' | 'decoder' | 'model'; location: string; remote: boolean }[];
  classes: number | null;
}

export type { Box, Polygon, Rle };
