// COCO detection results (`[{image_id, category_id, segmentation | bbox,
// score}]`, what COCOeval's loadRes reads) in and out of the review queue:
// - out: proposals, or accepted annotations that carry a score, with the same
//   image and category ids as every COCO export (cocoIds), so a team can
//   evaluate a model against the project's ground truth;
// - in: a results file (e.g. the merged shards of `promptlabel autolabel
//   --out`) becomes proposals to review. The whole file is checked first; a
//   bad entry is refused with its index and field, and nothing is written.
// Beside the standard fields each result carries `file_name` and
// `category_name` (loadRes ignores extra fields), so shards made on other
// machines match images by path and labels by name.
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';

import { z } from 'zod';

import {
  AppError,
  type Geometry,
  type Proposal,
  type ResultsExportSummary,
  type ResultsImportSummary,
} from '../../common/contract/index.js';
import { writeFileAtomic } from '../../files/atomicWrite.js';
import { convertSegmentation, type GeometryNotes } from '../coco/annotationGeometry.js';
import { cocoIds } from '../coco/cocoIds.js';
import { checkExportTarget } from '../coco/exportTarget.js';
import { paletteColour } from '../coco/palette.js';
import { parseWith, readJsonFile } from '../coco/readJson.js';
import { cocoSegmentationSchema } from '../coco/schema.js';
import type { Project } from '../store/project.js';
import { ProposalTable } from '../store/proposals.js';
import { writeTransaction } from '../store/writeTransaction.js';

export const cocoResultSchema = z.looseObject({
  image_id: z.number().int().nonnegative(),
  category_id: z.number().int().nonnegative(),
  score: z.number().min(0).max(1),
  segmentation: cocoSegmentationSchema.optional(),
  bbox: z
    .tuple([z.number().finite(), z.number().finite(), z.number().finite().nonnegative(), z.number().finite().nonnegative()])
    .optional(),
  file_name: z.string().min(1).max(4096).optional(),
  category_name: z.string().trim().min(1).max(200).optional(),
  /** The model that made it (our writer adds it; other tools' files have none). */
  source: z.string().min(1).max(200).optional(),
});
export type CocoResult = z.infer<typeof cocoResultSchema>;

export interface ResultRecord {
  imageId: number;
  labelId: string | null;
  geometry: Geometry;
  bbox: { x: number; y: number; w: number; h: number };
  score: number;
  source: string;
}

/** Results as COCO's loadRes reads them: every entry with a segmentation (a box as its 4-corner polygon), so one file never mixes kinds. */
export function toCocoResults(project: Project, records: readonly ResultRecord[]): { results: CocoResult[]; unlabeled: number } {
  const ids = cocoIds(project);
  const names = new Map(project.labels().map((l) => [l.id, l.name]));
  const paths = new Map(
    (project.db.prepare('SELECT id, rel_path FROM images').all() as { id: number; rel_path: string }[]).map((r) => [r.id, r.rel_path]),
  );
  const results: CocoResult[] = [];
  let unlabeled = 0;
  for (const r of records) {
    const categoryId = r.labelId === null ? undefined : ids.categoryOf.get(r.labelId);
    const imageId = ids.imageOf.get(r.imageId);
    if (categoryId === undefined || imageId === undefined) {
      unlabeled++;
      continue;
    }
    const { x, y, w, h } = r.bbox;
    results.push({
      image_id: imageId,
      category_id: categoryId,
      segmentation: segmentationOf(r.geometry),
      bbox: [x, y, w, h],
      score: r.score,
      file_name: paths.get(r.imageId),
      category_name: names.get(r.labelId!),
      source: r.source,
    });
  }
  return { results, unlabeled };
}

function segmentationOf(geometry: Geometry): CocoResult['segmentation'] {
  switch (geometry.kind) {
    case 'mask':
      return { size: geometry.rle.size, counts: geometry.rle.counts };
    case 'polygon':
      return geometry.polygons.map((p) => p.outer);
    case 'box': {
      const { x, y, w, h } = geometry.box;
      return [[x, y, x + w, y, x + w, y + h, x, y + h]];
    }
  }
}

/** Proposals (or accepted annotations with a score) as a results file at `path` (checked as every export is). */
/** `jobId`: only that job's proposals (a shard's run). */
export function exportResults(
  project: Project,
  what: 'proposals' | 'annotations',
  path: string,
  overwrite: boolean,
  jobId?: string,
): ResultsExportSummary {
  checkExportTarget(project, path, overwrite);
  const records = what === 'proposals' ? proposalRecords(project, jobId) : scoredAnnotations(project);
  const { results, unlabeled } = toCocoResults(project, records);
  writeFileAtomic(path, `[${results.map((r) => JSON.stringify(r)).join(',\n')}]\n`);
  return { path, results: results.length, images: new Set(results.map((r) => r.image_id)).size, unlabeled };
}

