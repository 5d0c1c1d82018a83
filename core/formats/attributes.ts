// Per-annotation attributes of the XML formats: VOC's difficult, truncated
// and occluded flags and its pose, CVAT's occluded flag and its <attribute>
// values. Kept
// in datumaro's shape, the `attributes` object that CVAT's and datumaro's
// COCO files carry on each annotation: flags as booleans, CVAT values as the
// text they had. They are stored as that annotation field in the kept fields
// a COCO import fills (core/coco/kept.ts), so a COCO export writes them too
// and a COCO file's `attributes` reach a VOC or CVAT export.
// A flag is kept only when set: every writer of these formats reads a missing
// flag as 0, so nothing is lost and most annotations keep no row.
import { refuse } from './problems.js';

export type AttributeValue = string | number | boolean;
export type KeptAttributes = Record<string, AttributeValue>;

/** The flags with a name of their own in VOC or CVAT (the rest are CVAT <attribute>s). */
export const FLAG_ATTRIBUTES = ['difficult', 'truncated', 'occluded'] as const;

/** A 0/1 flag as VOC and CVAT write it (true/false accepted); an empty or missing one is unset. Anything else is refused. */
export function flagValue(raw: string | undefined, where: string, field: string): boolean | undefined {
  if (raw === undefined) return undefined;
  const value = raw.trim().toLowerCase();
  if (value === '') return undefined;
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  throw refuse(where, field, `expected 0 or 1, found ${JSON.stringify(raw)}.`);
}

/** How an attribute is named in the import's kept counts and the export's dropped counts. */
export const attributeWhat = (name: string): string =>
  (FLAG_ATTRIBUTES as readonly string[]).includes(name) ? `${name} flags` : `"${name}" attribute values`;

/** The attributes in a kept-fields JSON object (coco_annotations.extra), when it has a usable `attributes` object. */
export function attributesOf(extra: Record<string, unknown> | null): KeptAttributes | undefined {
  const value = extra?.attributes;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return value as KeptAttributes;
}

/** True when a kept flag is set, whichever way the file wrote it (true, 1, "1", "true"). */
export const flagSet = (value: unknown): boolean => value === true || value === 1 || value === '1' || value === 'true';

/** An attribute value as XML text: booleans as CVAT writes checkboxes. Null for values XML cannot hold (objects from a COCO file). */
export function attributeText(value: unknown): string | null {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}
