import assert from 'node:assert/strict';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { AppError } from '../../../../common/contract/index.js';
import { Project } from '../../../../core/store/project.js';
import { naturalSortKey } from '../../../../core/store/scan.js';
import { boxAnnotation, label, tempDir, writeImage } from './fixtures.js';

const temp = tempDir();
before(async () => {
  await writeImage(temp.dir, 'img10.png', 8, 6);
  await writeImage(temp.dir, 'img2.PNG', 8, 6);
  await writeImage(temp.dir, 'sub/deep/photo.jpeg', 5, 4, 'jpeg');
  await writeImage(temp.dir, 'scan.TIF', 3, 2, 'tiff');
  await writeImage(temp.dir, 'img1.webp', 2, 2, 'webp');
  await writeImage(temp.dir, '.hidden/skip.png', 2, 2);
  writeFileSync(join(temp.dir, 'notes.txt'), 'not an image');
});
after(() => temp.cleanup());

test('open scans nested folders, case-insensitive extensions, skipping dot-folders and non-images', () => {
  const project = Project.open(temp.dir);
  try {
    assert.ok(existsSync(join(temp.dir, '.promptlabel', 'project.sqlite')));
    const page = project.listImages({ offset: 0, limit: 100 });
    assert.deepEqual(
      page.items.map((image) => image.relPath),
      ['img1.webp', 'img2.PNG', 'img10.png', 'scan.TIF', 'sub/deep/photo.jpeg'],
    );
    assert.equal(page.total, 5);
    assert.equal(project.summary().imageCount, 5);
    assert.equal(project.journalMode(), 'wal');
  } finally {
    project.close();
  }
});

test('natural sort key orders digit runs by value', () => {
  const names = ['a10.png', 'a2.png', 'a002b.png', 'A1.png', 'b.png'];
  assert.deepEqual(
    [...names].sort((x, y) => (naturalSortKey(x) < naturalSortKey(y) ? -1 : 1)),
    ['A1.png', 'a2.png', 'a002b.png', 'a10.png', 'b.png'],
  );
});

test('paging, search and status filter', () => {
  const project = Project.open(temp.dir);
  try {
    const second = project.listImages({ offset: 1, limit: 2 });
    assert.equal(second.total, 5);
    assert.deepEqual(
      second.items.map((i) => i.relPath),
      ['img2.PNG', 'img10.png'],
    );
    assert.deepEqual(
      project.listImages({ offset: 0, limit: 10, search: 'DEEP' }).items.map((i) => i.relPath),
      ['sub/deep/photo.jpeg'],
    );
    assert.equal(project.listImages({ offset: 0, limit: 10, search: '%' }).total, 0, 'LIKE wildcards are literal');
    const first = project.listImages({ offset: 0, limit: 1 }).items[0]!;
    project.apply([{ type: 'image.status', imageId: first.id, status: 'done' }]);
    assert.deepEqual(
      project.listImages({ offset: 0, limit: 10, status: 'done' }).items.map((i) => i.id),
      [first.id],
    );
  } finally {
    project.close();
  }
});

test('getImage reads the size lazily and stores it; unknown ids are not_found', async () => {
  const project = Project.open(temp.dir);
  try {
    const photo = project.listImages({ offset: 0, limit: 10, search: 'photo' }).items[0]!;
    assert.equal(photo.width, null);
    const record = await project.getImage(photo.id);
    assert.deepEqual([record.width, record.height], [5, 4]);
    assert.deepEqual([project.listImages({ offset: 0, limit: 10, search: 'photo' }).items[0]!.width], [5]);
    await assert.rejects(project.getImage(9999), (error: unknown) => error instanceof AppError && error.code === 'not_found');
    assert.throws(
      () => project.imagePath(9999),
      (error: unknown) => error instanceof AppError && error.code === 'not_found',
    );
    assert.equal(project.imagePath(photo.id), join(temp.dir, 'sub', 'deep', 'photo.jpeg'));
  } finally {
    project.close();
  }
});

test('data survives close and reopen', () => {
  const first = Project.open(temp.dir);
  const l = label({ name: 'reopen' });
  const imageId = first.listImages({ offset: 0, limit: 1 }).items[0]!.id;
  const a = boxAnnotation(imageId, l.id);
  const { change } = first.applyBatch([
    { type: 'label.put', label: l },
    { type: 'annotation.put', annotation: a },
  ]);
  first.close();
  const second = Project.open(temp.dir);
  try {
    assert.ok(second.labels().some((x) => x.id === l.id));
    assert.deepEqual(
      second.annotations(imageId).find((x) => x.id === a.id),
      { ...a, revision: change.revision },
    );
    assert.equal(second.listImages({ offset: 0, limit: 1 }).items[0]!.annotationCount, 1);
  } finally {
    second.close();
  }
});

test('rescan adds new files and keeps annotations of vanished ones', async () => {
  const project = Project.open(temp.dir);
  try {
    const img10 = project.listImages({ offset: 0, limit: 10, search: 'img10' }).items[0]!;
    const a = boxAnnotation(img10.id, null);
    project.apply([{ type: 'annotation.put', annotation: a }]);
    mkdirSync(join(temp.dir, 'moved'), { recursive: true });
    renameSync(join(temp.dir, 'img10.png'), join(temp.dir, 'moved', 'img10.png'));
    await writeImage(temp.dir, 'new.bmp.png', 2, 2);
    project.rescan();
    const paths = project.listImages({ offset: 0, limit: 100 }).items.map((i) => i.relPath);
    assert.ok(paths.includes('moved/img10.png'));
    assert.ok(paths.includes('new.bmp.png'));
    assert.ok(!paths.includes('img10.png'), 'vanished files are hidden from the list');
    renameSync(join(temp.dir, 'moved', 'img10.png'), join(temp.dir, 'img10.png'));
    project.rescan();
    const back = project.listImages({ offset: 0, limit: 10, search: 'img10' }).items.find((i) => i.relPath === 'img10.png');
    assert.equal(back?.id, img10.id, 'a file that comes back keeps its row');
    assert.ok(project.annotations(img10.id).some((x) => x.id === a.id));
  } finally {
    project.close();
  }
});

test('a file or a missing folder is refused as not_found, and nothing is created', () => {
  const isNotFound = (error: unknown) => error instanceof AppError && error.code === 'not_found';
  assert.throws(() => Project.open(join(temp.dir, 'notes.txt')), isNotFound);
  assert.throws(() => Project.open(join(temp.dir, 'no', 'such', 'folder')), isNotFound);
  assert.equal(existsSync(join(temp.dir, 'no')), false);
});
