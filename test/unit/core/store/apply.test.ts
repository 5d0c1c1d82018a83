import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { type Annotation, AppError, type DocOp } from '../../../../common/contract/index.js';
import { maskToRle } from '../../../../common/geometry/rle.js';
import { Project } from '../../../../core/store/project.js';
import { boxAnnotation, caption, label, tempDir, writeImage } from './fixtures.js';

const temp = tempDir();
let project: Project;
let imageA: number;
let imageB: number;

before(async () => {
  await writeImage(temp.dir, 'a.png', 6, 4);
  await writeImage(temp.dir, 'b.png', 6, 4);
  project = Project.open(temp.dir);
  [imageA, imageB] = project.listImages({ offset: 0, limit: 2 }).items.map((image) => image.id) as [number, number];
  await project.getImage(imageA);
});
after(() => {
  project.close();
  temp.cleanup();
});

/** An annotation's content: every batch gives what it writes a new revision, so an undo restores all but that. */
const content = ({ revision: _revision, ...rest }: Annotation) => rest;

/** Everything apply can change, for before/after comparisons. */
function snapshot() {
  return {
    labels: project.labels(),
    annotations: [imageA, imageB].map((id) => project.annotations(id).map(content)),
    captions: [imageA, imageB].map((id) => project.captions(id)),
    images: project.listImages({ offset: 0, limit: 10 }).items,
  };
}

/** Applies ops, checks the inverse restores the prior state exactly, then re-applies them. */
function roundTrip(ops: DocOp[]): DocOp[] {
  const before = snapshot();
  const inverse = project.apply(ops);
  const afterOps = snapshot();
  assert.notDeepEqual(afterOps, before, 'the ops changed something');
  const redo = project.apply(inverse);
  assert.deepEqual(snapshot(), before, 'the inverse restores the previous state');
  project.apply(redo);
  assert.deepEqual(snapshot(), afterOps, 'the inverse of the inverse redoes');
  return inverse;
}

const isAppError = (code: string) => (error: unknown) => error instanceof AppError && error.code === code;

test('label.put (new and over existing) and label.delete round-trip', () => {
  const red = label({ name: 'red', hotkey: '1' });
  assert.deepEqual(roundTrip([{ type: 'label.put', label: red }]), [{ type: 'label.delete', id: red.id }]);
  roundTrip([{ type: 'label.put', label: { ...red, colour: '#00ff00', hotkey: null } }]);
  roundTrip([{ type: 'label.delete', id: red.id }]);
  project.apply([{ type: 'label.put', label: red }]);
});

test('label.delete unlabels annotations and its inverse gives their label back, keeping label order', () => {
  const first = label({ name: 'first' });
  const second = label({ name: 'second' });
  const a = boxAnnotation(imageA, first.id);
  const b = boxAnnotation(imageB, first.id);
  project.apply([
    { type: 'label.put', label: first },
    { type: 'label.put', label: second },
    { type: 'annotation.put', annotation: a },
    { type: 'annotation.put', annotation: b },
  ]);
  const order = project.labels().map((l) => l.id);
  const inverse = project.apply([{ type: 'label.delete', id: first.id }]);
  assert.equal(project.annotations(imageA).find((x) => x.id === a.id)?.labelId, null);
  project.apply(inverse);
  assert.equal(project.annotations(imageA).find((x) => x.id === a.id)?.labelId, first.id);
  assert.equal(project.annotations(imageB).find((x) => x.id === b.id)?.labelId, first.id);
  assert.deepEqual(
    project.labels().map((l) => l.id),
    order,
  );
});

