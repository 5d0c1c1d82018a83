// The one map of every request the renderer can make of the main process.
// Main implements `Handlers`, the preload forwards `invoke`, and the renderer
// calls through `Client`; all three derive their types from this file.
import { z } from 'zod';

import {
  type AddedModel,
  type CandidateSet,
  captionRequestSchema,
  type DetectionSet,
  detectRequestSchema,
  engineSettingsSchema,
  type EngineStatus,
  everythingRequestSchema,
  type FeatureState,
  focusRequestSchema,
  type GeneratedCaption,
  type LabelMap,
  type MaterializedMask,
  materializeRequestSchema,
  modelAddRequestSchema,
  modelFetchUrlRequestSchema,
  type ModelImportPlan,
  type ModelInfo,
  type ModelLink,
  type ModelPack,
  modelPackIdSchema,
  type PhraseScores,
  phraseScoresRequestSchema,
  segmentRequestSchema,
  setLabelMapRequestSchema,
} from './ai.js';
import {
  acceptAllRequestSchema,
  type AutolabelJob,
  autolabelParamsSchema,
  type AutolabelSourceInfo,
  type ProposalRecord,
  resultsExportRequestSchema,
  type ResultsExportSummary,
  type ResultsImportSummary,
} from './autolabel.js';
import {
  type Annotation,
  type Caption,
  docOpSchema,
  type ImageRecord,
  imageStatusSchema,
  type Label,
  type ProjectSummary,
} from './domain.js';
import type { DocumentApplied } from './events.js';
import { type DatasetStats, type ImageNeighbour, reviewFilterSchema, STATS_WHILE_COUNTING } from './review.js';

/** A request schema paired with the (phantom) type of its response. */
interface Channel<Req extends z.ZodType, Res> {
  request: Req;
  /** Never read at run time: carries the response type. */
  response?: Res;
}
const channel =
  <Res>() =>
  <Req extends z.ZodType>(request: Req): Channel<Req, Res> => ({ request });

const none = z.object({}).strict();
const imageId = z.number().int().positive();
/** Absolute or relative file-system path typed by the user or picked in a dialog. */
const fsPath = z.string().trim().min(1).max(4096);

export interface AppInfo {
  version: string;
  mode: 'electron' | 'browser';
  platform: string;
  recentProjects: string[];
}

export interface ImagePage {
  total: number;
  items: ImageRecord[];
}

export interface CocoExportSummary {
  path: string;
  images: number;
  annotations: number;
  categories: number;
  captions: number;
  /** Images left out because their file cannot be read (with their annotations), and why. */
  skippedImages: { file: string; reason: string }[];
  /** Annotations left out because they have no label (COCO needs a category). */
  skippedUnlabeled: number;
  /** With masks as polygons: masks with holes, which polygons cannot hold, written as RLE all the same. */
  masksKeptAsRle: number;
  /** Which image size (and coordinate grid) the file uses; also stated in its `info`. */
  imageSize: CocoImageSize;
}

/** 'display': EXIF orientation applied, as browsers and this app show images; 'raw': the stored pixel grid. */
export const COCO_IMAGE_SIZES = ['display', 'raw'] as const;
export type CocoImageSize = (typeof COCO_IMAGE_SIZES)[number];

/** What an import does with an annotation already in the project (same image, label and geometry). */
export const COCO_DUPLICATE_MODES = ['skip', 'replace', 'add'] as const;
export type CocoDuplicateMode = (typeof COCO_DUPLICATE_MODES)[number];

export interface CocoImportSummary {
  /** The file's kind (results and panoptic files are refused). */
  kind: 'instances' | 'captions';
  images: number;
  annotations: number;
  categoriesAdded: number;
  captions: number;
  /** Annotations of the file already in the project, and what was done with them. */
  duplicates: { mode: CocoDuplicateMode; found: number };
  /** Vertices and box edges up to 1 px outside their image, moved onto its border. */
  clippedPoints: number;
  /** Polygon rings without area (all points on one line), dropped. */
  degenerateRings: number;
  /** Annotations left with no ring after that, dropped. */
  droppedAnnotations: number;
  /** Fields beyond COCO's own kept on annotations (keypoints, attributes…) and written back on export: name → count. */
  keptFields: Record<string, number>;
  /** Anything else the user should know, in words. */
  notes: string[];
}

