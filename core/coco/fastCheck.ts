// A fast yes/no check for the common shape of a COCO annotation. Zod stays the
// source of truth: anything this does not positively accept is handed to the
// zod schema, which produces the precise error (or accepts an unusual but
// valid form). It only ever accepts a subset of what the schema accepts, and
// lets a 200,000-annotation import skip most per-field zod work.
import type { CocoAnnotation } from './schema.js';

const isId = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;
const isFinite = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

function isPolygonList(value: unknown[]): boolean {
  for (const ring of value) {
    if (!Array.isArray(ring) || ring.length < 6 || ring.length % 2 !== 0) return false;
    for (const coordinate of ring) if (!isFinite(coordinate)) return false;
  }
  return true;
}

function isRle(value: object): boolean {
  const { size, counts } = value as { size?: unknown; counts?: unknown };
  if (!Array.isArray(size) || size.length !== 2) return false;
  if (!size.every((n) => typeof n === 'number' && Number.isInteger(n) && n > 0)) return false;
  if (typeof counts === 'string') return true;
  return Array.isArray(counts) && counts.every(isId);
}

export function looksLikeCocoAnnotation(value: unknown): value is CocoAnnotation {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const a = value as Record<string, unknown>;
  if (!isId(a.id) || !isId(a.image_id) || !isId(a.category_id)) return false;
  if (a.score !== undefined && !(typeof a.score === 'number' && a.score >= 0 && a.score <= 1)) return false;
  if (a.iscrowd !== undefined && a.iscrowd !== 0 && a.iscrowd !== 1 && typeof a.iscrowd !== 'boolean') return false;
  if (a.area !== undefined && !(isFinite(a.area) && a.area >= 0)) return false;
  if (a.bbox !== undefined) {
    const bbox = a.bbox;
    if (!Array.isArray(bbox) || bbox.length !== 4 || !bbox.every(isFinite) || (bbox[2] ?? -1) < 0 || (bbox[3] ?? -1) < 0) return false;
  }
  const segmentation = a.segmentation;
  if (segmentation === undefined) return true;
  if (Array.isArray(segmentation)) return isPolygonList(segmentation);
  return typeof segmentation === 'object' && segmentation !== null && isRle(segmentation);
}
