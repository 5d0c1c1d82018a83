// The sample images' ground truth (assets/samples/annotations.coco.json):
// where the objects the tests prompt for are, and how to compare boxes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { repoRoot } from './host.js';

/** [x, y, width, height] in image pixels, as COCO writes it. */
export type Bbox = [number, number, number, number];

/** The parts of a COCO instances file the tests read: the sample ground truth, and what the app exports. */
export interface CocoFile {
  images: { id: number; file_name: string; width: number; height: number }[];
  annotations: {
    image_id: number;
    category_id: number;
    bbox: Bbox;
    segmentation: number[][] | { counts: string; size: [number, number] };
    area: number;
  }[];
  categories: { id: number; name: string }[];
}

type CocoImage = CocoFile['images'][number];
type CocoAnnotation = CocoFile['annotations'][number];

export function groundTruth(): CocoFile {
  return JSON.parse(readFileSync(join(repoRoot, 'assets', 'samples', 'annotations.coco.json'), 'utf8')) as CocoFile;
}

/** The first annotation of `category` on the image `fileName`, with that image; undefined where there is none. */
function findObject(gt: CocoFile, fileName: string, category: string): { image: CocoImage; annotation: CocoAnnotation } | undefined {
  const image = gt.images.find((i) => i.file_name === fileName);
  const categoryId = gt.categories.find((c) => c.name === category)?.id;
  const annotation = gt.annotations.find((a) => a.image_id === image?.id && a.category_id === categoryId);
  return image && annotation ? { image, annotation } : undefined;
}

/** The ground-truth box of a sample object. */
export function gtBox(gt: CocoFile, fileName: string, category: string): Bbox {
  const found = findObject(gt, fileName, category);
  if (!found) throw new Error(`the sample ground truth has no ${category} on ${fileName}`);
  return found.annotation.bbox;
}

/** The ground-truth outline of a sample object (its first polygon ring), with its image's size. */
export function groundTruthRing(fileName: string, category: string): { ring: number[]; width: number; height: number } {
  const found = findObject(groundTruth(), fileName, category);
  const segmentation = found?.annotation.segmentation;
  if (!found || !Array.isArray(segmentation) || !Array.isArray(segmentation[0]))
    throw new Error(`no ${category} polygon on ${fileName} in the sample ground truth`);
  return { ring: segmentation[0], width: found.image.width, height: found.image.height };
}

/** Intersection over union of two boxes (0 when they do not overlap). */
export function boxIoU(a: Bbox, b: Bbox): number {
  const w = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
  const inter = w * h;
  return inter / (a[2] * a[3] + b[2] * b[3] - inter);
}
