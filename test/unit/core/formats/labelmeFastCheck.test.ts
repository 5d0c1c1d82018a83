// The labelme fast check skips zod for the common file shape: it may accept
// only what the zod schema accepts, and must accept the files labelme writes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { labelmeFileSchema } from '../../../../core/formats/labelme.js';
import { looksLikeLabelmeFile } from '../../../../core/formats/labelmeFastCheck.js';
import { FIXTURES } from './formatFixtures.js';

const shape = {
  label: 'a',
  points: [[1, 2] as [number, number], [3, 4] as [number, number]],
  shape_type: 'rectangle',
  group_id: null,
  flags: {},
};
const base = { version: '5.7.0', flags: {}, shapes: [shape], imagePath: 'x.png', imageData: null, imageHeight: 10, imageWidth: 20 };

const samples: unknown[] = [
  base,
  { ...base, version: undefined, flags: undefined, imageData: undefined },
  { ...base, imageData: 'iVBORw0KGgo=', extra: 'ignored' },
  { ...base, shapes: [] },
  { ...base, shapes: [{ ...shape, group_id: 3, description: 'd', mask: 'iVBORw0KGgo=' }] },
  { ...base, shapes: [{ label: 'a', points: [[1, 2]] }] },
  { ...base, version: 5 },
  { ...base, imagePath: '' },
  { ...base, imagePath: undefined },
  { ...base, imageHeight: 0 },
  { ...base, imageWidth: 2.5 },
  { ...base, imageHeight: '10' },
  { ...base, imageData: 7 },
  { ...base, flags: [] },
  { ...base, shapes: {} },
  { ...base, shapes: [null] },
  { ...base, shapes: [{ ...shape, label: 1 }] },
  { ...base, shapes: [{ ...shape, points: [[1, 2, 3]] }] },
  { ...base, shapes: [{ ...shape, points: [[1, '2']] }] },
  { ...base, shapes: [{ ...shape, points: [[1, Number.NaN]] }] },
  { ...base, shapes: [{ ...shape, points: {} }] },
  { ...base, shapes: [{ ...shape, shape_type: 4 }] },
  { ...base, shapes: [{ ...shape, group_id: 1.5 }] },
  { ...base, shapes: [{ ...shape, flags: 'x' }] },
  { ...base, shapes: [{ ...shape, description: {} }] },
  { ...base, shapes: [{ ...shape, mask: 1 }] },
  null,
  [base],
  'labelme',
];

test('the labelme fast check accepts only what the zod schema accepts', () => {
  let accepted = 0;
  for (const sample of samples) {
    const fast = looksLikeLabelmeFile(sample);
    if (fast) accepted++;
    // Zod decides every case; the fast check may say no to a valid file (zod then takes it), never yes to an invalid one.
    if (fast) assert.ok(labelmeFileSchema.safeParse(sample).success, JSON.stringify(sample));
  }
  assert.equal(accepted, 6, 'the common valid forms take the fast path');
});

test('the files labelme itself wrote take the fast path', () => {
  for (const name of ['primitives.json', 'instance_segmentation/2011_000003.json']) {
    const raw: unknown = JSON.parse(readFileSync(join(FIXTURES, 'labelme', name), 'utf8'));
    assert.ok(looksLikeLabelmeFile(raw), name);
    assert.ok(labelmeFileSchema.safeParse(raw).success, name);
  }
});
