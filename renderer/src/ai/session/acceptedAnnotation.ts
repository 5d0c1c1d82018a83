// An accepted AI mask as an annotation: the full-resolution mask with its
// simplified outline, the model as its source, its score clamped to [0, 1],
// and the chosen label if the project still has it. The record itself is
// made where every new annotation is (lib/newAnnotation.ts).
import type { Annotation, Label, MaterializedMask } from '../../../../common/contract/index.js';
import { newAnnotation } from '../../lib/newAnnotation.js';
import { clampScore } from '../aiPrompts.js';

export function acceptedAnnotation(mask: MaterializedMask, imageId: number, labelId: string | null, labels: readonly Label[]): Annotation {
  if (mask.area <= 0) throw new Error('The candidate mask is empty; nothing to accept.');
  const known = labelId !== null && labels.some((l) => l.id === labelId);
  return newAnnotation({
    imageId,
    labelId: known ? labelId : null,
    geometry: mask.polygons.length > 0 ? { kind: 'mask', rle: mask.rle, outline: mask.polygons } : { kind: 'mask', rle: mask.rle },
    score: clampScore(mask.score),
    source: mask.modelId,
  });
}
