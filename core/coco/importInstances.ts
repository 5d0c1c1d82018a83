// A COCO instances file into the project, in one transaction (a refusal rolls
// it all back). Validation and writing share one pass over the annotations,
// so no second copy of 200,000 converted annotations is held (the import's
// speed is its insert loop and the garbage it makes).
//
// Fidelity: what COCO says that our model does not hold is kept beside it
// (schema: coco_categories, coco_annotations, images.coco_id) and written
// back by the export: category ids, supercategory and extra fields (isthing,
// keypoints…), image ids, iscrowd, the file's own area (COCOeval's size
// ranges use it; writers measure it their own way), and unknown annotation
// fields (keypoints, attributes…).
import type { CocoDuplicateMode, CocoImportSummary, Geometry } from '../../common/contract/index.js';
import { measureGeometry } from '../../common/geometry/measure.js';
import { importTransaction } from '../store/bulkInsert.js';
import type { Project } from '../store/project.js';
import { geometryJson } from '../store/rows.js';
import { type ConvertedGeometry, convertSegmentation, type GeometryNotes } from './annotationGeometry.js';
import { ExistingAnnotations } from './duplicates.js';
import { looksLikeCocoAnnotation } from './fastCheck.js';
import type { ProgressCallback } from './import.js';
import { IMPORT_SOURCE, refuse } from './importRows.js';
import { keptAnnotationWriter, mergeCategories } from './kept.js';
import { type MatchedImage, matchImages, storeImageIds } from './matchImages.js';
import { orientGeometry } from './orientation.js';
import { storeNewSizes } from './projectImages.js';
import { assertUniqueIds, parseWith } from './readJson.js';
import { type CocoAnnotation, cocoInstancesOuterSchema, cocoInstancesSchema } from './schema.js';

export async function importInstances(
  project: Project,
  raw: unknown,
  mode: CocoDuplicateMode,
  onProgress?: ProgressCallback,
): Promise<CocoImportSummary> {
  const coco = parseWith(cocoInstancesOuterSchema, raw, 'COCO instances');
  assertUniqueIds(coco.images, 'images');
  assertUniqueIds(coco.categories, 'categories');
  const total = coco.images.length + coco.annotations.length;
  const { images, notes } = await matchImages(project, coco.images, (done) => onProgress?.(done, total));
  const knownCategories = new Set(coco.categories.map((category) => category.id));
  const geometryNotes: GeometryNotes = { clipped: 0, degenerateRings: 0 };
  const keptFields = new Map<string, number>();
  let written = 0;
  let dropped = 0;
  let duplicatesFound = 0;
  let categoriesAdded = 0;

  const db = project.db;
  importTransaction(db, IMPORT_SOURCE, (insert) => {
    storeNewSizes(project, [...images.values()]);
    notes.push(...storeImageIds(project, coco.images, images));
    const merged = mergeCategories(project, coco.categories);
    categoriesAdded = merged.added;
    const labelOf = merged.labelOf;
    const deleteAnnotation = db.prepare<[string]>('DELETE FROM annotations WHERE id = ?');
    const deleteKept = db.prepare<[string]>('DELETE FROM coco_annotations WHERE annotation_id = ?');
    const existing = new ExistingAnnotations(db, [...images.values()]);
    const keep = keptAnnotationWriter(db);
    const seenIds = new Map<number, number>();
    const annotations = coco.annotations;
    for (let index = 0; index < annotations.length; index++) {
      const item = annotations[index];
      // Let the collector take each parsed annotation once written: a smaller live heap to mark.
      annotations[index] = null;
      const annotation = looksLikeCocoAnnotation(item)
        ? item
        : parseWith(cocoInstancesSchema.shape.annotations.element, item, 'COCO instances', `annotations[${index}]`);
      const first = seenIds.get(annotation.id);
      if (first !== undefined) throw refuse(`annotations[${index}].id`, `id ${annotation.id} is already used by annotations[${first}].`);
      seenIds.set(annotation.id, index);
      const image = images.get(annotation.image_id);
      if (!image) throw refuse(`annotations[${index}].image_id`, `image ${annotation.image_id} is not in "images".`);
      if (!knownCategories.has(annotation.category_id)) {
        throw refuse(`annotations[${index}].category_id`, `category ${annotation.category_id} is not in "categories".`);
      }
      if (index % 5000 === 0) onProgress?.(coco.images.length + index, total);
      const geometry = convert(annotation, index, image, geometryNotes);
      if (!geometry) {
        dropped++;
        continue;
      }
      const labelId = labelOf.get(annotation.category_id)!;
      const match = existing.take(image.id, labelId, geometry.json);
      if (match !== null) {
        duplicatesFound++;
        if (mode === 'skip') continue;
        if (mode === 'replace') {
          deleteAnnotation.run(match);
          deleteKept.run(match);
        }
      }
      const id = insert(image.id, labelId, geometry.kind, geometry.json, annotation.score ?? null, geometry.area, geometry.bbox);
      keep(id, annotation, geometry.area, keptFields);
      written++;
    }
  });
  onProgress?.(total, total);
  if (geometryNotes.clipped > 0) {
    notes.push(
      `${geometryNotes.clipped} point${geometryNotes.clipped > 1 ? 's' : ''} up to 1 px outside their image moved onto its border.`,
    );
  }
  if (geometryNotes.degenerateRings > 0) {
    notes.push(
      `${geometryNotes.degenerateRings} polygon ring${geometryNotes.degenerateRings > 1 ? 's' : ''} without area dropped` +
        (dropped > 0
          ? `; ${dropped} annotation${dropped > 1 ? 's' : ''} had no other ring and ${dropped > 1 ? 'were' : 'was'} dropped.`
          : '.'),
    );
  }
  if (duplicatesFound > 0) {
    const what = { skip: 'skipped', replace: 'replaced', add: 'added again' }[mode];
    notes.push(`${duplicatesFound} annotation${duplicatesFound > 1 ? 's were' : ' was'} already in the project: ${what}.`);
  }
  return {
    kind: 'instances',
    images: coco.images.length,
    annotations: written,
    categoriesAdded,
    captions: 0,
    duplicates: { mode, found: duplicatesFound },
    clippedPoints: geometryNotes.clipped,
    degenerateRings: geometryNotes.degenerateRings,
    droppedAnnotations: dropped,
    keptFields: Object.fromEntries(keptFields),
    notes,
  };
}

/** The annotation's geometry in display coordinates (turned when the file used the raw pixel grid). */
function convert(annotation: CocoAnnotation, index: number, image: MatchedImage, notes: GeometryNotes): ConvertedGeometry | null {
  const orientation = image.rawOrientation;
  if (orientation === undefined) return convertSegmentation(annotation, index, image.width, image.height, notes);
  // Raw grid: checked against the stored size, then turned.
  const converted = convertSegmentation(annotation, index, image.height, image.width, notes);
  if (!converted) return null;
  const turned = orientGeometry(JSON.parse(converted.json) as Geometry, orientation, image.height, image.width, true);
  const { area, bbox } = measureGeometry(turned);
  return { kind: turned.kind, json: geometryJson(turned), area, bbox };
}
