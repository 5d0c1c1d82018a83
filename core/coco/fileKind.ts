// What kind of COCO file a parsed JSON value is, decided before any schema
// check, so a refusal names the kind and what is unsupported instead of
// reporting a field of the wrong schema: a results list once got a message
// about captions, and a captions file with "categories": [] (datumaro, CVAT)
// was taken for instances.
import { AppError } from '../../common/contract/index.js';

export type CocoFileKind = 'instances' | 'captions' | 'results' | 'panoptic' | 'unknown';

export interface DetectedKind {
  kind: CocoFileKind;
  /** For 'unknown': what the value is instead, in words. */
  detail?: string;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Looks at the top level and at the first annotation only; the schema checks the rest. */
export function detectCocoKind(raw: unknown): DetectedKind {
  if (Array.isArray(raw)) return { kind: 'results' };
  if (!isObject(raw)) return { kind: 'unknown', detail: `its top level is ${describeValue(raw)}, not an object` };
  const annotations = raw.annotations;
  if (!Array.isArray(annotations)) {
    const keys = Object.keys(raw).slice(0, 8);
    return {
      kind: 'unknown',
      detail: `it has no "annotations" list (its keys: ${keys.length ? keys.map((key) => `"${key}"`).join(', ') : 'none'})`,
    };
  }
  const first: unknown = annotations.find(isObject);
  if (isObject(first)) {
    if ('segments_info' in first) return { kind: 'panoptic' };
    if ('caption' in first && !('category_id' in first)) return { kind: 'captions' };
    return { kind: 'instances' };
  }
  // No annotations to look at: the categories list decides; an empty one is the captions style of datumaro and CVAT.
  return { kind: Array.isArray(raw.categories) && raw.categories.length > 0 ? 'instances' : 'captions' };
}

/** The command that imports a results file, told in every refusal of one. */
export const PROPOSALS_IMPORT_HINT = 'promptlabel import --proposals FILE';

/** The refusal for a kind that `coco.import` does not take; null for instances and captions. */
export function unsupportedKind(detected: DetectedKind, file: string): AppError | null {
  switch (detected.kind) {
    case 'instances':
    case 'captions':
      return null;
    case 'results':
      return new AppError(
        'invalid_file',
        `${file} is a COCO results file (a bare list of detections with image_id, category_id and score), not an instances file. Results are model output: import them as proposals to review (${PROPOSALS_IMPORT_HINT}).`,
        '(root)',
      );
    case 'panoptic':
      return new AppError(
        'invalid_file',
        `${file} is a COCO panoptic file (annotations with "segments_info" pointing into PNG segment maps); panoptic import is not supported. Convert it to instances first (panopticapi's converters/panoptic2detection_coco_format.py).`,
        'annotations[0].segments_info',
      );
    case 'unknown':
      return new AppError(
        'invalid_file',
        `${file} is not a COCO file: ${detected.detail ?? 'unrecognised'}. Import takes COCO instances files (images, annotations, categories) and captions files (images, annotations with "caption").`,
        '(root)',
      );
  }
}

/** A value by kind, never by content (it may be anything the user picked). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number') {
    return Number.isFinite(value) ? 'a number' : 'a number out of range (beyond what a 64-bit float holds, like 1e400)';
  }
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return 'an object';
}
