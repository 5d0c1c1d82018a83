// The COCO ids a project's labels and images carry in every export (instances,
// captions, detection results), so that a team's model outputs keep matching
// the ground truth they were made against:
// - a label keeps the category id of the file it was imported from (table
//   coco_categories); labels without one get ids after the largest kept id,
//   in label order (1..N when no label has one);
// - an image keeps the id of the file it was imported from (images.coco_id);
//   others keep their project id unless a kept id uses it, and then get ids
//   after the largest.
// Where two labels (or images) claim one id, the first in order keeps it.
import type { Project } from '../store/project.js';

export interface CocoIds {
  /** Label id → COCO category id, for every label. */
  categoryOf: Map<string, number>;
  /** Project image id → COCO image id, for every image (missing files included). */
  imageOf: Map<number, number>;
}

/** Ids as exports write them; the one place that decides them. */
export function cocoIds(project: Project): CocoIds {
  const labels = project.db
    .prepare(
      `SELECT l.id, c.coco_id FROM labels l LEFT JOIN coco_categories c ON c.label_id = l.id
       ORDER BY l.sort, l.id`,
    )
    .all() as { id: string; coco_id: number | null }[];
  const images = project.db.prepare('SELECT id, coco_id FROM images ORDER BY id').all() as { id: number; coco_id: number | null }[];
  return {
    categoryOf: assignIds(labels, () => null),
    imageOf: assignIds(images, (image) => image.id),
  };
}

/** Kept ids first (first claim wins), then each other row its fallback if free, else the next id after the largest. */
function assignIds<K>(rows: readonly { id: K; coco_id: number | null }[], fallback: (row: { id: K }) => number | null): Map<K, number> {
  const result = new Map<K, number>();
  const used = new Set<number>();
  for (const row of rows) {
    if (row.coco_id !== null && !used.has(row.coco_id)) {
      used.add(row.coco_id);
      result.set(row.id, row.coco_id);
    }
  }
  const pending = rows.filter((row) => !result.has(row.id));
  // Fallbacks that are free are taken before any "next" id, so they stay stable.
  for (const row of pending) {
    const own = fallback(row);
    if (own !== null && !used.has(own)) {
      used.add(own);
      result.set(row.id, own);
    }
  }
  let next = largest(used) + 1;
  for (const row of pending) {
    if (result.has(row.id)) continue;
    while (used.has(next)) next++;
    used.add(next);
    result.set(row.id, next++);
  }
  return result;
}

function largest(ids: ReadonlySet<number>): number {
  let max = 0;
  for (const id of ids) if (id > max) max = id;
  return max;
}
