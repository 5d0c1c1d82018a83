// Schema step 3 (revisions) on a project saved by the previous version: its
// data is kept, every annotation starts at revision 1, and writes based on
// that revision work while stale ones are refused.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import Database from 'better-sqlite3';

import { AppError } from '../../../../common/contract/index.js';
import { Project } from '../../../../core/store/project.js';
import { migrate, SCHEMA_VERSION } from '../../../../core/store/schema.js';
import { tempDir, writeImage } from './fixtures.js';

test('a version-2 database gains revisions and keeps its data', async () => {
  const temp = tempDir();
  try {
    await writeImage(temp.dir, 'a.png', 10, 10);
    mkdirSync(join(temp.dir, '.promptlabel'), { recursive: true });
    const old = new Database(join(temp.dir, '.promptlabel', 'project.sqlite'));
    migrate(old, 2);
    old.prepare("INSERT INTO images (id, rel_path, sort_key, size, mtime_ms, status) VALUES (1, 'a.png', 'a.png', 1, 1, 'done')").run();
    old.prepare("INSERT INTO labels (id, name, colour, hotkey, sort) VALUES ('l1', 'cat', '#112233', '2', 1)").run();
    const geometry = JSON.stringify({ kind: 'box', box: { x: 1, y: 1, w: 3, h: 2 } });
    const insert = old.prepare(
      `INSERT INTO annotations (id, image_id, label_id, kind, geometry, score, source, created_at, updated_at, area, bbox_x, bbox_y, bbox_w, bbox_h)
       VALUES (?, 1, 'l1', 'box', ?, 0.5, 'manual', ?, ?, 6, 1, 1, 3, 2)`,
    );
    insert.run('a1', geometry, 1, 2);
    insert.run('a2', geometry, 3, 4);
    old.close();

    const project = Project.open(temp.dir);
    try {
      assert.equal(project.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      assert.deepEqual(project.labels(), [{ id: 'l1', name: 'cat', colour: '#112233', hotkey: '2' }]);
      assert.equal(project.listImages({ offset: 0, limit: 1 }).items[0]?.status, 'done');
      const [a1, a2] = project.annotations(1);
      assert.deepEqual(a1, {
        id: 'a1',
        imageId: 1,
        labelId: 'l1',
        geometry: { kind: 'box', box: { x: 1, y: 1, w: 3, h: 2 } },
        score: 0.5,
        source: 'manual',
        createdAt: 1,
        updatedAt: 2,
        revision: 1,
      });
      assert.equal(a2?.revision, 1);
      assert.deepEqual(project.db.prepare("SELECT area, bbox_w FROM annotations WHERE id = 'a1'").get(), { area: 6, bbox_w: 3 });

      // The counter continues above what the migration gave the old rows.
      const { change } = project.applyBatch([{ type: 'annotation.put', annotation: { ...a1, labelId: null } }]);
      assert.equal(change.revision, 2);
      assert.equal(project.annotations(1)[0]?.revision, 2);
      assert.throws(
        () => project.apply([{ type: 'annotation.put', annotation: a1 }]),
        (error: unknown) => error instanceof AppError && error.code === 'conflict',
      );
      project.apply([{ type: 'annotation.delete', id: 'a2', revision: 1 }]);
      assert.deepEqual(
        project.annotations(1).map((a) => a.id),
        ['a1'],
      );
    } finally {
      project.close();
    }
  } finally {
    temp.cleanup();
  }
});
