import assert from 'node:assert/strict';
import { test } from 'node:test';

import { looksLikeCocoAnnotation } from '../../../../core/coco/fastCheck.js';
import { cocoAnnotationSchema } from '../../../../core/coco/schema.js';

const base = { id: 1, image_id: 2, category_id: 3 };
const samples: unknown[] = [
  { ...base, segmentation: [[0, 0, 1, 0, 1, 1]] },
  { ...base, segmentation: [[0, 0, 1, 0, 1, 1, 2]] },
  { ...base, segmentation: [[0, 0, 1, 0]] },
  { ...base, segmentation: [[0, 0, 1, 0, 1, Number.NaN]] },
  { ...base, segmentation: { size: [2, 2], counts: 'abc' } },
  { ...base, segmentation: { size: [2, 2], counts: [1, 2, 1] } },
  { ...base, segmentation: { size: [2, 2], counts: [1, -2, 1] } },
  { ...base, segmentation: { size: [2, 0], counts: '4' } },
  { ...base, segmentation: { size: [2], counts: '4' } },
  { ...base, bbox: [1, 2, 3, 4] },
  { ...base, bbox: [1, 2, -3, 4] },
  { ...base, bbox: [1, 2, 3] },
  { ...base, score: 0.5, extra: 'kept' },
  { ...base, score: 2 },
  { ...base, id: 1.5 },
  { ...base, id: -1 },
  { ...base, image_id: '2' },
  { id: 1, image_id: 2 },
  null,
  [base],
];

test('the fast check accepts only what the zod schema accepts', () => {
  let accepted = 0;
  for (const sample of samples) {
    if (looksLikeCocoAnnotation(sample)) {
      accepted++;
      assert.ok(cocoAnnotationSchema.safeParse(sample).success, JSON.stringify(sample));
    }
  }
  assert.equal(accepted, 5, 'the common valid forms take the fast path');
});
