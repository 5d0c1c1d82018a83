// Two clients of one project (two windows, or the app and a CLI: two
// connections here) must not overwrite each other's work unseen: every
// annotation write is based on a revision, and a stale one is refused whole.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { type Annotation, AppError, type DocOp } from '../../../../common/contract/index.js';
import { importCoco } from '../../../../core/coco/import.js';
import { Project } from '../../../../core/store/project.js';
import { boxAnnotation, label, tempDir, writeImage } from './fixtures.js';

const temp = tempDir();
/** Two connections to one project database, as two processes would hold. */
let one: Project;
let two: Project;
let imageId: number;
const cat = label({ name: 'cat' });
const dog = label({ name: 'dog' });

before(async () => {
  await writeImage(temp.dir, 'a.png', 20, 10);
  one = Project.open(temp.dir);
  two = Project.open(temp.dir);
  imageId = one.listImages({ offset: 0, limit: 1 }).items[0]!.id;
  one.apply([
    { type: 'label.put', label: cat },
    { type: 'label.put', label: dog },
  ]);
});
after(() => {
  one.close();
  two.close();
  temp.cleanup();
});

const stored = (project: Project, id: string): Annotation | undefined => project.annotations(imageId).find((a) => a.id === id);

/** Creates an annotation through `one` and answers it as both clients now hold it (with its stored revision). */
function created(): Annotation {
  const a = boxAnnotation(imageId, cat.id);
  one.apply([{ type: 'annotation.put', annotation: a }]);
  return stored(two, a.id)!;
}

const conflictAt = (path: RegExp, message: RegExp) => (error: unknown) =>
  error instanceof AppError && error.code === 'conflict' && path.test(error.path ?? '') && message.test(error.message);

test("a stale relabel is refused and the other client's label stays", () => {
  const a = created();
  one.apply([{ type: 'annotation.put', annotation: { ...a, labelId: dog.id } }]);
  assert.throws(
    () => two.apply([{ type: 'annotation.put', annotation: { ...a, labelId: null } }]),
    conflictAt(
      /^ops\[0\]\.annotation\.revision$/,
      new RegExp(`^Annotation ${a.id} was changed in another window, so this change was not saved`),
    ),
  );
  assert.equal(stored(one, a.id)?.labelId, dog.id);
});

test('a stale write of a deleted annotation does not bring it back', () => {
  const a = created();
  one.apply([{ type: 'annotation.delete', id: a.id, revision: a.revision }]);
  assert.throws(
    () => two.apply([{ type: 'annotation.put', annotation: { ...a, labelId: dog.id } }]),
    conflictAt(/^ops\[0\]\.annotation\.revision$/, /was deleted in another window/),
  );
  assert.equal(stored(one, a.id), undefined);
  assert.throws(
    () => two.apply([{ type: 'annotation.delete', id: a.id, revision: a.revision }]),
    conflictAt(/^ops\[0\]\.revision$/, /deleted/),
  );
});

test('a stale delete is refused', () => {
  const a = created();
  one.apply([{ type: 'annotation.put', annotation: { ...a, labelId: dog.id } }]);
  assert.throws(
    () => two.apply([{ type: 'annotation.delete', id: a.id, revision: a.revision }]),
    conflictAt(/^ops\[0\]\.revision$/, /changed in another window/),
  );
  assert.equal(stored(one, a.id)?.labelId, dog.id);
});

test('an undo whose target another client changed since is refused; undo of untouched work goes through', () => {
  const a = created();
  const b = created();
  const undo = one.apply([
    { type: 'annotation.put', annotation: { ...a, labelId: dog.id } },
    { type: 'annotation.put', annotation: { ...b, labelId: dog.id } },
  ]);
  // The other client sees the new revision (from the event) and changes a on top of it.
  const seen = stored(two, a.id)!;
  two.apply([{ type: 'annotation.put', annotation: { ...seen, labelId: null } }]);
  assert.throws(() => one.apply(undo), conflictAt(/\.annotation\.revision$/, new RegExp(a.id)));
  assert.equal(stored(one, a.id)?.labelId, null, "the other client's label is kept");
  assert.equal(stored(one, b.id)?.labelId, dog.id, 'the refused undo wrote nothing, not even b');

  const undoB = one.apply([{ type: 'annotation.put', annotation: { ...stored(one, b.id)!, labelId: cat.id } }]);
  one.apply(undoB);
  assert.equal(stored(one, b.id)?.labelId, dog.id, "an undo of this client's own latest change goes through");
});

test('creating an annotation that exists is refused', () => {
  const a = boxAnnotation(imageId, null);
  one.apply([{ type: 'annotation.put', annotation: a }]);
  assert.throws(
    () => two.apply([{ type: 'annotation.put', annotation: a }]),
    conflictAt(/^ops\[0\]\.annotation\.revision$/, /already exists/),
  );
});

