// One evaluation world of the built-in model as written by
// models/training/make_eval_split.py --world: an image folder, COCO ground
// truth with exact (uncompressed RLE) masks, and objects.json saying per
// annotation what evaluate.py knows of the object (referring phrase, unique,
// named, category). Read and cross-checked here; the figures over it follow
// evaluate.py's rules (clicksToReach, maskBox).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { z } from 'zod';

import type { BinaryMask } from '../../common/geometry/binaryMask.js';
import { countsProblem, decodeCounts } from '../../common/geometry/rle.js';

export type Box = [number, number, number, number];

export interface WorldObject {
  annotationId: number;
  imageId: number;
  category: string;
  /** "the red circle"; empty for objects outside the 64 names. */
  referring: string;
  unique: boolean;
  /** One of the 64 "<colour> <shape>" categories (label top-1 and text prompts count only these). */
  named: boolean;
  family: string;
  fill: string;
  mask: BinaryMask;
  /** evaluate.py's box_of: x0, y0 and exclusive x1, y1 of the mask. */
  box: Box;
}

export interface WorldSplit {
  world: string;
  seed: number;
  scenes: number;
  images: Map<number, { fileName: string; width: number; height: number }>;
  /** Things of at least min_pixels pixels (evaluate.py's rule), in annotation order; stuff is left out. */
  objects: WorldObject[];
}

const cocoSchema = z.object({
  images: z.array(
    z.object({
      id: z.number().int(),
      file_name: z.string().min(1),
      width: z.number().int().positive(),
      height: z.number().int().positive(),
    }),
  ),
  annotations: z.array(
    z.object({
      id: z.number().int(),
      image_id: z.number().int(),
      category_id: z.number().int(),
      area: z.number().int().nonnegative(),
      bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
      segmentation: z.object({ size: z.tuple([z.number().int(), z.number().int()]), counts: z.array(z.number().int().nonnegative()) }),
    }),
  ),
  categories: z.array(z.object({ id: z.number().int(), name: z.string() })),
});

const sidecarSchema = z.object({
  world: z.string(),
  seed: z.number().int(),
  scenes: z.number().int().nonnegative(),
  min_pixels: z.number().int().nonnegative(),
  annotations: z.array(
    z.discriminatedUnion('stuff', [
      z.object({ id: z.number().int(), image_id: z.number().int(), category: z.string(), stuff: z.literal(true) }),
      z.object({
        id: z.number().int(),
        image_id: z.number().int(),
        category: z.string(),
        stuff: z.literal(false),
        referring: z.string(),
        unique: z.boolean(),
        named: z.boolean(),
        family: z.string(),
        fill: z.string(),
      }),
    ]),
  ),
});

function parseJson<T>(path: string, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${path}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** x0, y0, exclusive x1, y1 of the mask's pixels; null for an empty mask. */
export function maskBox(m: BinaryMask): Box | null {
  let x0 = m.width;
  let y0 = m.height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < m.height; y++)
    for (let x = 0; x < m.width; x++)
      if (m.data[y * m.width + x]) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        y1 = y;
      }
  return x1 < 0 ? null : [x0, y0, x1 + 1, y1 + 1];
}

/** NoC: the 1-based click at which the IoU first reaches `threshold`, else `max` (evaluate.py's noc85 / noc90). */
export function clicksToReach(ious: readonly number[], threshold: number, max: number): number {
  const i = ious.findIndex((v) => v >= threshold);
  return i < 0 || i + 1 > max ? max : i + 1;
}

export function readWorldSplit(dir: string): WorldSplit {
  const cocoPath = join(dir, 'annotations.coco.json');
  const sidecarPath = join(dir, 'objects.json');
  const coco = parseJson(cocoPath, cocoSchema);
  const sidecar = parseJson(sidecarPath, sidecarSchema);
  const images = new Map(coco.images.map((i) => [i.id, { fileName: i.file_name, width: i.width, height: i.height }]));
  const categories = new Map(coco.categories.map((c) => [c.id, c.name]));
  const meta = new Map(sidecar.annotations.map((a) => [a.id, a]));
  if (meta.size !== coco.annotations.length)
    throw new Error(`${sidecarPath}: ${meta.size} annotations, ${cocoPath} has ${coco.annotations.length}`);
  const objects: WorldObject[] = [];
  for (const [k, a] of coco.annotations.entries()) {
    const where = `${cocoPath}: annotations.${k} (id ${a.id})`;
    const m = meta.get(a.id);
    const image = images.get(a.image_id);
    if (!m) throw new Error(`${where}: not in ${sidecarPath}`);
    if (!image) throw new Error(`${where}: image_id ${a.image_id} is not in images`);
    if (m.image_id !== a.image_id || m.category !== categories.get(a.category_id))
      throw new Error(`${where}: image or category differs from ${sidecarPath} (${m.image_id}, "${m.category}")`);
    const [h, w] = a.segmentation.size;
    if (h !== image.height || w !== image.width)
      throw new Error(`${where}: segmentation size ${h}x${w}, image ${image.height}x${image.width}`);
    const problem = countsProblem(a.segmentation.counts, h, w);
    if (problem) throw new Error(`${where}: segmentation: ${problem}`);
    if (m.stuff || a.area < sidecar.min_pixels) continue;
    const mask: BinaryMask = { width: w, height: h, data: decodeCounts(a.segmentation.counts, h, w) };
    const box = maskBox(mask);
    if (!box) throw new Error(`${where}: empty mask`);
    objects.push({
      annotationId: a.id,
      imageId: a.image_id,
      category: m.category,
      referring: m.referring,
      unique: m.unique,
      named: m.named,
      family: m.family,
      fill: m.fill,
      mask,
      box,
    });
  }
  return { world: sidecar.world, seed: sidecar.seed, scenes: sidecar.scenes, images, objects };
}
