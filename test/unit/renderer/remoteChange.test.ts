// Another client's committed change applied to this client's copy of the
// document: main's stored state replaces what is shown, except where this
// copy already holds a newer revision.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Annotation, DocumentChange, ImageRecord } from '../../../common/contract/index.js';
import type { LocalDocument } from '../../../renderer/src/store/docReducer.js';
import { applyRemoteChange, patchImageRecord } from '../../../renderer/src/store/remoteChange.js';

const box = (id: string, revision: number, labelId: string | null = 'cat', imageId = 1): Annotation => ({
  id,
  imageId,
  labelId,
  geometry: { kind: 'box', box: { x: 1, y: 1, w: 2, h: 2 } },
  score: null,
  source: 'manual',
  createdAt: 1,
  updatedAt: 1,
  revision,
});

const change = (overrides: Partial<DocumentChange>): DocumentChange => ({
  revision: 9,
  origin: 'other',
  annotations: [],
  revisions: [],
  captions: [],
  deletedCaptionIds: [],
  labels: [],
  deletedLabelIds: [],
  images: [],
  proposalImageIds: [],
  ...overrides,
});

const doc: LocalDocument = {
  imageId: 1,
  labels: [
    { id: 'cat', name: 'cat', colour: '#ff0000', hotkey: '1' },
    { id: 'dog', name: 'dog', colour: '#00ff00', hotkey: '2' },
  ],
  annotations: [box('a', 3), box('b', 4), box('c', 5, 'dog')],
  captions: [],
};

test('written annotations replace, new ones on this image appear, deleted and moved-away ones go', () => {
  const next = applyRemoteChange(
    doc,
    change({
      annotations: [box('a', 9, 'dog'), box('n', 9), box('b', 9, 'cat', 2), box('elsewhere', 9, 'cat', 2)],
      revisions: [
        { id: 'a', imageId: 1, previous: 3, revision: 9 },
        { id: 'n', imageId: 1, previous: 0, revision: 9 },
        { id: 'b', imageId: 2, previous: 4, revision: 9 },
        { id: 'elsewhere', imageId: 2, previous: 0, revision: 9 },
        { id: 'c', imageId: 1, previous: 5, revision: 0 },
      ],
    }),
  );
  assert.deepEqual(next.annotations, [box('a', 9, 'dog'), box('n', 9)]);
});

test('a deleted label unlabels this copy and takes the revision main reports', () => {
  const next = applyRemoteChange(doc, change({ deletedLabelIds: ['dog'], revisions: [{ id: 'c', imageId: 1, previous: 5, revision: 9 }] }));
  assert.deepEqual(
    next.labels.map((l) => l.id),
    ['cat'],
  );
  assert.deepEqual(
    next.annotations.find((a) => a.id === 'c'),
    box('c', 9, null),
  );
  assert.equal(
    next.annotations.find((a) => a.id === 'a'),
    doc.annotations[0],
    'others are untouched',
  );
});

test('a change older than what this copy holds is ignored', () => {
  const next = applyRemoteChange(
    doc,
    change({ revision: 2, annotations: [box('b', 2, null)], revisions: [{ id: 'b', imageId: 1, previous: 1, revision: 2 }] }),
  );
  assert.equal(next.annotations.find((a) => a.id === 'b')?.labelId, 'cat');
});

test('labels and captions follow; image records take the new status and count', () => {
  const caption = { id: 'k', imageId: 1, text: 'hi', words: [], source: 'manual', createdAt: 1, updatedAt: 1 };
  const next = applyRemoteChange(
    doc,
    change({ labels: [{ id: 'bird', name: 'bird', colour: '#0000ff', hotkey: null }], captions: [caption] }),
  );
  assert.deepEqual(
    next.labels.map((l) => l.id),
    ['cat', 'dog', 'bird'],
  );
  assert.deepEqual(next.captions, [caption]);
  assert.deepEqual(applyRemoteChange(next, change({ deletedCaptionIds: ['k'] })).captions, []);

  const image: ImageRecord = { id: 1, relPath: 'a.png', width: 2, height: 2, status: 'todo', annotationCount: 3, proposalCount: 0 };
  const moved = change({ images: [{ imageId: 1, status: 'done', annotationCount: 4, proposalCount: 0 }] });
  assert.deepEqual(patchImageRecord(image, moved), { ...image, status: 'done', annotationCount: 4, proposalCount: 0 });
  assert.equal(patchImageRecord({ ...image, id: 2 }, moved).annotationCount, 3);
  assert.equal(
    patchImageRecord(image, change({ images: [{ imageId: 1, status: 'todo', annotationCount: 3, proposalCount: 0 }] })),
    image,
    'unchanged records keep their identity',
  );
});
