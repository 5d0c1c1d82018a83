// Reviewing a dataset: the filter the image and annotation lists apply (set in
// the list's filter bar or by clicking a bar of the dataset view), and the
// dataset view's figures. Both are computed in SQL by the host (core/store),
// never from the renderer's copy of the project.
import { z } from 'zod';

import { annotationSourceSchema, idSchema, type ImageStatus } from './domain.js';

/**
 * Where an annotation came from, as the review tells them apart: an accepted
 * auto-label proposal (whatever model proposed it), or else its `source`
 * ('manual', a model id, an importer such as 'coco-import').
 */
export const annotationOriginSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('accepted') }).strict(),
  z.object({ kind: z.literal('source'), source: annotationSourceSchema }).strict(),
]);
export type AnnotationOrigin = z.infer<typeof annotationOriginSchema>;

const score = z.number().min(0).max(1);
const area = z.number().finite().nonnegative();
const count = z.number().int().nonnegative();

/**
 * Which images the list shows. The annotation conditions (label, origin,
 * score, area) hold for one and the same annotation: "a dog from yolo11n
 * scoring 0.3–0.5" is one annotation, not three. Absent fields do not filter.
 */
export const reviewFilterSchema = z
  .object({
    /** A label's id, or null for unlabeled annotations. */
    labelId: idSchema.nullable().optional(),
    origin: annotationOriginSchema.optional(),
    /** Score range, both ends included; annotations without a score (hand-drawn) never match a score range. */
    minScore: score.optional(),
    maxScore: score.optional(),
    /** Area range in pixels², from included, to excluded (the dataset view's bins). */
    minArea: area.optional(),
    maxArea: area.optional(),
    /** Annotations on the image, both ends included. */
    minAnnotations: count.optional(),
    maxAnnotations: count.optional(),
    /** Whether the image has auto-label proposals waiting for review. */
    hasProposals: z.boolean().optional(),
  })
  .strict()
  .refine((f) => f.minScore === undefined || f.maxScore === undefined || f.minScore <= f.maxScore, {
    message: 'minScore must not be above maxScore',
    path: ['maxScore'],
  })
  .refine((f) => f.minArea === undefined || f.maxArea === undefined || f.minArea < f.maxArea, {
    message: 'minArea must be below maxArea',
    path: ['maxArea'],
  })
  .refine((f) => f.minAnnotations === undefined || f.maxAnnotations === undefined || f.minAnnotations <= f.maxAnnotations, {
    message: 'minAnnotations must not be above maxAnnotations',
    path: ['maxAnnotations'],
  });
export type ReviewFilter = z.infer<typeof reviewFilterSchema>;

/** Whether the filter has any condition. */
export const hasReviewFilter = (filter: ReviewFilter): boolean => Object.values(filter).some((value) => value !== undefined);

/** The annotation conditions of a filter (those the annotation list applies to one image's annotations). */
export const ANNOTATION_FILTER_FIELDS = ['labelId', 'origin', 'minScore', 'maxScore', 'minArea', 'maxArea'] as const;

export const hasAnnotationConditions = (filter: ReviewFilter): boolean =>
  ANNOTATION_FILTER_FIELDS.some((field) => filter[field] !== undefined);

/** COCO's object size ranges (cocoeval's areaRng): small < 32², medium < 96², large from 96². */
export const COCO_SIZE_CLASSES = [
  { size: 'small', minArea: 0, maxArea: 32 ** 2 },
  { size: 'medium', minArea: 32 ** 2, maxArea: 96 ** 2 },
  { size: 'large', minArea: 96 ** 2, maxArea: null },
] as const;
export type SizeClass = (typeof COCO_SIZE_CLASSES)[number]['size'];

export interface DatasetStats {
  /** Images in the folder (files that vanished are left out, as the list leaves them out). */
  images: number;
  annotations: number;
  /** Every label in label order, then unlabeled annotations (labelId null) when there are any. */
  labels: { labelId: string | null; name: string; colour: string; instances: number; images: number }[];
  statuses: { status: ImageStatus; images: number }[];
  /** Histogram of annotations per image: bins of whole counts, both ends included, from 0 to the largest count. */
  annotationsPerImage: { min: number; max: number; images: number }[];
  sizeClasses: { size: SizeClass; minArea: number; maxArea: number | null; annotations: number }[];
  /** Histogram of sqrt(area) in pixels: bins [minSide, maxSide) of one width. */
  sideHistogram: { minSide: number; maxSide: number; annotations: number }[];
  /** Annotations by origin, largest first. */
  origins: { origin: AnnotationOrigin; annotations: number }[];
  /** Auto-label proposals waiting for review, and on how many images. */
  proposals: { proposals: number; images: number };
  /** How long counting these figures took (in the host's dataset-figures thread), in milliseconds. */
  ms: number;
  /**
   * False when the project changed since these figures were counted: they
   * were answered at once (whileCounting 'last') while a new count runs.
   */
  current: boolean;
}

/** What dataset.stats answers while the figures are being counted again: wait for them, or the last ones at once. */
export const STATS_WHILE_COUNTING = ['wait', 'last'] as const;

/** The image the "next matching image" key opens, and where it is in the list as filtered now. */
export interface ImageNeighbour {
  imageId: number;
  index: number;
}
