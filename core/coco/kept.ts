// What an imported COCO file says beyond our own model, kept so the export can
// write it back: per category its id, supercategory (null kept as null) and
// other fields (isthing, keypoints, skeleton…); per annotation iscrowd, the
// file's own area and unknown fields (keypoints, num_keypoints, attributes…).
// Stored beside labels and annotations (see the schema's COCO migration).
// The annotation row also holds other formats' kept fields (keptFieldsWriter:
// VOC and CVAT flags and attributes as `attributes`), written back the same way.
import { randomUUID } from 'node:crypto';

import type Database from 'better-sqlite3';

import type { DocOp } from '../../common/contract/index.js';
import type { Project } from '../store/project.js';
import { paletteColour } from './palette.js';
import type { CocoAnnotation, CocoInstances } from './schema.js';

/** Fields of a COCO annotation that our own columns hold (or the export recomputes). */
const KNOWN_ANNOTATION_FIELDS = new Set(['id', 'image_id', 'category_id', 'segmentation', 'bbox', 'score', 'iscrowd', 'area']);
const KNOWN_CATEGORY_FIELDS = new Set(['id', 'name', 'supercategory']);

/**
 * The file's area is written back only while the geometry is the one
 * imported (same measure as then, up to float summation order); an edited
 * shape gets its own.
 */
export function keptAreaApplies(currentArea: number, measuredArea: number): boolean {
  return Math.abs(currentArea - measuredArea) <= 1e-6 * Math.max(1, Math.abs(measuredArea));
}

/** COCO category id → label id, creating labels for names the project lacks and recording each category's COCO fields. */
export function mergeCategories(
  project: Project,
  categories: CocoInstances['categories'],
): { labelOf: Map<number, string>; added: number } {
  const existing = new Map(project.labels().map((label) => [label.name, label.id]));
  const ops: DocOp[] = [];
  const labelOf = new Map<number, string>();
  for (const category of categories) {
    let labelId = existing.get(category.name);
    if (labelId === undefined) {
      labelId = randomUUID();
      existing.set(category.name, labelId);
      // Panoptic-style categories say which are stuff (isthing: 0): auto-label merges those into one region per image.
      const stuff = (category as { isthing?: unknown }).isthing === 0;
      ops.push({
        type: 'label.put',
        label: { id: labelId, name: category.name, colour: paletteColour(existing.size - 1), hotkey: null, ...(stuff ? { stuff } : {}) },
      });
    }
    labelOf.set(category.id, labelId);
  }
  if (ops.length > 0) project.apply(ops); // nested: better-sqlite3 turns it into a savepoint
  const keep = project.db.prepare<[string, number, string | null, string | null]>(
    'INSERT OR REPLACE INTO coco_categories (label_id, coco_id, supercategory, extra) VALUES (?, ?, ?, ?)',
  );
  for (const category of categories) {
    const extra = extraFields(category, KNOWN_CATEGORY_FIELDS);
    const supercategory = category.supercategory === undefined ? null : JSON.stringify(category.supercategory);
    keep.run(labelOf.get(category.id)!, category.id, supercategory, extra === null ? null : JSON.stringify(extra));
  }
  return { labelOf, added: ops.length };
}

/** Per import: records an annotation's COCO fields when there is anything to keep (most of our own exports have nothing). */
export function keptAnnotationWriter(
  db: Database.Database,
): (id: string, annotation: CocoAnnotation, measuredArea: number, fieldCounts: Map<string, number>) => void {
  const insert = db.prepare<[string, number, number | null, number, string | null]>(
    'INSERT OR REPLACE INTO coco_annotations (annotation_id, iscrowd, area, measured_area, extra) VALUES (?, ?, ?, ?, ?)',
  );
  return (id, annotation, measuredArea, fieldCounts) => {
    const iscrowd = annotation.iscrowd === 1 || annotation.iscrowd === true ? 1 : 0;
    const area = annotation.area !== undefined && !keptAreaApplies(annotation.area, measuredArea) ? annotation.area : null;
    const extra = extraFields(annotation, KNOWN_ANNOTATION_FIELDS);
    if (extra) for (const key of Object.keys(extra)) fieldCounts.set(key, (fieldCounts.get(key) ?? 0) + 1);
    if (iscrowd === 0 && area === null && extra === null) return;
    insert.run(id, iscrowd, area, measuredArea, extra === null ? null : JSON.stringify(extra));
  };
}

/**
 * Per import of another format: records fields the project has no column for
 * (VOC and CVAT attributes, see core/formats/attributes.ts) as the
 * annotation's own fields, in the row a COCO import writes, so every export
 * finds them in one place and a COCO export writes them as they are.
 */
export function keptFieldsWriter(db: Database.Database): (id: string, fields: Record<string, unknown>) => void {
  const insert = db.prepare<[string, string]>(
    'INSERT OR REPLACE INTO coco_annotations (annotation_id, iscrowd, area, measured_area, extra) VALUES (?, 0, NULL, NULL, ?)',
  );
  return (id, fields) => void insert.run(id, JSON.stringify(fields));
}

function extraFields(item: object, known: ReadonlySet<string>): Record<string, unknown> | null {
  let extra: Record<string, unknown> | null = null;
  for (const key in item) {
    if (known.has(key)) continue;
    extra ??= {};
    extra[key] = (item as Record<string, unknown>)[key];
  }
  return extra;
}

/** What the export adds to one annotation from its kept row. */
export interface KeptAnnotationRow {
  iscrowd: number | null;
  kept_area: number | null;
  measured_area: number | null;
  extra: string | null;
}

/** What the export writes for a category: its kept supercategory and fields, or ours. */
export function categoryJson(id: number, name: string, kept: { supercategory: string | null; extra: string | null } | undefined): string {
  const supercategory = kept?.supercategory ?? '"none"';
  const extra = kept?.extra ? `,${kept.extra.slice(1, -1)}` : '';
  return `{"id":${id},"name":${JSON.stringify(name)},"supercategory":${supercategory}${extra}}`;
}
