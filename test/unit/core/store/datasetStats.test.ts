// The dataset view's figures and the review filter, in SQL, on a small
// project whose every figure was counted by hand (see the table below).
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import Database from 'better-sqlite3';

import type { Annotation, ReviewFilter } from '../../../../common/contract/index.js';
import { countDatasetStats, databaseState, niceStep } from '../../../../core/store/datasetStats.js';
import { Project } from '../../../../core/store/project.js';
import { matchingAnnotationIds, neighbourImage } from '../../../../core/store/reviewFilter.js';
import { boxAnnotation, tempDir, writeImage } from './fixtures.js';

// image   status       annotations (label, w×h box = area, source, score, accepted proposal?)       proposals
// a.png   done         cat 10×10=100 manual; cat 40×40=1600 yolo 0.9; dog 100×100=10000 yolo 0.4 accepted   0
// b.png   in_progress  dog 20×20=400 manual; (unlabeled) 50×50=2500 coco-import                      2
// c.png   todo         -                                                                              0
// d.png   (file deleted: missing, left out everywhere)  cat 5×5=25 manual                             1
const temp = tempDir();
let project: Project;
const ids: Record<string, number> = {};
const ann: Record<string, Annotation> = {};

const box = (imageId: number, labelId: string | null, side: number, extra: Partial<Annotation> = {}) =>
  boxAnnotation(imageId, labelId, { geometry: { kind: 'box', box: { x: 0, y: 0, w: side, h: side } }, ...extra });

before(async () => {
  for (const name of ['a', 'b', 'c', 'd']) await writeImage(temp.dir, `${name}.png`, 200, 200);
  project = Project.open(temp.dir);
  for (const image of project.listImages({ offset: 0, limit: 10 }).items) ids[image.relPath[0]!] = image.id;
  ann.aCat = box(ids.a!, 'cat', 10);
  ann.aCatYolo = box(ids.a!, 'cat', 40, { source: 'yolo', score: 0.9 });
  ann.aDogAccepted = box(ids.a!, 'dog', 100, { source: 'yolo', score: 0.4 });
  ann.bDog = box(ids.b!, 'dog', 20);
  ann.bUnlabeled = box(ids.b!, null, 50, { source: 'coco-import' });
  ann.dCat = box(ids.d!, 'cat', 5);
  project.apply([
    { type: 'label.put', label: { id: 'cat', name: 'cat', colour: '#ff0000', hotkey: '1' } },
    { type: 'label.put', label: { id: 'dog', name: 'dog', colour: '#00ff00', hotkey: '2' } },
    { type: 'label.put', label: { id: 'bird', name: 'bird', colour: '#0000ff', hotkey: null } },
    ...Object.values(ann).map((annotation) => ({ type: 'annotation.put' as const, annotation })),
    { type: 'image.status', imageId: ids.a!, status: 'done' },
    { type: 'image.status', imageId: ids.b!, status: 'in_progress' },
  ]);
  // The auto-label tables belong to the job runner; these rows stand for what it writes.
  project.db.prepare('UPDATE annotations SET job_id = ? WHERE id = ?').run('job1', ann.aDogAccepted.id);
  const proposal = project.db.prepare(
    `INSERT INTO proposals (id, job_id, image_id, label_id, kind, geometry, score, source, run_key, area, bbox_x, bbox_y, bbox_w, bbox_h, created_at)
     VALUES (?, NULL, ?, 'dog', 'box', '{"kind":"box","box":{"x":0,"y":0,"w":1,"h":1}}', 0.5, 'yolo', 'run', 1, 0, 0, 1, 1, 0)`,
  );
  proposal.run('p1', ids.b!);
  proposal.run('p2', ids.b!);
  proposal.run('p3', ids.d!);
  rmSync(join(temp.dir, 'd.png'));
  project.rescan();
});
after(() => {
  project.close();
  temp.cleanup();
});

