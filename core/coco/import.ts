// COCO import: everything is validated first (schema, ids, references,
// geometry against each image), then written in ONE transaction, so a refused
// file changes nothing. Categories merge with labels by name; images are
// matched by file_name relative to the project folder.
import { randomUUID } from 'node:crypto';

import { AppError, type CocoImportSummary } from '../../common/contract/index.js';
import type { Project } from '../store/project.js';
import { revisionCounter } from '../store/revisions.js';
import { type AnnotationValues, captionParams, INSERT_ANNOTATION, INSERT_CAPTION } from '../store/rows.js';
import { writeTransaction } from '../store/writeTransaction.js';
import { type ConvertedGeometry, convertSegmentation } from './annotationGeometry.js';
import { looksLikeCocoAnnotation } from './fastCheck.js';
import { paletteColour } from './palette.js';
import { imageRowsByPath, type SizedImage, storeNewSizes, unknownImage, withSizes } from './projectImages.js';
import { assertUniqueIds, parseWith, readJsonFile } from './readJson.js';
import { type CocoCaptions, cocoCaptionsSchema, type CocoInstances, cocoInstancesOuterSchema, cocoInstancesSchema } from './schema.js';

export type ProgressCallback = (done: number, total: number) => void;

/** Source recorded on imported annotations and captions. */
export const IMPORT_SOURCE = 'coco-import';

interface PlannedAnnotation {
  imageId: number;
  categoryId: number;
  score: number | null;
  geometry: ConvertedGeometry;
}

export async function importCoco(project: Project, path: string, onProgress?: ProgressCallback): Promise<CocoImportSummary> {
  const raw = readJsonFile(path);
  // A file with categories is an instances file; without, a captions file.
  const isCaptions = typeof raw === 'object' && raw !== null && !('categories' in raw);
  if (isCaptions) return importCaptions(project, parseWith(cocoCaptionsSchema, raw, 'COCO captions'), onProgress);
  return importInstances(project, parseInstances(raw), onProgress);
}

/** Zod for the small lists; a fast check per annotation with zod as the fallback that words the error. */
function parseInstances(raw: unknown): CocoInstances {
  const outer = parseWith(cocoInstancesOuterSchema, raw, 'COCO instances');
  const annotations = outer.annotations.map((annotation, index) =>
    looksLikeCocoAnnotation(annotation)
      ? annotation
      : parseWith(cocoInstancesSchema.shape.annotations.element, annotation, 'COCO instances', `annotations[${index}]`),
  );
  return { ...outer, annotations };
}

async function importInstances(project: Project, coco: CocoInstances, onProgress?: ProgressCallback): Promise<CocoImportSummary> {
  assertUniqueIds(coco.images, 'images');
  assertUniqueIds(coco.categories, 'categories');
  assertUniqueIds(coco.annotations, 'annotations');
  const total = coco.images.length + coco.annotations.length;
  const images = await matchImages(project, coco.images, (done) => onProgress?.(done, total));

  const categoryIndex = new Map(coco.categories.map((category, index) => [category.id, index]));
  const planned: PlannedAnnotation[] = coco.annotations.map((annotation, index) => {
    const image = images.get(annotation.image_id);
    if (!image) throw refuse(`annotations[${index}].image_id`, `image ${annotation.image_id} is not in "images".`);
    if (!categoryIndex.has(annotation.category_id)) {
      throw refuse(`annotations[${index}].category_id`, `category ${annotation.category_id} is not in "categories".`);
    }
    if (index % 5000 === 0) onProgress?.(coco.images.length + index, total);
    return {
      imageId: image.id,
      categoryId: annotation.category_id,
      score: annotation.score ?? null,
      geometry: convertSegmentation(annotation, index, image.width, image.height),
    };
  });

  let categoriesAdded = 0;
  writeTransaction(project.db, () => {
    storeNewSizes(project, [...images.values()]);
    const labelIds = mergeCategories(project, coco.categories, () => categoriesAdded++);
    const insert = project.db.prepare<AnnotationValues>(INSERT_ANNOTATION);
    const now = Date.now();
    const newId = batchIds();
    // The import is one write batch: its annotations share the next document revision.
    const revision = revisionCounter(project.db)();
    for (const { imageId, categoryId, score, geometry } of planned) {
      const [x, y, w, h] = geometry.bbox;
      const labelId = labelIds.get(categoryId) ?? null;
      insert.run(
        newId(),
        imageId,
        labelId,
        geometry.kind,
        geometry.json,
        score,
        IMPORT_SOURCE,
        now,
        now,
        geometry.area,
        x,
        y,
        w,
        h,
        revision,
        null,
        0,
      );
    }
  });
  onProgress?.(total, total);
  return { images: coco.images.length, annotations: planned.length, categoriesAdded, captions: 0 };
}

