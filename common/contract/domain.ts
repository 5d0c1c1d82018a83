// The document model shared by main, preload and renderer. Every type is the
// inferred type of a zod schema so validation and typing cannot drift apart.
import { z } from 'zod';

export const IMAGE_STATUSES = ['todo', 'in_progress', 'done'] as const;
export const imageStatusSchema = z.enum(IMAGE_STATUSES);
export type ImageStatus = z.infer<typeof imageStatusSchema>;

const finite = z.number().finite();
const nonNegative = finite.nonnegative();
const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'ids are letters, digits, "_" and "-"');

export const idSchema = id;
export const colourSchema = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'colour must be #rrggbb');

export const labelSchema = z.object({
  id,
  name: z.string().trim().min(1).max(200),
  colour: colourSchema,
  /** '1'..'9' or null: the key that assigns this label. */
  hotkey: z.enum(['1', '2', '3', '4', '5', '6', '7', '8', '9']).nullable(),
  /** "Stuff" (sky, grass): auto-label merges all its pixels in an image into one region; "things" stay one per instance. */
  stuff: z.boolean().optional(),
});
export type Label = z.infer<typeof labelSchema>;

/** Axis-aligned box in image pixels, top-left origin. */
export const boxSchema = z.object({ x: finite, y: finite, w: nonNegative, h: nonNegative });
export type Box = z.infer<typeof boxSchema>;

/** Flat [x0, y0, x1, y1, ...] ring in image pixels, at least 3 vertices. */
export const ringSchema = z
  .array(finite)
  .min(6)
  .max(2_000_000)
  .refine((r) => r.length % 2 === 0, 'a ring needs an even number of coordinates');
export type Ring = z.infer<typeof ringSchema>;

/** One polygon: an outer ring and its holes (even-odd inside the outer ring). */
export const polygonSchema = z.object({ outer: ringSchema, holes: z.array(ringSchema).max(10_000) });
export type Polygon = z.infer<typeof polygonSchema>;

/** COCO compressed RLE: column-major run lengths, LEB128-like string, size [h, w]. */
export const rleSchema = z.object({
  size: z.tuple([z.number().int().positive(), z.number().int().positive()]),
  counts: z.string().max(50_000_000),
});
export type Rle = z.infer<typeof rleSchema>;

export const geometrySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('box'), box: boxSchema }),
  z.object({ kind: z.literal('polygon'), polygons: z.array(polygonSchema).min(1).max(10_000) }),
  z.object({
    kind: z.literal('mask'),
    rle: rleSchema,
    /** Simplified outline of the mask (AI candidates keep one for editing and hit tests); the RLE stays the truth. */
    outline: z.array(polygonSchema).max(10_000).optional(),
  }),
]);
export type Geometry = z.infer<typeof geometrySchema>;

/**
 * A document revision: one project-wide counter that every committed
 * `document.apply` batch raises, so a number is never reused (a deleted and
 * re-created annotation cannot match an old one). 0 means "does not exist".
 */
export const revisionSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** 'manual' for hand-drawn, otherwise the id of the model or provider that proposed it. */
export const annotationSourceSchema = z.string().min(1).max(200);

export const annotationSchema = z.object({
  id,
  imageId: z.number().int().positive(),
  labelId: id.nullable(),
  geometry: geometrySchema,
  score: z.number().min(0).max(1).nullable(),
  source: annotationSourceSchema,
  createdAt: z.number().int().nonnegative(),
  updatedAt: z.number().int().nonnegative(),
  /**
   * The project-wide document revision that last wrote it (see revisionSchema).
   * Read from main: the stored revision. In an `annotation.put`: the revision
   * the change is based on, 0 for a new annotation.
   */
  revision: revisionSchema,
  /** The auto-label job whose proposal this was, once accepted; null for everything else. */
  jobId: id.nullable().optional(),
  /** Marked by the user as an example of its label for by-example auto-label jobs. */
  example: z.boolean().optional(),
});
export type Annotation = z.infer<typeof annotationSchema>;

/** One word of a caption with the image point it refers to (a trace), PixelLLM / Localized Narratives style. */
export const traceWordSchema = z
  .object({
    /** A word, or a group of words timed together (a Localized Narratives utterance). */
    word: z.string().min(1).max(200),
    x: finite,
    y: finite,
    /** Seconds from the start of the narration; null for model captions. */
    t: finite.nullable(),
    /** End of the span the word was typed or spoken in (t is its start); absent or null without timing. */
    end: finite.nullable().optional(),
    /** False for a word edited in after recording: it has no span or point of its own (x, y mean nothing); absent = true. */
    aligned: z.boolean().optional(),
  })
  .refine((word) => word.end === undefined || word.end === null || (word.t !== null && word.end >= word.t), {
    message: 'a word ends at or after its start (t), and only a timed word has an end',
    path: ['end'],
  });