test('annotation.put (new, over existing, mask) and annotation.delete round-trip', () => {
  const a = boxAnnotation(imageA, null);
  const stored = () => project.annotations(imageA).find((x) => x.id === a.id)?.revision ?? 0;
  // The inverse is based on what the batch wrote: the stored revision once it is applied.
  assert.deepEqual(roundTrip([{ type: 'annotation.put', annotation: a }]), [
    { type: 'annotation.delete', id: a.id, revision: stored() - 2 },
  ]);
  const moved = {
    ...a,
    geometry: { kind: 'polygon' as const, polygons: [{ outer: [0, 0, 4, 0, 4, 3], holes: [] }] },
    score: 0.5,
    updatedAt: a.updatedAt + 1,
    revision: stored(),
  };
  const inverse = roundTrip([{ type: 'annotation.put', annotation: moved }]);
  assert.deepEqual(inverse, [{ type: 'annotation.put', annotation: { ...a, revision: stored() - 2 } }]);
  const mask = new Uint8Array(24);
  mask[7] = 1;
  roundTrip([{ type: 'annotation.put', annotation: { ...a, geometry: { kind: 'mask', rle: maskToRle(mask, 4, 6) }, revision: stored() } }]);
  assert.deepEqual(roundTrip([{ type: 'annotation.delete', id: a.id, revision: stored() }]), [
    { type: 'annotation.put', annotation: { ...a, geometry: { kind: 'mask', rle: maskToRle(mask, 4, 6) }, revision: 0 } },
  ]);
});

test('image.status round-trip', () => {
  assert.deepEqual(roundTrip([{ type: 'image.status', imageId: imageB, status: 'in_progress' }]), [
    { type: 'image.status', imageId: imageB, status: 'todo' },
  ]);
});

test('caption.put and caption.delete round-trip', () => {
  const c = caption(imageA);
  roundTrip([{ type: 'caption.put', caption: c }]);
  roundTrip([{ type: 'caption.put', caption: { ...c, text: 'changed', updatedAt: 9 } }]);
  roundTrip([{ type: 'caption.delete', id: c.id }]);
});

test('a mixed batch is undone by one inverse batch (reverse order)', () => {
  const l = label({ name: 'batch' });
  const a = boxAnnotation(imageA, l.id);
  roundTrip([
    { type: 'label.put', label: l },
    { type: 'annotation.put', annotation: a },
    { type: 'annotation.put', annotation: { ...a, labelId: null } },
    { type: 'image.status', imageId: imageA, status: 'done' },
    { type: 'label.delete', id: l.id },
  ]);
});

test('a failing op anywhere in a batch writes nothing', () => {
  const before = snapshot();
  const l = label({ name: 'never' });
  const bad: [DocOp, string][] = [
    [{ type: 'annotation.put', annotation: boxAnnotation(999, null) }, 'not_found'],
    [{ type: 'annotation.put', annotation: boxAnnotation(imageA, 'no-such-label') }, 'bad_request'],
    [{ type: 'annotation.delete', id: 'no-such-annotation', revision: 0 }, 'not_found'],
    [{ type: 'annotation.delete', id: 'no-such-annotation', revision: 3 }, 'conflict'],
    [{ type: 'label.delete', id: 'no-such-label' }, 'not_found'],
    [{ type: 'image.status', imageId: 999, status: 'done' }, 'not_found'],
    [{ type: 'caption.put', caption: caption(999) }, 'not_found'],
    [{ type: 'caption.delete', id: 'no-such-caption' }, 'not_found'],
    [
      {
        type: 'annotation.put',
        annotation: boxAnnotation(imageA, null, { geometry: { kind: 'mask', rle: { size: [4, 6], counts: '42' } } }),
      },
      'bad_request',
    ],
    [
      {
        type: 'annotation.put',
        annotation: boxAnnotation(imageA, null, { geometry: { kind: 'mask', rle: { size: [5, 6], counts: '<' } } }),
      },
      'bad_request',
    ],
  ];
  for (const [op, code] of bad) {
    assert.throws(
      () => project.apply([{ type: 'label.put', label: l }, { type: 'image.status', imageId: imageB, status: 'done' }, op]),
      isAppError(code),
      JSON.stringify(op),
    );
    assert.deepEqual(snapshot(), before);
  }
});

test('two labels may not share a name', () => {
  const one = label({ name: 'dup' });
  project.apply([{ type: 'label.put', label: one }]);
  assert.throws(() => project.apply([{ type: 'label.put', label: label({ name: 'dup' }) }]), isAppError('conflict'));
});
