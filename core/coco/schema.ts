// What we accept from COCO files. Unknown extra fields are allowed (datasets
// carry plenty); every field we use is checked. Geometry bounds, id
// uniqueness and cross-references are checked by the importer, which knows
// the images.
import { z } from 'zod';

const cocoId = z.number().int().nonnegative();
const finite = z.number().finite();

const polygonRing = z
  .array(finite)
  .min(6, 'a polygon needs at least 3 points')
  .refine((ring) => ring.length % 2 === 0, 'a polygon needs an even number of coordinates');

export const cocoRleSchema = z.object({
  size: z.tuple([z.number().int().positive(), z.number().int().positive()]),
  /** Compressed string or uncompressed run lengths. */
  counts: z.union([z.string(), z.array(z.number().int().nonnegative())]),
});
export type CocoRle = z.infer<typeof cocoRleSchema>;

export const cocoSegmentationSchema = z.union([z.array(polygonRing), cocoRleSchema]);

export const cocoImageSchema = z.looseObject({
  id: cocoId,
  file_name: z.string().min(1),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});

export const cocoCategorySchema = z.looseObject({
  id: cocoId,
  name: z.string().trim().min(1).max(200),
  /** labelme's labelme2coco writes null, and pycocotools takes it. */
  supercategory: z.string().nullable().optional(),
});

export const cocoAnnotationSchema = z.looseObject({
  id: cocoId,
  image_id: cocoId,
  category_id: cocoId,
  /** Absent or empty means a detection-only annotation: the bbox becomes a box. */
  segmentation: cocoSegmentationSchema.optional(),
  bbox: z.tuple([finite, finite, finite.nonnegative(), finite.nonnegative()]).optional(),
  score: z.number().min(0).max(1).optional(),
  /** 1: a crowd region (COCOeval ignores detections matched to it); some writers use booleans. */
  iscrowd: z.union([z.literal(0), z.literal(1), z.boolean()]).optional(),
  /** Kept as imported: COCOeval's size ranges use it, and writers measure it their own way. */
  area: finite.nonnegative().optional(),
});
export type CocoAnnotation = z.infer<typeof cocoAnnotationSchema>;

export const cocoInstancesSchema = z.looseObject({
  images: z.array(cocoImageSchema),
  annotations: z.array(cocoAnnotationSchema),
  categories: z.array(cocoCategorySchema),
});

/** The instances file with the annotations list left for a per-item check (see fastCheck.ts). */
export const cocoInstancesOuterSchema = z.looseObject({
  images: z.array(cocoImageSchema),
  annotations: z.array(z.unknown()),
  categories: z.array(cocoCategorySchema),
});
export type CocoInstances = z.infer<typeof cocoInstancesSchema>;

export const cocoCaptionsSchema = z.looseObject({
  images: z.array(cocoImageSchema),
  annotations: z.array(z.looseObject({ id: cocoId, image_id: cocoId, caption: z.string().trim().min(1).max(20_000) })),
});
export type CocoCaptions = z.infer<typeof cocoCaptionsSchema>;

/** "annotations[12].segmentation" from a zod issue path. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out || '(root)';
}