export type TraceWord = z.infer<typeof traceWordSchema>;

/** One sample of a narrative's mouse trace: image pixels, seconds from the start of the recording. */
export const tracePointSchema = z.object({ x: finite, y: finite, t: nonNegative });
export type TracePoint = z.infer<typeof tracePointSchema>;

/** Where a Localized Narrative came from, kept so an imported one exports as it was. */
export const narrativeSourceSchema = z.object({
  datasetId: z.string().max(200),
  /** The image's id in the narrative's dataset (its COCO id, its Open Images id, a file stem). */
  imageId: z.string().min(1).max(200),
  annotatorId: z.number().int(),
  /** Relative path of the voice recording in the LN bucket; '' when there is none (a typed narrative). */
  voiceRecording: z.string().max(1000),
});
export type NarrativeSource = z.infer<typeof narrativeSourceSchema>;

export const captionSchema = z.object({
  id,
  imageId: z.number().int().positive(),
  text: z.string().min(1).max(20_000),
  words: z.array(traceWordSchema).max(5_000),
  source: annotationSourceSchema,
  createdAt: z.number().int().nonnegative(),
  updatedAt: z.number().int().nonnegative(),
  /**
   * A recorded narrative's whole mouse trace, one segment per stay of the
   * pointer over the image, times never decreasing; absent for model captions.
   */
  trace: z
    .array(z.array(tracePointSchema).min(1).max(200_000))
    .max(10_000)
    .refine(timesNeverDecrease, { message: 'trace times never decrease, within and across segments' })
    .optional(),
  narrative: narrativeSourceSchema.optional(),
});
export type Caption = z.infer<typeof captionSchema>;

function timesNeverDecrease(segments: readonly (readonly TracePoint[])[]): boolean {
  let last = -Infinity;
  for (const segment of segments)
    for (const point of segment) {
      if (point.t < last) return false;
      last = point.t;
    }
  return true;
}

export const imageRecordSchema = z.object({
  id: z.number().int().positive(),
  /** Path relative to the project folder, always with '/' separators. */
  relPath: z.string().min(1),
  /** Known once the header has been read (lazily), null before. */
  width: z.number().int().positive().nullable(),
  height: z.number().int().positive().nullable(),
  status: imageStatusSchema,
  annotationCount: z.number().int().nonnegative(),
  /** Auto-label proposals waiting for review. */
  proposalCount: z.number().int().nonnegative(),
});
export type ImageRecord = z.infer<typeof imageRecordSchema>;

export const projectSummarySchema = z.object({
  dir: z.string(),
  name: z.string(),
  imageCount: z.number().int().nonnegative(),
  schemaVersion: z.number().int().positive(),
});
export type ProjectSummary = z.infer<typeof projectSummarySchema>;

/** An auto-label proposal (see autolabel.ts): not an annotation until a review accepts it. */
export const proposalSchema = z.object({
  id,
  imageId: z.number().int().positive(),
  labelId: id.nullable(),
  geometry: geometrySchema,
  score: z.number().min(0).max(1),
  /** The model that proposed it. */
  source: z.string().min(1).max(200),
  /** The job that made it; null for proposals imported from a results file. */
  jobId: id.nullable(),
  /** What a re-run replaces: a job's proposals replace those of the same run key on the same image (source, model, labels). */
  runKey: z.string().min(1).max(500),
  createdAt: z.number().int().nonnegative(),
});
export type Proposal = z.infer<typeof proposalSchema>;

/**
 * A document change. Main applies a batch of these in one transaction and
 * answers with the ops that undo it, so undo/redo history in the renderer is
 * just a stack of op batches and never needs to know what the database held.
 */
export const docOpSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('annotation.put'), annotation: annotationSchema }),
  /** `revision`: the stored revision the deletion is based on; a changed or already deleted annotation is refused. */
  z.object({ type: z.literal('annotation.delete'), id, revision: revisionSchema }),
  z.object({ type: z.literal('label.put'), label: labelSchema }),
  /** Annotations that used the label become unlabeled; the inverse restores them. */
  z.object({ type: z.literal('label.delete'), id }),
  z.object({ type: z.literal('image.status'), imageId: z.number().int().positive(), status: imageStatusSchema }),
  z.object({ type: z.literal('caption.put'), caption: captionSchema }),
  z.object({ type: z.literal('caption.delete'), id }),
  /** Auto-label proposals: a review accepts (delete + annotation.put) or rejects (delete) them; put is the undo of a delete. */
  z.object({ type: z.literal('proposal.put'), proposal: proposalSchema }),
  z.object({ type: z.literal('proposal.delete'), id }),
]);
export type DocOp = z.infer<typeof docOpSchema>;
