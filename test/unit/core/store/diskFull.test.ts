// A full disk is said plainly (AppError 'disk_full'), work acknowledged
// before stays, and the app keeps serving: thumbnails come back even when
// their cache cannot be written.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';

import { AppError, type DocOp } from '../../../../common/contract/index.js';
import { Project } from '../../../../core/store/project.js';
import { plainWriteError } from '../../../../files/fsErrors.js';
import { boxAnnotation, label, tempDir, writeImage } from './fixtures.js';
import { privateTmpfsUnavailable, runWithTmpfs } from './privateTmpfs.js';

const diskFull = (error: unknown) => error instanceof AppError && error.code === 'disk_full' && /^The disk is full: /.test(error.message);

test('a real ENOSPC (/dev/full) becomes "The disk is full"', { skip: process.platform !== 'linux' && 'no /dev/full here' }, () => {
  let enospc: unknown;
  try {
    writeFileSync('/dev/full', 'x');
  } catch (error) {
    enospc = error;
  }
  assert.equal((enospc as NodeJS.ErrnoException).code, 'ENOSPC');
  const plain = plainWriteError(enospc, 'cannot write /some/file.json', '/some');
  assert.ok(diskFull(plain), String(plain));
  assert.match((plain as AppError).message, /cannot write \/some\/file\.json/);
});

test('SQLITE_FULL on a write is disk_full; the batch is not half-written and the project carries on', async () => {
  const temp = tempDir();
  try {
    await writeImage(temp.dir, 'a.png', 8, 8);
    const project = Project.open(temp.dir);
    try {
      const imageId = project.listImages({ offset: 0, limit: 1 }).items[0]!.id;
      const cat = label();
      const kept = boxAnnotation(imageId, cat.id);
      project.apply([
        { type: 'label.put', label: cat },
        { type: 'annotation.put', annotation: kept },
      ]);
      // The database may not grow: SQLite answers SQLITE_FULL, as on a full disk.
      const pages = Number(project.db.pragma('page_count', { simple: true }));
      project.db.pragma(`max_page_count = ${pages}`);
      const big: DocOp[] = Array.from({ length: 2000 }, () => ({ type: 'annotation.put', annotation: boxAnnotation(imageId, cat.id) }));
      assert.throws(() => project.apply(big), diskFull);
      assert.deepEqual(
        project.annotations(imageId).map((annotation) => annotation.id),
        [kept.id],
      );
      project.db.pragma(`max_page_count = ${2 ** 30}`);
      project.apply(big.slice(0, 5));
      assert.equal(project.annotations(imageId).length, 6);
    } finally {
      project.close();
    }
  } finally {
    temp.cleanup();
  }
});

test(
  'on a really full disk: every write says disk_full, thumbnails are served, nothing acknowledged is lost',
  { skip: privateTmpfsUnavailable ?? false },
  () => {
    const run = runWithTmpfs(import.meta.url, './diskFullChild.ts', 2048);
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout) as Record<string, string | string[]>;
    for (const write of ['apply', 'export', 'atomicWrite'] as const)
      assert.match(String(result[write]), /^disk_full: The disk is full: /, `${write}: ${result[write]}`);
    assert.equal(result.thumbnail, 'ok');
    assert.deepEqual(result.leftovers, []);
    assert.equal(result.stillReads, 'ok');
    assert.equal(result.afterSpaceFreed, 'ok');
    assert.equal(result.reopened, 'ok');
  },
);
