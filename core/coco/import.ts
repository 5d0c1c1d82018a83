// COCO import. The file's kind is decided first (fileKind.ts), so a results,
// panoptic or non-COCO file is refused as what it is. Everything is then
// validated and written in ONE transaction: a refusal anywhere rolls it back,
// so a refused file changes nothing. Categories merge with labels by name;
// images are matched by file_name relative to the project folder, and keep
// their COCO ids for later exports (cocoIds.ts).
import { type CocoDuplicateMode, type CocoImportSummary } from '../../common/contract/index.js';
import { batchIds } from '../store/bulkInsert.js';
import type { Project } from '../store/project.js';
import { captionParams, INSERT_CAPTION } from '../store/rows.js';
import { writeTransaction } from '../store/writeTransaction.js';
import { detectCocoKind, unsupportedKind } from './fileKind.js';
import { importInstances } from './importInstances.js';
import { IMPORT_SOURCE, refuse } from './importRows.js';
import { matchImages, storeImageIds } from './matchImages.js';
import { storeNewSizes } from './projectImages.js';
import { assertUniqueIds, parseWith, readJsonFile } from './readJson.js';
import { type CocoCaptions, cocoCaptionsSchema } from './schema.js';

export type ProgressCallback = (done: number, total: number) => void;

export { IMPORT_SOURCE };

export interface CocoImportOptions {
  /** Annotations already in the project (same image, label and geometry): skipped (default), replaced, or added again. */
  duplicates?: CocoDuplicateMode;
}

export async function importCoco(
  project: Project,
  path: string,
  onProgress?: ProgressCallback,
  options: CocoImportOptions = {},
): Promise<CocoImportSummary> {
  const raw = readJsonFile(path);
  const detected = detectCocoKind(raw);
  const refusal = unsupportedKind(detected, path);
  if (refusal) throw refusal;
  if (detected.kind === 'captions') return importCaptions(project, parseWith(cocoCaptionsSchema, raw, 'COCO captions'), onProgress);
  return importInstances(project, raw, options.duplicates ?? 'skip', onProgress);
}

async function importCaptions(project: Project, coco: CocoCaptions, onProgress?: ProgressCallback): Promise<CocoImportSummary> {
  assertUniqueIds(coco.images, 'images');
  assertUniqueIds(coco.annotations, 'annotations');
  const { images, notes } = await matchImages(project, coco.images);
  const planned = coco.annotations.map((caption, index) => {
    const image = images.get(caption.image_id);
    if (!image) throw refuse(`annotations[${index}].image_id`, `image ${caption.image_id} is not in "images".`);
    return { imageId: image.id, text: caption.caption };
  });
  writeTransaction(project.db, () => {
    storeNewSizes(project, [...images.values()]);
    notes.push(...storeImageIds(project, coco.images, images));
    const insert = project.db.prepare(INSERT_CAPTION);
    const now = Date.now();
    const newId = batchIds();
    for (const caption of planned) {
      insert.run(
        captionParams({
          id: newId(),
          imageId: caption.imageId,
          text: caption.text,
          words: [],
          source: IMPORT_SOURCE,
          createdAt: now,
          updatedAt: now,
        }),
      );
    }
  });
  onProgress?.(1, 1);
  return {
    kind: 'captions',
    images: coco.images.length,
    annotations: 0,
    categoriesAdded: 0,
    captions: planned.length,
    duplicates: { mode: 'add', found: 0 },
    clippedPoints: 0,
    degenerateRings: 0,
    droppedAnnotations: 0,
    keptFields: {},
    notes,
  };
}
