// A symlink inside the project to a file outside it is neither listed nor
// served (it used to serve /etc/passwd as image bytes), even when a file is
// swapped for such a link after the scan. Links that stay inside are fine.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { AppError } from '../../../../common/contract/index.js';
import { exportCoco } from '../../../../core/coco/export.js';
import { imageBytes } from '../../../../core/store/imageFiles.js';
import { Project } from '../../../../core/store/project.js';
import { tempDir, writeImage } from './fixtures.js';

const temp = tempDir();
const projectDir = join(temp.dir, 'project');
const outside = join(temp.dir, 'outside');
let project: Project;
const listed = () => project.listImages({ offset: 0, limit: 100 }).items.map((image) => image.relPath);
const idOf = (relPath: string) => project.listImages({ offset: 0, limit: 100 }).items.find((image) => image.relPath === relPath)!.id;
const outsideProject = (error: unknown) =>
  error instanceof AppError && error.code === 'not_found' && /leads outside the project folder/.test(error.message);

before(async () => {
  await writeImage(projectDir, 'a.png', 8, 8);
  await writeImage(projectDir, 'sub/b.png', 8, 8);
  await writeImage(outside, 'photo.png', 8, 8);
  writeFileSync(join(outside, 'passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
  symlinkSync(join(outside, 'passwd'), join(projectDir, 'passwd.png'));
  symlinkSync(join(outside, 'photo.png'), join(projectDir, 'photo.png'));
  symlinkSync('../a.png', join(projectDir, 'sub', 'alias.png'));
  mkdirSync(join(projectDir, 'linked'));
  symlinkSync(outside, join(projectDir, 'linked', 'folder'));
  project = Project.open(projectDir);
});
after(() => {
  project.close();
  temp.cleanup();
});

test('links to files outside the project are not listed; a link to a file inside is', () => {
  assert.deepEqual(listed().sort(), ['a.png', 'sub/alias.png', 'sub/b.png']);
});

test('a file swapped for a link to an outside file after the scan is refused, not served', async () => {
  const id = idOf('sub/b.png');
  assert.equal((await imageBytes(project, id, 'full')).contentType, 'image/png');
  rmSync(join(projectDir, 'sub', 'b.png'));
  symlinkSync(join(outside, 'passwd'), join(projectDir, 'sub', 'b.png'));
  await assert.rejects(imageBytes(project, id, 'full'), outsideProject);
  await assert.rejects(imageBytes(project, id, 'thumb'), outsideProject);
  assert.throws(() => project.imagePath(id), outsideProject);
  project.db.prepare('UPDATE images SET width = NULL WHERE id = ?').run(id); // so getImage reads the header again
  await assert.rejects(project.getImage(id), outsideProject);
});

test('an export leaves the swapped image out and says why', async () => {
  const result = await exportCoco(project, { outPath: join(temp.dir, 'out.json') });
  assert.deepEqual(
    result.skippedImages.map((skipped) => skipped.file),
    ['sub/b.png'],
  );
  assert.match(result.skippedImages[0]!.reason, /leads outside the project folder/);
  assert.ok(!readFileSync(join(temp.dir, 'out.json'), 'utf8').includes('root:x'));
});

test('a rescan drops the swapped file from the list', () => {
  project.rescan();
  assert.deepEqual(listed().sort(), ['a.png', 'sub/alias.png']);
});