async function importCaptions(project: Project, coco: CocoCaptions, onProgress?: ProgressCallback): Promise<CocoImportSummary> {
  assertUniqueIds(coco.images, 'images');
  assertUniqueIds(coco.annotations, 'annotations');
  const images = await matchImages(project, coco.images);
  const planned = coco.annotations.map((caption, index) => {
    const image = images.get(caption.image_id);
    if (!image) throw refuse(`annotations[${index}].image_id`, `image ${caption.image_id} is not in "images".`);
    return { imageId: image.id, text: caption.caption };
  });
  writeTransaction(project.db, () => {
    storeNewSizes(project, [...images.values()]);
    const insert = project.db.prepare(INSERT_CAPTION);
    const now = Date.now();
    const newId = batchIds();
    for (const caption of planned) {
      insert.run(
        captionParams({ id: newId(), imageId: caption.imageId, text: caption.text, words: [], source: IMPORT_SOURCE, createdAt: now, updatedAt: now }),
      );
    }
  });
  onProgress?.(1, 1);
  return { images: coco.images.length, annotations: 0, categoriesAdded: 0, captions: planned.length };
}

/** COCO image id → project image with a known size; refuses unknown files and size mismatches. */
async function matchImages(
  project: Project,
  cocoImages: CocoInstances['images'],
  onRead?: (done: number) => void,
): Promise<Map<number, SizedImage>> {
  const byPath = imageRowsByPath(project);
  const rows = cocoImages.map((image, index) => {
    const row = byPath.get(image.file_name.replace(/\\/g, '/').replace(/^\.\//, ''));
    if (!row) throw unknownImage(image.file_name, index);
    return row;
  });
  const sized = await withSizes(project, rows, onRead);
  const byCocoId = new Map<number, SizedImage>();
  cocoImages.forEach((image, index) => {
    const actual = sized[index]!;
    if (image.width !== actual.width || image.height !== actual.height) {
      throw refuse(
        `images[${index}].width`,
        `"${image.file_name}" is ${actual.width}×${actual.height}, not ${image.width}×${image.height}.`,
      );
    }
    byCocoId.set(image.id, actual);
  });
  return byCocoId;
}

/** COCO category id → label id, creating labels for names the project lacks. Runs inside the import transaction. */
function mergeCategories(project: Project, categories: CocoInstances['categories'], onAdded: () => void): Map<number, string> {
  const existing = new Map(project.labels().map((label) => [label.name, label.id]));
  const ops = [];
  const result = new Map<number, string>();
  for (const category of categories) {
    let labelId = existing.get(category.name);
    if (labelId === undefined) {
      labelId = randomUUID();
      existing.set(category.name, labelId);
      ops.push({
        type: 'label.put' as const,
        label: { id: labelId, name: category.name, colour: paletteColour(existing.size - 1), hotkey: null },
      });
      onAdded();
    }
    result.set(category.id, labelId);
  }
  if (ops.length > 0) project.apply(ops); // nested: better-sqlite3 turns it into a savepoint
  return result;
}

/** Ids that sort in file order (rows are listed by created_at, then id, and share one timestamp). */
function batchIds(): () => string {
  const batch = randomUUID();
  let next = 0;
  return () => `${batch}-${(next++).toString().padStart(8, '0')}`;
}

const refuse = (path: string, message: string) => new AppError('invalid_file', `${path}: ${message}`, path);
