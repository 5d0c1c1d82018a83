// Auto-labeling: jobs that propose labeled regions for a whole folder, and
// the proposals they leave for review. Proposals are not annotations: the
// review accepts them (they become annotations that keep their model, job
// and score) or rejects them, through document ops, so both are undoable.
import { z } from 'zod';

import { modelIdSchema } from './ai.js';
import { type Box, idSchema, type Proposal } from './domain.js';

/**
 * Where proposals come from: label names as text prompts (APE), accepted
 * annotations marked as examples (SEEM / Painter reference), an installed
 * detector (optionally chained to a SAM-family model), or nothing but
 * features (every image encoded ahead, so its first click is instant).
 */
export const AUTOLABEL_SOURCES = ['names', 'examples', 'detector', 'features'] as const;
export const autolabelSourceSchema = z.enum(AUTOLABEL_SOURCES);
export type AutolabelSource = z.infer<typeof autolabelSourceSchema>;

export const JOB_STATES = ['running', 'paused', 'cancelled', 'done', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];

export const autolabelParamsSchema = z
  .object({
    source: autolabelSourceSchema,
    /** The segmenter (names, examples, features) or the detector; default: the project's model. */
    modelId: modelIdSchema.optional(),
    /** detector: a SAM-family model that turns each box into a mask. */
    chainModelId: modelIdSchema.optional(),
    /** names: the labels to prompt (default: all); examples: the labels whose examples to use (default: all that have some). */
    labelIds: z.array(idSchema).min(1).max(10_000).optional(),
    /** Default: every image of the project, in list order. */
    imageIds: z.array(z.number().int().positive()).min(1).max(1_000_000).optional(),
    /** Proposals scoring below this are not kept. */
    minScore: z.number().min(0).max(1).default(0.5),
    /** Two proposals of one label overlapping above this mask IoU are one object. */
    nmsIoU: z.number().min(0).max(1).default(0.5),
    /** Whole-image proposal grid (names, examples). */
    pointsPerSide: z.number().int().min(2).max(64).default(12),
  })
  .strict();
export type AutolabelParamsInput = z.input<typeof autolabelParamsSchema>;
export type AutolabelParams = z.output<typeof autolabelParamsSchema>;

export interface AutolabelJob {
  id: string;
  params: AutolabelParams;
  /** The model that ran (the project's model when params.modelId was left out). */
  modelId: string;
  state: JobState;
  /** Why it failed or stopped; null otherwise. */
  message: string | null;
  total: number;
  done: number;
  failed: number;
  proposals: number;
  /** Images per second over the images done since the job last started; null before the first. */
  imagesPerSecond: number | null;
  etaSeconds: number | null;
  createdAt: number;
  updatedAt: number;
}

/** Whether the current model can be a source, and why not. */
export interface AutolabelSourceInfo {
  source: AutolabelSource;
  available: boolean;
  reason: string | null;
}

/** A proposal with its measures (list, overlay). */
export type ProposalRecord = Proposal & { box: Box; area: number };

export const acceptAllRequestSchema = z
  .object({
    /** One image, or the whole project when left out. */
    imageId: z.number().int().positive().optional(),
    minScore: z.number().min(0).max(1),
    /** The sending client's id, echoed in 'document.changed' as document.apply does. */
    origin: z.string().min(1).max(64).optional(),
  })
  .strict();

export const resultsExportRequestSchema = z
  .object({
    /** Default: <project>/exports/results-<timestamp>.json; a relative path is relative to the project folder. */
    outPath: z.string().trim().min(1).max(4096).optional(),
    /** proposals: what jobs proposed (with their scores); annotations: the accepted ones that have a score. */
    what: z.enum(['proposals', 'annotations']).default('proposals'),
    /** Replace an existing file; without it an existing file is refused as `conflict`. */
    overwrite: z.boolean().default(false),
  })
  .strict();

export interface ResultsExportSummary {
  path: string;
  results: number;
  images: number;
  /** Left out: proposals without a label (COCO results need a category). */
  unlabeled: number;
}

export interface ResultsImportSummary {
  proposals: number;
  images: number;
  /** Labels created for category names the project did not have. */
  labelsAdded: number;
  /** Results whose image is not in the project (by file name, else by COCO id). */
  unmatched: number;
}
