import assert from 'node:assert/strict';
import { mock, test } from 'node:test';

import type { DocOp } from '../../../common/contract/index.js';
import { mergeEntries, UndoHistory } from '../../../renderer/src/history/undoHistory.js';

const status = (imageId: number, s: 'todo' | 'in_progress' | 'done'): DocOp => ({ type: 'image.status', imageId, status: s });

/** A fake main process holding image statuses; answers every batch with its inverse. */
function fakeMain() {
  const statuses = new Map<number, 'todo' | 'in_progress' | 'done'>([
    [1, 'todo'],
    [2, 'todo'],
  ]);
  const local: DocOp[][] = [];
  let refuse = false;
  return {
    statuses,
    local,
    refuseNext: () => {
      refuse = true;
    },
    apply: {
      applyLocal: (ops: DocOp[]) => void local.push(ops),
      applyRemote: async (ops: DocOp[]) => {
        if (refuse) {
          refuse = false;
          throw new Error('refused');
        }
        const inverse: DocOp[] = [];
        for (const op of ops) {
          if (op.type !== 'image.status') continue;
          inverse.unshift(status(op.imageId, statuses.get(op.imageId) ?? 'todo'));
          statuses.set(op.imageId, op.status);
        }
        return inverse;
      },
    },
  };
}

test('perform, undo, redo round-trip through the inverse main returns', async () => {
  const main = fakeMain();
  const snapshots: boolean[][] = [];
  const history = new UndoHistory(main.apply, (s) => snapshots.push([s.canUndo, s.canRedo]));
  await history.perform([status(1, 'done')]);
  await history.perform([status(2, 'in_progress')]);
  assert.deepEqual(history.snapshot(), { canUndo: true, canRedo: false, saving: false });

  assert.equal(await history.undo(), true);
  assert.equal(main.statuses.get(2), 'todo');
  assert.equal(await history.undo(), true);
  assert.equal(main.statuses.get(1), 'todo');
  assert.equal(await history.undo(), false, 'nothing left');
  assert.deepEqual(history.snapshot(), { canUndo: false, canRedo: true, saving: false });

  assert.equal(await history.redo(), true);
  assert.equal(main.statuses.get(1), 'done');
  assert.deepEqual(snapshots.at(-1), [true, true]);
  assert.equal(main.local.length, 5, 'every apply is shown locally first');
});

test('a new change clears the redo stack', async () => {
  const main = fakeMain();
  const history = new UndoHistory(main.apply);
  await history.perform([status(1, 'done')]);
  await history.undo();
  await history.perform([status(2, 'done')]);
  assert.equal(history.snapshot().canRedo, false);
});

test('changes with the same merge key collapse into one step', async () => {
  const main = fakeMain();
  const history = new UndoHistory(main.apply);
  await history.perform([status(1, 'in_progress')], 'k');
  await history.perform([status(1, 'done')], 'k');
  await history.perform([status(2, 'done')]);
  await history.undo();
  await history.undo();
  assert.equal(main.statuses.get(1), 'todo', 'one undo reverts both merged changes');
  assert.equal(history.snapshot().canUndo, false);

  const merged = mergeEntries(
    { ops: [status(1, 'done')], inverse: [status(1, 'todo')] },
    { ops: [status(2, 'done')], inverse: [status(2, 'todo')] },
  );
  assert.deepEqual(merged.inverse, [status(2, 'todo'), status(1, 'todo')], 'later change is undone first');
});

test('a refused change records nothing; a refused undo keeps its entry', async () => {
  const main = fakeMain();
  const history = new UndoHistory(main.apply);
  main.refuseNext();
  await assert.rejects(history.perform([status(1, 'done')]), /refused/);
  assert.equal(history.snapshot().canUndo, false);

  await history.perform([status(1, 'done')]);
  main.refuseNext();
  await assert.rejects(history.undo(), /refused/);
  assert.deepEqual(history.snapshot(), { canUndo: true, canRedo: false, saving: false });
  await history.undo();
  assert.equal(main.statuses.get(1), 'todo');
});

