import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import Database from 'better-sqlite3';

import { AppError } from '../../../../common/contract/index.js';
import { Project } from '../../../../core/store/project.js';
import { migrate, SCHEMA_VERSION } from '../../../../core/store/schema.js';
import { tempDir, writeImage } from './fixtures.js';

function databaseAt(dir: string): Database.Database {
  mkdirSync(join(dir, '.promptlabel'), { recursive: true });
  return new Database(join(dir, '.promptlabel', 'project.sqlite'));
}

test('a version-1 database is migrated, keeping its data and filling new columns', async () => {
  const temp = tempDir();
  try {
    await writeImage(temp.dir, 'a.png', 10, 10);
    const old = databaseAt(temp.dir);
    migrate(old, 1);
    old.prepare("INSERT INTO images (id, rel_path, sort_key, size, mtime_ms) VALUES (1, 'a.png', 'a.png', 1, 1)").run();
    old.prepare("INSERT INTO labels (id, name, colour, hotkey, sort) VALUES ('l1', 'cat', '#112233', '2', 1)").run();
    const geometry = JSON.stringify({ kind: 'box', box: { x: 1, y: 1, w: 3, h: 2 } });
    old
      .prepare(
        "INSERT INTO annotations (id, image_id, label_id, kind, geometry, score, source, created_at, updated_at) VALUES ('a1', 1, 'l1', 'box', ?, NULL, 'manual', 1, 1)",
      )
      .run(geometry);
    assert.equal(old.pragma('user_version', { simple: true }), 1);
    old.close();

    const project = Project.open(temp.dir);
    try {
      assert.equal(project.summary().schemaVersion, SCHEMA_VERSION);
      assert.equal(project.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      assert.deepEqual(project.labels(), [{ id: 'l1', name: 'cat', colour: '#112233', hotkey: '2' }]);
      assert.equal(project.annotations(1)[0]?.labelId, 'l1');
      const measured = project.db.prepare("SELECT area, bbox_w FROM annotations WHERE id = 'a1'").get();
      assert.deepEqual(measured, { area: 6, bbox_w: 3 });
    } finally {
      project.close();
    }
  } finally {
    temp.cleanup();
  }
});

test('a database from a newer app version is refused, untouched', () => {
  const temp = tempDir();
  try {
    const newer = databaseAt(temp.dir);
    newer.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    newer.close();
    assert.throws(
      () => Project.open(temp.dir),
      (error: unknown) => error instanceof AppError && error.code === 'invalid_file' && /newer version/.test(error.message),
    );
    const check = databaseAt(temp.dir);
    assert.equal(check.pragma('user_version', { simple: true }), SCHEMA_VERSION + 1);
    check.close();
  } finally {
    temp.cleanup();
  }
});

test('a failing migration step leaves the previous version in place', () => {
  const temp = tempDir();
  try {
    const db = databaseAt(temp.dir);
    migrate(db, 1);
    db.exec('DROP TABLE labels'); // step 2 copies from labels, so it must fail
    assert.throws(() => migrate(db));
    assert.equal(db.pragma('user_version', { simple: true }), 1);
    assert.deepEqual(db.prepare("SELECT COUNT(*) AS n FROM pragma_table_info('images') WHERE name = 'missing'").get(), { n: 0 });
    db.close();
  } finally {
    temp.cleanup();
  }
});

test('a file that is not SQLite is refused as invalid_file', () => {
  const temp = tempDir();
  try {
    mkdirSync(join(temp.dir, '.promptlabel'));
    writeFileSync(join(temp.dir, '.promptlabel', 'project.sqlite'), 'this is not a database, just some text that is long enough');
    assert.throws(
      () => Project.open(temp.dir),
      (error: unknown) => error instanceof AppError && error.code === 'invalid_file',
    );
  } finally {
    temp.cleanup();
  }
});
