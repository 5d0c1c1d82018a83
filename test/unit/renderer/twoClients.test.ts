// Two renderer clients of one real project store, each with its own undo
// history and own-revision tracking, hearing each other's committed changes
// as the 'document.changed' event would bring them. Checks that quick
// follow-up edits and undo of one's own work go through, and that neither a
// stale edit nor an undo overwrites the other client's work.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import type { Annotation, DocOp, DocumentChange } from '../../../common/contract/index.js';
import { Project } from '../../../core/store/project.js';
import { adoptOwnRevisions, OwnRevisions } from '../../../renderer/src/history/ownRevisions.js';
import { UndoHistory } from '../../../renderer/src/history/undoHistory.js';
import { applyOpsLocally, type LocalDocument } from '../../../renderer/src/store/docReducer.js';
import { applyRemoteChange } from '../../../renderer/src/store/remoteChange.js';
import { boxAnnotation, label, tempDir, writeImage } from '../core/store/fixtures.js';

const temp = tempDir();
let project: Project;
let imageId: number;
const cat = label({ name: 'cat' });
const dog = label({ name: 'dog' });

class StaleRevision extends Error {}

/** One window: its copy of the image's document, its history, its own revisions; `hears` is false while its events are lost. */
class Client {
  doc: LocalDocument;
  readonly own = new OwnRevisions();
  readonly history: UndoHistory;
  hears = true;
  others: Client[] = [];

  constructor(readonly name: string) {
    this.doc = { imageId, labels: project.labels(), annotations: project.annotations(imageId), captions: [] };
    this.history = new UndoHistory({
      applyLocal: (ops) => {
        this.doc = applyOpsLocally(this.doc, ops).document;
      },
      applyRemote: async (ops) => {
        let applied;
        try {
          applied = project.applyBatch(this.own.rebase(ops));
        } catch (error) {
          throw error instanceof Error && /revision$/.test((error as { path?: string }).path ?? '')
            ? new StaleRevision(error.message)
            : error;
        }
        this.own.record(applied.change.revisions);
        this.doc = { ...this.doc, annotations: adoptOwnRevisions(this.doc.annotations, applied.change.revisions, this.own) };
        const event: DocumentChange = { ...applied.change, origin: this.name };
        for (const other of this.others) if (other.hears) other.doc = applyRemoteChange(other.doc, event);
        return applied.inverse;
      },
      isFinalRefusal: (error) => error instanceof StaleRevision,
    });
  }

  get(id: string): Annotation {
    const found = this.doc.annotations.find((a) => a.id === id);
    assert.ok(found, `${this.name} holds ${id}`);
    return found;
  }

  relabel(id: string, labelId: string | null): Promise<void> {
    return this.history.perform([{ type: 'annotation.put', annotation: { ...this.get(id), labelId } }]);
  }

  /** Reloads from main, as the renderer does after a refusal. */
  reload(): void {
    this.doc = { ...this.doc, annotations: project.annotations(imageId) };
  }
}

const storedLabel = (id: string) => project.annotations(imageId).find((a) => a.id === id)?.labelId;

function pair(): [Client, Client] {
  const a = new Client('A');
  const b = new Client('B');
  a.others = [b];
  b.others = [a];
  return [a, b];
}

before(async () => {
  await writeImage(temp.dir, 'a.png', 20, 10);
  project = Project.open(temp.dir);
  imageId = project.listImages({ offset: 0, limit: 1 }).items[0]!.id;
  project.apply([
    { type: 'label.put', label: cat },
    { type: 'label.put', label: dog },
  ]);
});
after(() => {
  project.close();
  temp.cleanup();
});

test('the other client sees each change; edits made before main answered the previous one go through', async () => {
  const [a, b] = pair();
  const x = boxAnnotation(imageId, cat.id);
  // Create, then relabel twice, all before any answer: each built on the optimistic copy.
  const done = [a.history.perform([{ type: 'annotation.put', annotation: x }])];
  done.push(a.relabel(x.id, dog.id), a.relabel(x.id, null));
  await Promise.all(done);
  assert.equal(storedLabel(x.id), null);
  assert.equal(b.get(x.id).labelId, null, 'B was told');
  assert.equal(b.get(x.id).revision, a.get(x.id).revision, 'both hold the stored revision');
  for (let i = 0; i < 3; i++) await a.history.undo();
  assert.equal(
    project.annotations(imageId).some((y) => y.id === x.id),
    false,
    'three undos remove what A created',
  );
  assert.equal(
    b.doc.annotations.some((y) => y.id === x.id),
    false,
  );
  for (let i = 0; i < 3; i++) await a.history.redo();
  assert.equal(storedLabel(x.id), null, 'and redo brings all of it back');
});