export interface NarrativeImportSummary {
  /** Narratives read from the file. */
  narratives: number;
  /** Captions written. */
  captions: number;
  /** Images that received captions. */
  images: number;
  /** Narratives left out because their image is not in the project (only with skipUnmatched). */
  skipped: number;
}

export interface NarrativeExportSummary {
  path: string;
  narratives: number;
  /** Captions without words (plain COCO captions): LN has no record for them. */
  skippedWithoutWords: number;
}

/** A caption found by captions.search, with its image's path. */
export interface CaptionHit {
  caption: Caption;
  relPath: string;
}

/** Every dataset format (core/formats/registry.ts): one converter each; COCO's and COCO results' delegate to core/coco and core/autolabel. */
export const DATASET_FORMATS = ['yolo', 'voc', 'labelme', 'cvat', 'coco', 'coco-results'] as const;
export const datasetFormatSchema = z.enum(DATASET_FORMATS);
export type DatasetFormat = z.infer<typeof datasetFormatSchema>;

/** Something a format or the project cannot hold, and how often it occurred. */
export interface FormatCount {
  what: string;
  count: number;
}

export interface DatasetImportSummary {
  format: DatasetFormat;
  /** Dataset images matched to project images, and annotations written on them. */
  images: number;
  annotations: number;
  labelsAdded: number;
  /** Dataset images that match no project image (the first 20), and how many there were; their annotations are not imported. */
  unmatchedImages: string[];
  unmatchedCount: number;
  /** What the project could not take from the files (point shapes, occluded flags…), counted. */
  notImported: FormatCount[];
  /** Vertices within 1 px outside the image, moved onto its border. */
  clipped: number;
  /** What the project has no column for but keeps with the annotations and writes back on export (VOC and CVAT flags and attributes, COCO's extra fields), counted. */
  kept: FormatCount[];
  /** COCO: the import's own report (duplicates, dropped rings, notes). */
  coco?: CocoImportSummary;
  /** COCO results: detections put into the review queue, not annotations. */
  results?: ResultsImportSummary;
}

export interface DatasetExportSummary {
  format: DatasetFormat;
  /** The output folder (the file, for COCO and COCO results). */
  path: string;
  images: number;
  annotations: number;
  files: number;
  /** What the format could not hold (holes, polygons in VOC XML…), counted; nothing is dropped silently. */
  dropped: FormatCount[];
  skippedImages: { file: string; reason: string }[];
  /** COCO: the export's own report (categories, image size, captions files). */
  coco?: CocoExportSummary & { captionsPath?: string; narrativesPath?: string };
  /** COCO results: what the results file holds. */
  results?: ResultsExportSummary;
}

export const imageListRequestSchema = z
  .object({
    offset: z.number().int().nonnegative().default(0),
    limit: z.number().int().positive().max(20_000).default(500),
    status: imageStatusSchema.optional(),
    /** Case-insensitive substring of the relative path. */
    search: z.string().max(500).optional(),
    /** The review filter (by label, origin, score, area, annotation count, proposals), applied in SQL. */
    filter: reviewFilterSchema.optional(),
  })
  .strict();

