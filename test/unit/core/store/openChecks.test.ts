// Opening refuses what would silently lose work: an empty (0-byte) database,
// a file that is not a database, a database damaged mid-file (PRAGMA
// quick_check), and says "read-only" for a folder it cannot write. Only a
// missing database file means a new project.
import assert from 'node:assert/strict';
import { closeSync, openSync, readdirSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { AppError, type DocOp } from '../../../../common/contract/index.js';
import { Project } from '../../../../core/store/project.js';
import { boxAnnotation, label, tempDir, writeImage } from './fixtures.js';
import { privateTmpfsUnavailable, runWithTmpfs } from './privateTmpfs.js';

const databaseOf = (dir: string) => join(dir, '.promptlabel', 'project.sqlite');

const damaged = (file: string, detail: RegExp) => (error: unknown) => {
  assert.ok(error instanceof AppError, String(error));
  assert.equal(error.code, 'invalid_file');
  assert.ok(error.message.includes(file), error.message);
  assert.match(error.message, detail);
  assert.match(error.message, /backup/);
  return true;
};

/** A closed project with `count` annotations, its WAL merged into the database file. */
async function closedProject(dir: string, count: number): Promise<void> {
  await writeImage(dir, 'a.png', 64, 64);
  const project = Project.open(dir);
  const imageId = project.listImages({ offset: 0, limit: 1 }).items[0]!.id;
  const cat = label({ name: 'cat' });
  const ops: DocOp[] = [{ type: 'label.put', label: cat }];
  for (let i = 0; i < count; i++)
    ops.push({
      type: 'annotation.put',
      annotation: boxAnnotation(imageId, cat.id, { geometry: { kind: 'box', box: { x: i % 60, y: 1, w: 3, h: 4 } } }),
    });
  project.apply(ops);
  project.close();
}

test('a missing database makes a new project, and no temporary file is left behind', async () => {
  const temp = tempDir();
  try {
    await writeImage(temp.dir, 'a.png', 4, 4);
    Project.open(temp.dir).close();
    assert.deepEqual(
      readdirSync(join(temp.dir, '.promptlabel')).filter((name) => name.includes('.new-')),
      [],
    );
    assert.ok(statSync(databaseOf(temp.dir)).size > 0);
    const again = Project.open(temp.dir);
    assert.equal(again.summary().imageCount, 1);
    again.close();
  } finally {
    temp.cleanup();
  }
});

test('a 0-byte database is refused and left as it is, not turned into an empty project', async () => {
  const temp = tempDir();
  try {
    await closedProject(temp.dir, 3);
    truncateSync(databaseOf(temp.dir), 0);
    assert.throws(() => Project.open(temp.dir), damaged(databaseOf(temp.dir), /empty \(0 bytes\)/));
    assert.equal(statSync(databaseOf(temp.dir)).size, 0);
  } finally {
    temp.cleanup();
  }
});

test('a file that is not a SQLite database is refused', async () => {
  const temp = tempDir();
  try {
    await closedProject(temp.dir, 1);
    writeFileSync(databaseOf(temp.dir), 'this is not a database, just some text that is long enough '.repeat(100));
    assert.throws(() => Project.open(temp.dir), damaged(databaseOf(temp.dir), /not a database/));
  } finally {
    temp.cleanup();
  }
});

test('a database damaged mid-file is refused on open (quick_check), instead of failing reads later', async () => {
  const temp = tempDir();
  try {
    await closedProject(temp.dir, 3000);
    const file = databaseOf(temp.dir);
    const pageSize = 4096;
    const pages = statSync(file).size / pageSize;
    assert.ok(pages > 20, `only ${pages} pages`);
    const fd = openSync(file, 'r+');
    try {
      writeSync(fd, Buffer.alloc(pageSize * 4, 0xab), 0, pageSize * 4, Math.floor(pages / 2) * pageSize); // four pages in the middle
    } finally {
      closeSync(fd);
    }
    assert.throws(() => Project.open(temp.dir), damaged(file, /damaged \(/));
  } finally {
    temp.cleanup();
  }
});

test('a read-only folder is refused as read-only, not as "ENOENT mkdir"', { skip: privateTmpfsUnavailable ?? false }, () => {
  const run = runWithTmpfs(import.meta.url, './readOnlyChild.ts', 4096);
  assert.equal(run.status, 0, run.stderr);
  const answers = run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { name: string; code?: string; message?: string });
  assert.equal(answers.length, 2);
  for (const answer of answers) {
    assert.equal(answer.code, 'bad_request', JSON.stringify(answer));
    assert.match(answer.message!, /is read-only or not writable/, answer.name);
    assert.doesNotMatch(answer.message!, /ENOENT/);
  }
});