describe('dataset stats', () => {
  it('counts what was counted by hand, leaving out the image whose file vanished', () => {
    const stats = countDatasetStats(project.db);
    assert.equal(stats.images, 3);
    assert.equal(stats.annotations, 5);
    assert.deepEqual(stats.labels, [
      { labelId: 'cat', name: 'cat', colour: '#ff0000', instances: 2, images: 1 },
      { labelId: 'dog', name: 'dog', colour: '#00ff00', instances: 2, images: 2 },
      { labelId: 'bird', name: 'bird', colour: '#0000ff', instances: 0, images: 0 },
      { labelId: null, name: '(unlabeled)', colour: '#9ca3af', instances: 1, images: 1 },
    ]);
    assert.deepEqual(stats.statuses, [
      { status: 'todo', images: 1 },
      { status: 'in_progress', images: 1 },
      { status: 'done', images: 1 },
    ]);
    assert.deepEqual(stats.annotationsPerImage, [
      { min: 0, max: 0, images: 1 },
      { min: 1, max: 1, images: 0 },
      { min: 2, max: 2, images: 1 },
      { min: 3, max: 3, images: 1 },
    ]);
    assert.deepEqual(stats.sizeClasses, [
      { size: 'small', minArea: 0, maxArea: 1024, annotations: 2 },
      { size: 'medium', minArea: 1024, maxArea: 9216, annotations: 2 },
      { size: 'large', minArea: 9216, maxArea: null, annotations: 1 },
    ]);
    // Largest side 100 px: 20 bars would be 5 px wide; sides 10, 20, 40, 50, 100 fall in bins 2, 4, 8, 10, 20.
    assert.equal(stats.sideHistogram.length, 21);
    assert.deepEqual(
      stats.sideHistogram.filter((bin) => bin.annotations > 0),
      [10, 20, 40, 50, 100].map((side) => ({ minSide: side, maxSide: side + 5, annotations: 1 })),
    );
    assert.deepEqual(stats.origins, [
      { origin: { kind: 'source', source: 'manual' }, annotations: 2 },
      { origin: { kind: 'accepted' }, annotations: 1 },
      { origin: { kind: 'source', source: 'coco-import' }, annotations: 1 },
      { origin: { kind: 'source', source: 'yolo' }, annotations: 1 },
    ]);
    assert.deepEqual(stats.proposals, { proposals: 2, images: 1 });
  });

  it('the database state holds while nothing is written, and moves with a write here or a commit by another program', () => {
    const first = databaseState(project.db);
    countDatasetStats(project.db);
    assert.equal(databaseState(project.db), first, 'reading changes nothing');
    const undo = project.apply([{ type: 'annotation.put', annotation: box(ids.c!, 'bird', 2) }]);
    const edited = databaseState(project.db);
    assert.notEqual(edited, first);
    assert.equal(countDatasetStats(project.db).labels.find((row) => row.labelId === 'bird')?.instances, 1);
    project.apply(undo);
    assert.notEqual(databaseState(project.db), edited, 'an undo is a write too, even back to the same figures');
    // Another connection (the command line, another app) changes the status of an image.
    const before = databaseState(project.db);
    const other = new Database(join(temp.dir, '.promptlabel', 'project.sqlite'));
    try {
      other.prepare("UPDATE images SET status = 'done' WHERE id = ?").run(ids.c!);
      assert.notEqual(databaseState(project.db), before);
      assert.equal(countDatasetStats(project.db).statuses.find((row) => row.status === 'done')?.images, 2);
      other.prepare("UPDATE images SET status = 'todo' WHERE id = ?").run(ids.c!);
    } finally {
      other.close();
    }
  });

  it('an empty project has empty histograms, not a bar at zero', () => {
    const empty = tempDir();
    const other = Project.open(empty.dir);
    try {
      const stats = countDatasetStats(other.db);
      assert.equal(stats.images, 0);
      assert.deepEqual(stats.annotationsPerImage, []);
      assert.deepEqual(stats.sideHistogram, []);
      assert.deepEqual(stats.origins, []);
    } finally {
      other.close();
      empty.cleanup();
    }
  });

  it('wide histograms get bars of 1, 2 or 5 times a power of ten', () => {
    assert.deepEqual(
      [0.3, 1, 1.2, 3, 7, 12, 40, 51].map((raw) => niceStep(raw)),
      [1, 1, 2, 5, 10, 20, 50, 100],
    );
  });

  it('reads the annotations through the review index, never the table', () => {
    const present = 'a.image_id NOT IN (SELECT id FROM images WHERE missing = 1)';
    const plans = [
      `SELECT COUNT(CASE WHEN a.job_id IS NULL THEN a.source END), SUM(CAST(sqrt(a.area) AS INTEGER)) FROM annotations a WHERE ${present}`,
      `SELECT label_id, SUM(n), COUNT(*) FROM (SELECT a.image_id, a.label_id, COUNT(*) AS n FROM annotations a WHERE ${present} GROUP BY a.image_id, a.label_id) GROUP BY label_id`,
      "SELECT 1 FROM images i WHERE EXISTS (SELECT 1 FROM annotations a WHERE a.image_id = i.id AND a.label_id = 'cat' AND a.job_id IS NULL AND a.source = 'x' AND a.score >= 0.5 AND a.area < 9)",
    ].map((sql) => (project.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((row) => row.detail).join(' | '));
    for (const plan of plans) {
      assert.match(plan, /USING COVERING INDEX annotations_review/, plan);
      assert.doesNotMatch(plan, /SCAN a(?! USING)/, plan);
    }
  });
});

describe('review filter', () => {
  const listed = (filter: ReviewFilter, extra: { status?: 'todo' | 'in_progress' | 'done'; search?: string } = {}) =>
    project.listImages({ offset: 0, limit: 10, filter, ...extra }).items.map((image) => image.relPath);

  it('by label, unlabeled, origin (an accepted proposal is not its model), score, area, count, proposals', () => {
    assert.deepEqual(listed({}), ['a.png', 'b.png', 'c.png']);
    assert.deepEqual(listed({ labelId: 'cat' }), ['a.png']);
    assert.deepEqual(listed({ labelId: 'dog' }), ['a.png', 'b.png']);
    assert.deepEqual(listed({ labelId: null }), ['b.png']);
    assert.deepEqual(listed({ labelId: 'bird' }), []);
    assert.deepEqual(listed({ origin: { kind: 'accepted' } }), ['a.png']);
    assert.deepEqual(listed({ origin: { kind: 'source', source: 'manual' } }), ['a.png', 'b.png']);
    assert.deepEqual(listed({ origin: { kind: 'source', source: 'coco-import' } }), ['b.png']);
    assert.deepEqual(listed({ minScore: 0.3, maxScore: 0.5 }), ['a.png']);
    assert.deepEqual(listed({ minScore: 0.95 }), []);
    assert.deepEqual(listed({ minArea: 1024, maxArea: 9216 }), ['a.png', 'b.png']);
    assert.deepEqual(listed({ maxArea: 400 }), ['a.png'], 'the upper end of an area range is left out');
    assert.deepEqual(listed({ minAnnotations: 1 }), ['a.png', 'b.png']);
    assert.deepEqual(listed({ maxAnnotations: 0 }), ['c.png']);
    assert.deepEqual(listed({ minAnnotations: 2, maxAnnotations: 2 }), ['b.png']);
    assert.deepEqual(listed({ hasProposals: true }), ['b.png']);
    assert.deepEqual(listed({ hasProposals: false }), ['a.png', 'c.png']);
  });

  it('the annotation conditions hold for one and the same annotation, and combine with status and search', () => {
    // a.png has a cat and an annotation scoring 0.4, but no cat scoring 0.3–0.5.
    assert.deepEqual(listed({ labelId: 'cat', minScore: 0.3, maxScore: 0.5 }), []);
    assert.deepEqual(listed({ labelId: 'dog', minScore: 0.3, maxScore: 0.5 }), ['a.png']);
    assert.deepEqual(listed({ labelId: 'dog', origin: { kind: 'source', source: 'yolo' } }), [], 'the yolo dog was an accepted proposal');
    assert.deepEqual(listed({ labelId: 'dog' }, { status: 'in_progress' }), ['b.png']);
    assert.deepEqual(listed({ labelId: 'dog' }, { search: 'A.PNG' }), ['a.png']);
    assert.equal(project.listImages({ offset: 1, limit: 1, filter: { labelId: 'dog' } }).total, 2);
  });

  it('the next and previous matching image, with its index in the filtered list, from an image that need not match', () => {
    assert.deepEqual(neighbourImage(project.db, ids.a!, 1, { filter: { labelId: 'dog' } }), { imageId: ids.b!, index: 1 });
    assert.equal(neighbourImage(project.db, ids.b!, 1, { filter: { labelId: 'dog' } }), null);
    assert.deepEqual(neighbourImage(project.db, ids.c!, -1, { filter: { hasProposals: true } }), { imageId: ids.b!, index: 0 });
    assert.deepEqual(neighbourImage(project.db, ids.b!, 1, { filter: { maxAnnotations: 0 } }), { imageId: ids.c!, index: 0 });
    assert.deepEqual(neighbourImage(project.db, null, 1, { filter: { labelId: null } }), { imageId: ids.b!, index: 0 });
    assert.deepEqual(neighbourImage(project.db, null, -1, {}), { imageId: ids.c!, index: 2 });
    assert.equal(neighbourImage(project.db, ids.a!, -1, {}), null);
    assert.throws(() => neighbourImage(project.db, 9999, 1, {}), /Image 9999 is not in this project/);
  });

  it("one image's matching annotations, in the annotation list's order", () => {
    assert.deepEqual(matchingAnnotationIds(project.db, ids.a!, {}), [ann.aCat!.id, ann.aCatYolo!.id, ann.aDogAccepted!.id]);
    assert.deepEqual(matchingAnnotationIds(project.db, ids.a!, { labelId: 'cat' }), [ann.aCat!.id, ann.aCatYolo!.id]);
    assert.deepEqual(matchingAnnotationIds(project.db, ids.a!, { origin: { kind: 'accepted' } }), [ann.aDogAccepted!.id]);
    assert.deepEqual(matchingAnnotationIds(project.db, ids.a!, { minScore: 0.5 }), [ann.aCatYolo!.id]);
    assert.deepEqual(matchingAnnotationIds(project.db, ids.b!, { labelId: null, minArea: 2500, maxArea: 2501 }), [ann.bUnlabeled!.id]);
    assert.throws(() => matchingAnnotationIds(project.db, 9999, {}), /not in this project/);
  });
});