export const channels = {
  'app.info': channel<AppInfo>()(none),
  /** Native folder picker; browser mode answers `unsupported` and the UI asks for a path. */
  'dialog.pickFolder': channel<{ dir: string | null }>()(none),
  /** Native picker for a COCO JSON file; browser mode answers `unsupported` and the UI asks for a path. */
  'dialog.pickCocoFile': channel<{ path: string | null }>()(none),
  /**
   * Native save dialog for a COCO export (it asks before replacing a file, so
   * the export made to its answer may pass `overwrite: true`); browser mode
   * answers `unsupported`. In the desktop app, project.open, coco.import and
   * coco.export take only paths chosen in these dialogs (or a recent project).
   */
  'dialog.saveCocoFile': channel<{ path: string | null }>()(none),
  /** Native picker for a dataset to import (a file or a folder) or an export folder (a file to save when `folder` is false: COCO); the desktop app's dataset.import / dataset.export take only these. */
  'dialog.pickDatasetPath': channel<{ path: string | null }>()(
    z.object({ purpose: z.enum(['export', 'import']), folder: z.boolean() }).strict(),
  ),
  /** Native picker for model files (.onnx, an X-AnyLabeling .yaml, a names file); the desktop app's models.add takes only these. */
  'dialog.pickModelFiles': channel<{ paths: string[] }>()(none),

  /** Opens (and creates on first use) the project database inside the folder, then scans it for images. */
  'project.open': channel<ProjectSummary>()(z.object({ dir: fsPath }).strict()),
  'project.current': channel<ProjectSummary | null>()(none),
  'project.rescan': channel<ProjectSummary>()(none),

  'images.list': channel<ImagePage>()(imageListRequestSchema),
  /** Reads the image header if needed so width/height are known. */
  'images.get': channel<ImageRecord>()(z.object({ imageId }).strict()),
  /**
   * The next (direction 1) or previous (-1) image after `fromImageId` in the
   * list as filtered (status, search, review filter), with its index there;
   * null when none. From the start of the list when `fromImageId` is null.
   */
  'images.neighbour': channel<ImageNeighbour | null>()(
    imageListRequestSchema
      .omit({ offset: true, limit: true })
      .extend({ fromImageId: imageId.nullable(), direction: z.union([z.literal(1), z.literal(-1)]) })
      .strict(),
  ),
  /** Ids of the image's annotations that pass the review filter's annotation conditions (label, origin, score, area). */
  'annotations.matching': channel<string[]>()(z.object({ imageId, filter: reviewFilterSchema }).strict()),
  /**
   * The dataset view's figures (instances per label, statuses, histograms, sizes, origins), counted in SQL off the
   * host's thread. After a change: 'wait' (default) answers figures counted since; 'last' answers the last ones at
   * once with `current: false` (the view shows them as updating), or waits when there are none yet.
   */
  'dataset.stats': channel<DatasetStats>()(z.object({ whileCounting: z.enum(STATS_WHILE_COUNTING).default('wait') }).strict()),

  'labels.list': channel<Label[]>()(none),
  'annotations.list': channel<Annotation[]>()(z.object({ imageId }).strict()),
  'captions.list': channel<Caption[]>()(z.object({ imageId }).strict()),

  /**
   * Applies document changes in one transaction; answers the ops that undo
   * them and the revisions written, and tells every client ('document.changed').
   * An annotation write based on a revision that is no longer stored is
   * refused as `conflict` with a path ending in `.revision`, and nothing is written.
   * `origin`: the sending client's id, echoed in the event so it can skip its own change.
   */
  'document.apply': channel<DocumentApplied>()(
    z.object({ ops: z.array(docOpSchema).min(1).max(100_000), origin: z.string().min(1).max(64).optional() }).strict(),
  ),

  'coco.export': channel<CocoExportSummary>()(
    z
      .object({
        /** Defaults to <project>/exports/coco-<timestamp>.json; a relative path is relative to the project folder. */
        outPath: fsPath.optional(),
        includeCaptions: z.boolean().default(false),
        /** Replace existing files; without it an existing file is refused as `conflict` with path 'outPath'. */
        overwrite: z.boolean().default(false),
        /** 'polygons': masks as their outer rings (Detectron2, MMDetection); a mask with holes stays RLE and is counted. */
        masks: z.enum(['rle', 'polygons']).default('rle'),
        /** 'bbox': boxes as a bbox with an empty segmentation, instead of a 4-point polygon. */
        boxes: z.enum(['polygon', 'bbox']).default('polygon'),
        /** Round coordinates, areas and boxes to this many decimals. */
        decimals: z.number().int().min(0).max(10).optional(),
        imageSize: z.enum(COCO_IMAGE_SIZES).default('display'),
      })
      .strict(),
  ),
  'coco.import': channel<CocoImportSummary>()(
    z.object({ path: fsPath, duplicates: z.enum(COCO_DUPLICATE_MODES).default('skip') }).strict(),
  ),
  /**
   * Localized Narratives JSON lines as captions. image_id is matched by the ids of
   * `cocoPath` when given, else by file stem; every line is checked first and a
   * fault refuses the file (line and field named), writing nothing.
   */
  'narratives.import': channel<NarrativeImportSummary>()(
    z.object({ path: fsPath, cocoPath: fsPath.optional(), skipUnmatched: z.boolean().default(false) }).strict(),
  ),
  /** Every caption with words as a Localized Narratives line; default <project>/exports/narratives-<timestamp>.jsonl; export target rules as coco.export. */
  'narratives.export': channel<NarrativeExportSummary>()(
    z.object({ outPath: fsPath.optional(), overwrite: z.boolean().default(false) }).strict(),
  ),
  /** Captions of the whole project whose text holds `query` (case-insensitive), in image order, at most `limit`. */
  'captions.search': channel<CaptionHit[]>()(
    z.object({ query: z.string().trim().min(1).max(200), limit: z.number().int().min(1).max(1000).default(200) }).strict(),
  ),
  /**
   * Imports a YOLO, Pascal VOC, labelme, CVAT, COCO or COCO results dataset (a folder or file):
   * validated whole first, then written in one transaction; a refusal names
   * the file, line or element and the field, and writes nothing. `labelMap`
   * renames dataset labels onto project labels; other unknown labels are created.
   */
  'dataset.import': channel<DatasetImportSummary>()(
    z
      .object({
        format: datasetFormatSchema,
        path: fsPath,
        labelMap: z.record(z.string().min(1).max(200), z.string().trim().min(1).max(200)).optional(),
        /** COCO: annotations already in the project (same image, label and geometry) are skipped (default), replaced or added again. */
        duplicates: z.enum(COCO_DUPLICATE_MODES).optional(),
      })
      .strict(),
  ),
  /**
   * Exports the project in a dataset format into a folder (default: next to the project folder), with the same target rules
   * as coco.export; COCO and COCO results write one file (outPath; default in <project>/exports/).
   */
  'dataset.export': channel<DatasetExportSummary>()(
    z
      .object({
        format: datasetFormatSchema,
        /** The output folder; a relative path is relative to the project folder. */
        outPath: fsPath.optional(),
        overwrite: z.boolean().default(false),
        yoloTask: z.enum(['detect', 'segment']).optional(),
        valRatio: z.number().min(0).max(1).optional(),
        seed: z
          .number()
          .int()
          .nonnegative()
          .max(2 ** 31)
          .optional(),
        copyImages: z.boolean().optional(),
        /** COCO options, as coco.export takes them. */
        masks: z.enum(['rle', 'polygons']).optional(),
        boxes: z.enum(['polygon', 'bbox']).optional(),
        decimals: z.number().int().min(0).max(10).optional(),
        imageSize: z.enum(COCO_IMAGE_SIZES).optional(),
        includeCaptions: z.boolean().optional(),
        /** COCO results: the review queue's proposals (default) or the accepted annotations that have a score. */
        results: z.enum(['proposals', 'annotations']).optional(),
      })
      .strict(),
  ),

  /** Built-in and user models, each with what it can take or why it cannot load. */
  'ai.models': channel<ModelInfo[]>()(none),
  'ai.status': channel<EngineStatus>()(none),
  /** Changes engine settings (persisted); a provider or model change reloads the sessions. */
  'ai.configure': channel<EngineStatus>()(engineSettingsSchema.partial().strict()),
  /** The image on screen and the next ones: encodes ahead, cancels prefetch of images no longer ahead. */
  'ai.focus': channel<Record<number, FeatureState>>()(focusRequestSchema),
  /** Which images have cached features for the current model (list marks). */
  'ai.featureStates': channel<Record<number, FeatureState>>()(z.object({ imageIds: z.array(imageId).max(20_000) }).strict()),
  /** Any combination of prompts -> candidate masks with predicted IoU and top-3 labels. */
  'ai.segment': channel<CandidateSet>()(segmentRequestSchema),
  /** Proposals for the whole image (grid of points, duplicates removed). */
  'ai.everything': channel<CandidateSet>()(everythingRequestSchema),
  /**
   * Detections of a detector / instance segmenter on the whole image (boxes,
   * class names, scores, masks for -seg models or through `chainModelId`),
   * each mapped onto a project label by name or the model's label map.
   */
  'ai.detect': channel<DetectionSet>()(detectRequestSchema),
  /** A caption with a point per word from the model's caption head (whole image, or `box` -> caption); a proposal until stored with captions' doc ops. */
  'ai.caption': channel<GeneratedCaption>()(captionRequestSchema),
  /** How well a phrase describes each box, by the caption head (Find's ranking of the masks it found). */
  'ai.phraseScores': channel<PhraseScores>()(phraseScoresRequestSchema),
  /** Remembers how a detector's class names map onto project label names (per model); answers the model's whole map. */
  'ai.setLabelMap': channel<LabelMap>()(setLabelMapRequestSchema),
  /** One candidate at full resolution (RLE + simplified polygon) to store as an annotation. */
  'ai.materialize': channel<MaterializedMask>()(materializeRequestSchema),
  /** Stops the long AI work in flight (a foreground crop, segment everything); it answers `conflict: cancelled`. */
  'ai.cancel': channel<{ cancelled: boolean }>()(none),

  /** Which auto-label sources the project's model (and the installed detectors) can serve, and why not. */
  'autolabel.sources': channel<AutolabelSourceInfo[]>()(none),
  /** Stores an auto-label job and starts it (background priority; 'autolabel.job' events report progress). */
  'autolabel.start': channel<AutolabelJob>()(autolabelParamsSchema),
  /** The project's jobs, newest first. */
  'autolabel.jobs': channel<AutolabelJob[]>()(none),
  'autolabel.pause': channel<AutolabelJob>()(z.object({ jobId: z.string().min(1).max(64) }).strict()),
  'autolabel.resume': channel<AutolabelJob>()(z.object({ jobId: z.string().min(1).max(64) }).strict()),
  /** Stops a job for good; its proposals so far stay for review. */
  'autolabel.cancel': channel<AutolabelJob>()(z.object({ jobId: z.string().min(1).max(64) }).strict()),
  /** The proposals waiting for review on an image, best first. */
  'proposals.list': channel<ProposalRecord[]>()(z.object({ imageId }).strict()),
  /** Accepts every proposal scoring at least minScore (on one image, or in the whole project) as one document batch: one undo step. */
  'proposals.acceptAll': channel<DocumentApplied>()(acceptAllRequestSchema),
  /** Writes proposals (or annotations with scores) as a COCO results file, to evaluate a model against the project's ground truth. */
  'proposals.exportResults': channel<ResultsExportSummary>()(resultsExportRequestSchema),
  /** Reads a COCO results file (e.g. the shards of `promptlabel autolabel --out`) into the review queue. */
  'proposals.importResults': channel<ResultsImportSummary>()(z.object({ path: fsPath }).strict()),

  /** Opt-in model packs that can be downloaded into the user's models folder (licence shown before download). */
  'models.packs': channel<ModelPack[]>()(none),
  /** Downloads, verifies and installs a pack (progress events; cancel with models.cancelFetch); nothing half-installed on failure. */
  'models.fetch': channel<ModelInfo>()(z.object({ pack: modelPackIdSchema, force: z.boolean().default(false) }).strict()),
  'models.cancelFetch': channel<{ cancelled: boolean }>()(z.object({ pack: modelPackIdSchema }).strict()),
  /**
   * Adds a model from one or two .onnx files or a folder, recognised from the
   * graphs (SAM / MobileSAM, SAM 2, YOLO), or from an X-AnyLabeling YAML;
   * copies it into the user models folder with a generated manifest (progress
   * events; cancel with models.cancelAdd). A refusal says what was found and
   * installs nothing. The desktop app takes only paths chosen in its dialogs.
   */
  'models.add': channel<AddedModel>()(modelAddRequestSchema),
  /** Downloads a model by URL (resumable, proxy settings, sha256 shown and checked), then recognises and installs it as models.add does. */
  'models.fetchUrl': channel<AddedModel>()(modelFetchUrlRequestSchema),
  /** Stops a models.add or models.fetchUrl in progress (a partial download is kept for a resume). */
  'models.cancelAdd': channel<{ cancelled: boolean }>()(none),
  /** Removes a user model's folder (not a built-in one, nor the model in use). */
  'models.remove': channel<{ removed: string }>()(z.object({ modelId: z.string().min(1).max(200) }).strict()),
  /** Well-known public model links to offer (nothing is fetched until the user asks), each marked verified or not. */
  'models.links': channel<ModelLink[]>()(none),
  /** Reads an X-AnyLabeling model YAML without installing: its type, name and the files it would download. */
  'models.planImport': channel<ModelImportPlan>()(z.object({ path: z.string().min(1).max(4096) }).strict()),
} as const;

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
export type RequestOf<K extends ChannelName> = z.input<Channels[K]['request']>;
/** The request after validation (defaults filled in): what handlers receive. */
export type ParsedRequestOf<K extends ChannelName> = z.output<Channels[K]['request']>;
export type ResponseOf<K extends ChannelName> = Exclude<Channels[K]['response'], undefined>;

export const channelNames = Object.keys(channels) as ChannelName[];
export const isChannelName = (name: unknown): name is ChannelName =>
  typeof name === 'string' && Object.prototype.hasOwnProperty.call(channels, name);
