// The dataset figures kept ready off the host's thread: counted by the real
// thread (core/statsWorker, from source through tsx) on its own read-only
// connection, in the background after a project opens and after edits
// settle, never answered as current after a write, and failing with a clear
// error (never a crash) when the project's file is gone or the project closed.
import assert from 'node:assert/strict';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import Database from 'better-sqlite3';

import { AppError, type DatasetStats } from '../../../../common/contract/index.js';
import { DatasetStatsService } from '../../../../core/host/datasetStatsService.js';
import { countDatasetStats } from '../../../../core/store/datasetStats.js';
import { Project } from '../../../../core/store/project.js';
import { boxAnnotation, tempDir, writeImage } from '../store/fixtures.js';

const POLL_MS = 20;

/** Polls until `check` holds (the background count's timing is the thread's), failing after a generous wait. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let waited = 0; waited < 30_000; waited += POLL_MS) {
    if (await check()) return;
    await sleep(POLL_MS);
  }
  assert.fail(`timed out waiting for ${what}`);
}

const withoutTiming = ({ ms, current, ...figures }: DatasetStats) => (assert.ok(ms >= 0), assert.equal(typeof current, 'boolean'), figures);

describe('dataset stats service', () => {
  let temp: ReturnType<typeof tempDir>;
  let project: Project;
  let service: DatasetStatsService;

  beforeEach(async () => {
    temp = tempDir();
    for (const name of ['a', 'b']) await writeImage(temp.dir, `${name}.png`, 100, 100);
    project = Project.open(temp.dir);
    project.apply([
      { type: 'label.put', label: { id: 'cat', name: 'cat', colour: '#ff0000', hotkey: null } },
      { type: 'annotation.put', annotation: boxAnnotation(1, 'cat', { id: 'a1' }) },
      { type: 'annotation.put', annotation: boxAnnotation(2, null, { id: 'b1' }) },
    ]);
    service = new DatasetStatsService(project, { pollMs: POLL_MS });
  });
  afterEach(async () => {
    await service.close();
    project.close();
    temp.cleanup();
  });

  it('counts in its thread once the project is open, the same figures as a count on the host connection', async () => {
    const stats = await service.stats('last');
    assert.equal(stats.current, true);
    assert.deepEqual(withoutTiming(stats), countDatasetStats(project.db));
    const again = await service.stats('wait');
    assert.equal(again.ms, stats.ms, 'nothing changed: the figures in memory, not a second count');
  });

  it('the host thread runs other work while the thread counts', async () => {
    await service.stats('wait');
    project.apply([{ type: 'image.status', imageId: 1, status: 'done' }]);
    let ran = false;
    setImmediate(() => (ran = true));
    const stats = await service.stats('wait');
    assert.equal(ran, true, 'a count on the host thread would answer before any macrotask');
    assert.equal(stats.statuses.find((row) => row.status === 'done')?.images, 1);
  });

  it('after an edit: the last figures at once, marked not current; the new ones when asked to wait, and in the background', async () => {
    const before = await service.stats('wait');
    assert.equal(before.annotations, 2);
    project.apply([{ type: 'annotation.put', annotation: boxAnnotation(2, 'cat', { id: 'b2' }) }]);
    const last = await service.stats('last');
    assert.equal(last.current, false, 'counted before the edit');
    assert.equal(last.annotations, 2);
    const fresh = await service.stats('wait');
    assert.equal(fresh.current, true);
    assert.equal(fresh.annotations, 3);
    assert.deepEqual(
      fresh.labels.map((row) => [row.labelId, row.instances, row.images]),
      [
        ['cat', 2, 2],
        [null, 1, 1],
      ],
    );
    // Nobody asks: once the edits settle the thread counts again on its own, so the next 'last' is current.
    project.apply([{ type: 'annotation.delete', id: 'b1', revision: project.annotations(2).find((a) => a.id === 'b1')?.revision ?? 0 }]);
    await until(async () => (await service.stats('last')).current, 'the background count after a delete');
    assert.equal((await service.stats('last')).annotations, 2);
  });

  it('while writes stream in: counted at once when the last count is old enough, otherwise only once they stop', async () => {
    /** Adds an annotation on every turn of the event loop for `ms`, so every tick sees a new state; then the last figures. */
    const stream = async (tested: DatasetStatsService, ms: number, prefix: string) => {
      const end = performance.now() + ms;
      let n = 0;
      while (performance.now() < end) {
        project.apply([{ type: 'annotation.put', annotation: boxAnnotation(1, 'cat', { id: `${prefix}${n++}` }) }]);
        await new Promise((resolve) => setImmediate(resolve));
      }
      return tested.stats('last');
    };
    await service.stats('wait');
    await service.close();
    service = new DatasetStatsService(project, { pollMs: POLL_MS, minGapMs: 60_000 });
    await service.stats('wait');
    const held = await stream(service, 600, 'held');
    assert.equal(held.annotations, 2, 'no count while the state never held for a tick, and the last one is recent');
    assert.equal(held.current, false);
    await until(async () => (await service.stats('last')).current, 'the count once the writes stopped');
    await service.close();
    service = new DatasetStatsService(project, { pollMs: POLL_MS, minGapMs: 0 });
    const before = (await service.stats('wait')).annotations;
    const during = await stream(service, 600, 'during');
    assert.ok(during.annotations > before, `a count during the stream (${during.annotations} annotations, ${before} before)`);
  });

  it("recording an opened image's size (no figure depends on it) leaves the figures current", async () => {
    await service.stats('wait');
    await project.getImage(1);
    assert.equal(project.sizeOnlyChanges, 1, 'the size was written');
    assert.equal((await service.stats('last')).current, true);
  });

  it("another program's commit makes the figures not current", async () => {
    await service.stats('wait');
    const other = new Database(join(temp.dir, '.promptlabel', 'project.sqlite'));
    try {
      other.prepare("UPDATE images SET status = 'done' WHERE id = 2").run();
    } finally {
      other.close();
    }
    const stats = await service.stats('wait');
    assert.equal(stats.current, true);
    assert.equal(stats.statuses.find((row) => row.status === 'done')?.images, 1);
  });

  it('a project file the thread cannot open: a clear error naming it, and the service recovers once it is back', async () => {
    await service.stats('wait');
    const file = join(temp.dir, '.promptlabel', 'project.sqlite');
    // The host's connection keeps working on the moved file; the thread, which opens by name, cannot.
    renameSync(file, `${file}.moved`);
    // Its connection is already open: a fresh thread opens by name (a restart after a crash, say).
    await service.close();
    service = new DatasetStatsService(project, { pollMs: 60_000 });
    const failed = await service.stats('wait').then(
      () => null,
      (error: unknown) => error,
    );
    assert.ok(failed instanceof AppError, String(failed));
    assert.equal(failed.code, 'invalid_file');
    assert.match(failed.message, /Cannot read the project database .*project\.sqlite to count the dataset figures/);
    renameSync(`${file}.moved`, file);
    assert.equal((await service.stats('wait')).annotations, 2);
  });

  it('a thread that dies fails its waiting call with a clear error, and the next call counts on a new one', async () => {
    await service.stats('wait');
    project.apply([{ type: 'image.status', imageId: 1, status: 'done' }]);
    const waiting = assert.rejects(
      service.stats('wait'),
      (error: unknown) =>
        error instanceof AppError && error.code === 'internal' && /thread counting the dataset figures stopped/.test(error.message),
    );
    await service.crashForTest();
    await waiting;
    const stats = await service.stats('wait');
    assert.equal(stats.current, true);
    assert.equal(stats.statuses.find((row) => row.status === 'done')?.images, 1);
  });

  it('closing answers a waiting call with a clear error, and later calls too', async () => {
    project.apply([{ type: 'image.status', imageId: 2, status: 'done' }]);
    const waiting = assert.rejects(service.stats('wait'), (error: unknown) => error instanceof AppError && error.code === 'no_project');
    await service.close();
    await waiting;
    await assert.rejects(service.stats('last'), (error: unknown) => error instanceof AppError && /project was closed/.test(error.message));
  });
});