test('applies run in order even when fired without waiting', async () => {
  const main = fakeMain();
  const history = new UndoHistory(main.apply);
  const done = [history.perform([status(1, 'in_progress')]), history.perform([status(1, 'done')]), history.undo()];
  await Promise.all(done);
  assert.equal(main.statuses.get(1), 'in_progress');
});

test('the same merge key far apart in time makes separate steps', async () => {
  mock.timers.enable({ apis: ['Date'], now: 0 });
  try {
    const main = fakeMain();
    const history = new UndoHistory(main.apply);
    await history.perform([status(1, 'in_progress')], 'k');
    mock.timers.tick(5000);
    await history.perform([status(1, 'done')], 'k');
    await history.undo();
    assert.equal(main.statuses.get(1), 'in_progress');
    assert.equal(history.snapshot().canUndo, true);
  } finally {
    mock.timers.reset();
  }
});

test('a batch main built and applied itself (accept all) is one undo step: its inverse undoes it, redo does it again', async () => {
  const main = fakeMain();
  const history = new UndoHistory(main.apply);
  await history.perform([status(1, 'done')]);
  // Main applies the batch itself and answers its inverse; nothing is applied locally by the history.
  const shownBefore = main.local.length;
  await history.performRemote(async () => {
    main.statuses.set(2, 'in_progress');
    return [status(2, 'todo')];
  });
  assert.equal(main.local.length, shownBefore, 'the change reaches the local copy through document.changed');
  assert.deepEqual(history.snapshot(), { canUndo: true, canRedo: false, saving: false });
  assert.equal(await history.undo(), true);
  assert.equal(main.statuses.get(2), 'todo', 'undone through the inverse main answered');
  assert.equal(main.statuses.get(1), 'done', 'the earlier step stays');
  assert.equal(await history.redo(), true);
  assert.equal(main.statuses.get(2), 'in_progress');
  // A refusal records nothing.
  await assert.rejects(
    history.performRemote(() => Promise.reject(new Error('no proposals'))),
    /no proposals/,
  );
  assert.equal(await history.undo(), true);
  assert.equal(main.statuses.get(2), 'todo', 'the refused call left no step: undo took the redone batch back');
});

test('reports saving while a change is on its way to main, and saved once acknowledged', async () => {
  let release: () => void = () => undefined;
  const seen: boolean[] = [];
  const history = new UndoHistory(
    {
      applyLocal: () => undefined,
      applyRemote: () => new Promise<DocOp[]>((resolve) => (release = () => resolve([]))),
    },
    (s) => seen.push(s.saving),
  );
  const done = history.perform([status(1, 'done')]);
  assert.equal(history.snapshot().saving, true);
  await new Promise((resolve) => setImmediate(resolve));
  release();
  await done;
  assert.equal(history.snapshot().saving, false);
  assert.deepEqual(seen, [true, false]);
});

test('an undo refused for good (its target changed elsewhere) is dropped, not retried', async () => {
  const main = fakeMain();
  const history = new UndoHistory({ ...main.apply, isFinalRefusal: (error) => error instanceof Error && error.message === 'refused' });
  await history.perform([status(1, 'in_progress')]);
  await history.perform([status(2, 'done')]);
  main.refuseNext();
  await assert.rejects(history.undo(), /refused/);
  assert.equal(main.statuses.get(2), 'done');
  assert.deepEqual(history.snapshot(), { canUndo: true, canRedo: false, saving: false }, 'only the refused step is gone');
  assert.equal(await history.undo(), true);
  assert.equal(main.statuses.get(1), 'todo', 'the next undo reverts the step before it');
  assert.equal(await history.undo(), false);
  main.refuseNext();
  await assert.rejects(history.redo(), /refused/);
  assert.deepEqual(history.snapshot(), { canUndo: false, canRedo: false, saving: false }, 'a redo refused so is dropped too');
});
