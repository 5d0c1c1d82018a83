// A fast yes/no check for the common shape of a labelme file, as
// core/coco/fastCheck.ts does for COCO annotations. Zod stays the source of
// truth: anything this does not positively accept goes to the zod schema,
// which gives the precise error (or accepts an unusual but valid form). It
// accepts only a subset of what the schema accepts, and lets a 10,000-file
// import skip the per-point zod work.
import type { LabelmeFile } from './labelme.js';

const isRecord = (value: unknown): boolean => typeof value === 'object' && value !== null && !Array.isArray(value);
const optional = (value: unknown, check: (value: unknown) => boolean) => value === undefined || value === null || check(value);
const isString = (value: unknown) => typeof value === 'string';

function isPoints(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (const point of value) {
    if (!Array.isArray(point) || point.length !== 2) return false;
    const [x, y] = point as unknown[];
    if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) return false;
  }
  return true;
}

function isShape(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const shape = value as Record<string, unknown>;
  return (
    typeof shape.label === 'string' &&
    isPoints(shape.points) &&
    optional(shape.shape_type, isString) &&
    optional(shape.group_id, Number.isInteger) &&
    optional(shape.description, isString) &&
    optional(shape.flags, isRecord) &&
    optional(shape.mask, isString)
  );
}

const isPositiveInteger = (value: unknown) => Number.isInteger(value) && (value as number) > 0;

export function looksLikeLabelmeFile(value: unknown): value is LabelmeFile {
  if (!isRecord(value)) return false;
  const file = value as Record<string, unknown>;
  if (file.version !== undefined && typeof file.version !== 'string') return false;
  if (typeof file.imagePath !== 'string' || file.imagePath === '') return false;
  if (!isPositiveInteger(file.imageHeight) || !isPositiveInteger(file.imageWidth)) return false;
  if (!optional(file.imageData, isString) || !optional(file.flags, isRecord)) return false;
  return Array.isArray(file.shapes) && file.shapes.every(isShape);
}
