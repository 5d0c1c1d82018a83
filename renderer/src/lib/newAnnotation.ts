// The one place a new annotation record is made, whether a tool drew it or an
// AI mask was accepted: a fresh id, created and updated now, revision 0 (it
// does not exist in the project yet).
import type { Annotation, Geometry } from '../../../common/contract/index.js';

export interface NewAnnotationFields {
  imageId: number;
  labelId: string | null;
  geometry: Geometry;
  /** The model's confidence in [0, 1]; null for hand-drawn shapes. */
  score?: number | null;
  /** 'manual' for hand-drawn, otherwise the id of the model that proposed it. */
  source?: string;
}

export function newAnnotation(
  { imageId, labelId, geometry, score = null, source = 'manual' }: NewAnnotationFields,
  now = Date.now(),
): Annotation {
  return { id: crypto.randomUUID(), imageId, labelId, geometry, score, source, createdAt: now, updatedAt: now, revision: 0 };
}