test('a conflict anywhere rolls the whole batch back, the revision counter included', () => {
  const a = created();
  one.apply([{ type: 'annotation.put', annotation: { ...a, labelId: dog.id } }]);
  const fresh = boxAnnotation(imageId, null);
  const newLabel = label({ name: 'never' });
  const before = one.applyBatch([{ type: 'image.status', imageId, status: 'in_progress' }]).change.revision;
  const batch: DocOp[] = [
    { type: 'label.put', label: newLabel },
    { type: 'annotation.put', annotation: fresh },
    { type: 'annotation.put', annotation: { ...a, labelId: null } },
  ];
  assert.throws(() => two.apply(batch), conflictAt(/^ops\[2\]\.annotation\.revision$/, /changed/));
  assert.equal(stored(one, fresh.id), undefined);
  assert.ok(!one.labels().some((l) => l.id === newLabel.id));
  assert.equal(one.applyBatch([{ type: 'image.status', imageId, status: 'todo' }]).change.revision, before + 1);
});

test('revisions are project-wide and never reused: a re-created annotation does not match an old revision', () => {
  const a = created();
  const deleted = one.applyBatch([{ type: 'annotation.delete', id: a.id, revision: a.revision }]);
  // Undo of the delete re-creates a with the same content, under a newer revision.
  one.apply(deleted.inverse);
  const again = stored(one, a.id)!;
  assert.ok(again.revision > deleted.change.revision && deleted.change.revision > a.revision);
  assert.throws(() => two.apply([{ type: 'annotation.put', annotation: { ...a, labelId: null } }]), conflictAt(/revision$/, /changed/));
});

test('a batch reports what it changed, as stored', () => {
  const a = created();
  const b = created();
  const moved = { ...a, geometry: { kind: 'box' as const, box: { x: 2, y: 2, w: 5, h: 5 } } };
  const { inverse, change } = one.applyBatch([
    { type: 'annotation.put', annotation: moved },
    { type: 'annotation.delete', id: b.id, revision: b.revision },
    { type: 'image.status', imageId, status: 'done' },
  ]);
  assert.deepEqual(change.annotations, [{ ...moved, revision: change.revision }]);
  assert.deepEqual(change.revisions, [
    { id: a.id, imageId, previous: a.revision, revision: change.revision },
    { id: b.id, imageId, previous: b.revision, revision: 0 },
  ]);
  assert.deepEqual(change.images, [{ imageId, status: 'done', annotationCount: one.annotations(imageId).length, proposalCount: 0 }]);
  assert.deepEqual(inverse, [
    { type: 'image.status', imageId, status: 'todo' },
    { type: 'annotation.put', annotation: { ...b, revision: 0 } },
    { type: 'annotation.put', annotation: { ...a, revision: change.revision } },
  ]);
});

test('a label.delete rewrites the annotations it unlabels, so stale writes to them are refused and its undo is checked', () => {
  const temporary = label({ name: 'temporary' });
  one.apply([{ type: 'label.put', label: temporary }]);
  const a = boxAnnotation(imageId, temporary.id);
  one.apply([{ type: 'annotation.put', annotation: a }]);
  const held = stored(two, a.id)!;
  const { inverse, change } = one.applyBatch([{ type: 'label.delete', id: temporary.id }]);
  assert.deepEqual(change.deletedLabelIds, [temporary.id]);
  assert.deepEqual(change.revisions, [{ id: a.id, imageId, previous: held.revision, revision: change.revision }]);
  assert.equal(stored(one, a.id)?.revision, change.revision);
  assert.throws(
    () => two.apply([{ type: 'annotation.put', annotation: { ...held, labelId: dog.id } }]),
    conflictAt(/revision$/, /changed/),
  );
  // Even a write that still names the deleted label is refused as stale, not as a bad reference.
  assert.throws(() => two.apply([{ type: 'annotation.put', annotation: { ...held, score: 0.5 } }]), conflictAt(/revision$/, /changed/));
  one.apply(inverse);
  assert.equal(stored(one, a.id)?.labelId, temporary.id, 'undo gives the label back');
});

test('a COCO import gives its annotations a revision that later writes are based on', async () => {
  const file = join(temp.dir, 'in.json');
  writeFileSync(
    file,
    JSON.stringify({
      images: [{ id: 1, file_name: 'a.png', width: 20, height: 10 }],
      categories: [{ id: 1, name: 'cat' }],
      annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [1, 1, 4, 4], segmentation: [[1, 1, 5, 1, 5, 5]] }],
    }),
  );
  const latest = one.applyBatch([{ type: 'image.status', imageId, status: 'todo' }]).change.revision;
  await importCoco(one, file);
  const imported = one.annotations(imageId).find((a) => a.source === 'coco-import')!;
  assert.ok(imported.revision > latest, `imported revision ${imported.revision} follows ${latest}`);
  two.apply([{ type: 'annotation.put', annotation: { ...imported, labelId: dog.id } }]);
  assert.throws(
    () => one.apply([{ type: 'annotation.put', annotation: { ...imported, labelId: null } }]),
    conflictAt(/revision$/, /changed/),
  );
});