function proposalRecords(project: Project, jobId: string | undefined): ResultRecord[] {
  const proposals = new ProposalTable(project.db).all();
  return (jobId === undefined ? proposals : proposals.filter((p) => p.jobId === jobId)).map((p) => ({
    imageId: p.imageId,
    labelId: p.labelId,
    geometry: p.geometry,
    bbox: p.box,
    score: p.score,
    source: p.source,
  }));
}

function scoredAnnotations(project: Project): ResultRecord[] {
  const rows = project.db
    .prepare(
      `SELECT image_id, label_id, geometry, score, source, bbox_x, bbox_y, bbox_w, bbox_h FROM annotations
       WHERE score IS NOT NULL ORDER BY image_id, created_at, id`,
    )
    .all() as {
    image_id: number;
    label_id: string | null;
    geometry: string;
    score: number;
    source: string;
    bbox_x: number;
    bbox_y: number;
    bbox_w: number;
    bbox_h: number;
  }[];
  return rows.map((r) => ({
    imageId: r.image_id,
    labelId: r.label_id,
    geometry: JSON.parse(r.geometry) as Geometry,
    bbox: { x: r.bbox_x, y: r.bbox_y, w: r.bbox_w, h: r.bbox_h },
    score: r.score,
    source: r.source,
  }));
}

/**
 * A results file into the review queue. Images match by `file_name` (the
 * project-relative path), else by COCO image id; categories by
 * `category_name`, else by COCO category id. A category known only by an id
 * the project does not have is refused. Importing the same file again
 * replaces what it proposed before.
 */
export async function importResults(project: Project, path: string): Promise<ResultsImportSummary> {
  const raw = readJsonFile(path);
  if (!Array.isArray(raw))
    throw new AppError(
      'invalid_file',
      `${path} is not a COCO results file: its top level must be a list of {image_id, category_id, score, segmentation | bbox}.`,
      '(root)',
    );
  const entries = raw.map((value, index) => parseWith(cocoResultSchema, value, 'COCO result', `[${index}]`));
  const ids = cocoIds(project);
  const imageByCoco = new Map([...ids.imageOf].map(([id, coco]) => [coco, id]));
  const labelByCoco = new Map([...ids.categoryOf].map(([id, coco]) => [coco, id]));
  const labels = project.labels();
  const labelByName = new Map(labels.map((l) => [l.name, l.id]));
  const images = project.db.prepare('SELECT id, rel_path, width, height FROM images').all() as {
    id: number;
    rel_path: string;
    width: number | null;
    height: number | null;
  }[];
  const imageByPath = new Map(images.map((i) => [i.rel_path, i]));
  const imageById = new Map(images.map((i) => [i.id, i]));
  const newLabels = new Map<string, string>();
  const planned: Proposal[] = [];
  const notes: GeometryNotes = { clipped: 0, degenerateRings: 0 };
  let unmatched = 0;
  const runKey = `results|${basename(path)}`;
  const now = Date.now();
  const matched = entries.map(
    (entry) =>
      (entry.file_name !== undefined ? imageByPath.get(entry.file_name) : undefined) ??
      imageById.get(imageByCoco.get(entry.image_id) ?? -1),
  );
  // Geometry is checked against the image's size: read the headers not read yet.
  for (const image of new Set(matched))
    if (image && (image.width === null || image.height === null)) Object.assign(image, await project.getImage(image.id));
  entries.forEach((entry, index) => {
    const image = matched[index];
    if (!image || image.width === null || image.height === null) {
      unmatched++;
      return;
    }
    let labelId =
      entry.category_name !== undefined
        ? (labelByName.get(entry.category_name) ?? newLabels.get(entry.category_name))
        : labelByCoco.get(entry.category_id);
    if (labelId === undefined) {
      if (entry.category_name === undefined)
        throw new AppError(
          'invalid_file',
          `[${index}].category_id: category ${entry.category_id} is not a category of this project, and the result has no category_name to create it by.`,
          `[${index}].category_id`,
        );
      labelId = `label-${randomUUID()}`;
      newLabels.set(entry.category_name, labelId);
    }
    const converted = convertSegmentation({ ...entry, id: index }, index, image.width, image.height, notes);
    if (!converted) return;
    planned.push({
      id: randomUUID(),
      imageId: image.id,
      labelId,
      geometry: JSON.parse(converted.json) as Geometry,
      score: entry.score,
      source: entry.source ?? `results:${basename(path)}`,
      jobId: null,
      runKey,
      createdAt: now,
    });
  });
  const table = new ProposalTable(project.db);
  writeTransaction(project.db, () => {
    // New labels through the document's own label.put (nested: a savepoint of this transaction).
    if (newLabels.size > 0)
      project.apply(
        [...newLabels].map(([name, id], i) => ({
          type: 'label.put' as const,
          label: { id, name, colour: paletteColour(labels.length + i), hotkey: null },
        })),
      );
    for (const imageId of new Set(planned.map((p) => p.imageId))) table.replaceRun(runKey, imageId);
    for (const proposal of planned) table.put(proposal);
  });
  return { proposals: planned.length, images: new Set(planned.map((p) => p.imageId)).size, labelsAdded: newLabels.size, unmatched };
}