test("undo in one client does not undo the other client's work, and is dropped", async () => {
  const [a, b] = pair();
  const x = boxAnnotation(imageId, cat.id);
  const y = boxAnnotation(imageId, cat.id);
  await a.history.perform([
    { type: 'annotation.put', annotation: x },
    { type: 'annotation.put', annotation: y },
  ]);
  await a.relabel(x.id, dog.id);
  await b.relabel(x.id, null); // B relabels on top of A's change, which it has seen
  await a.relabel(y.id, dog.id);

  await a.history.undo(); // A's own latest change (y): nobody touched it since
  assert.equal(storedLabel(y.id), cat.id);
  await assert.rejects(a.history.undo(), StaleRevision, "the undo of x would erase B's label");
  assert.equal(storedLabel(x.id), null, "B's label stays");
  a.reload();
  assert.equal(a.history.snapshot().canUndo, true, 'the refused step is gone; the one before it is next');
  // The creation of x and y: x was changed by B since, so this is refused too, and y stays with it.
  await assert.rejects(a.history.undo(), StaleRevision);
  assert.ok(project.annotations(imageId).some((z) => z.id === x.id));
  assert.ok(project.annotations(imageId).some((z) => z.id === y.id));
  assert.equal(a.history.snapshot().canUndo, false, 'refused steps are not retried');

  await b.history.undo();
  assert.equal(storedLabel(x.id), dog.id, "B's undo reverts B's own change");
});

test("a client that missed the other's change has its stale edit refused, and edits fine after reloading", async () => {
  const [a, b] = pair();
  const x = boxAnnotation(imageId, cat.id);
  await a.history.perform([{ type: 'annotation.put', annotation: x }]);
  b.hears = false;
  await a.relabel(x.id, dog.id);
  await assert.rejects(b.relabel(x.id, null), StaleRevision);
  assert.equal(storedLabel(x.id), dog.id);
  b.reload();
  b.hears = true;
  await b.relabel(x.id, null);
  assert.equal(storedLabel(x.id), null);
});

test('a stale write cannot bring back an annotation the other client deleted', async () => {
  const [a, b] = pair();
  const x = boxAnnotation(imageId, cat.id);
  await a.history.perform([{ type: 'annotation.put', annotation: x }]);
  b.hears = false;
  await a.history.perform([{ type: 'annotation.delete', id: x.id, revision: a.get(x.id).revision }]);
  await assert.rejects(b.relabel(x.id, dog.id), StaleRevision);
  assert.equal(
    project.annotations(imageId).some((y) => y.id === x.id),
    false,
  );
});

test("a client's own delete, undo of it, then undo of an earlier edit all go through", async () => {
  const [a] = pair();
  const x = boxAnnotation(imageId, cat.id);
  await a.history.perform([{ type: 'annotation.put', annotation: x }]);
  await a.relabel(x.id, dog.id);
  await a.history.perform([{ type: 'annotation.delete', id: x.id, revision: a.get(x.id).revision }]);
  await a.history.undo();
  assert.equal(storedLabel(x.id), dog.id);
  await a.history.undo();
  assert.equal(storedLabel(x.id), cat.id);
});

test("a label deleted by one client unlabels the other's copy, and its undo restores both", async () => {
  const [a, b] = pair();
  const bird = label({ name: 'bird' });
  await a.history.perform([{ type: 'label.put', label: bird }]);
  const x = boxAnnotation(imageId, bird.id);
  await a.history.perform([{ type: 'annotation.put', annotation: x }]);
  await a.history.perform([{ type: 'label.delete', id: bird.id }] satisfies DocOp[]);
  assert.equal(b.get(x.id).labelId, null);
  assert.ok(!b.doc.labels.some((l) => l.id === bird.id));
  assert.equal(b.get(x.id).revision, a.get(x.id).revision);
  await a.history.undo();
  assert.equal(b.get(x.id).labelId, bird.id);
  assert.ok(b.doc.labels.some((l) => l.id === bird.id));
});
