// Where a dataset export may write: the COCO export's target rules, applied to
// every file of the folder; a refusal leaves nothing behind.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { exportDataset } from '../../../../core/formats/exportDataset.js';
import { tempDir } from '../store/fixtures.js';
import { annotatedProject, filesUnder } from './formatFixtures.js';

test('dataset exports keep out of the project data folder and images, and replace files only when asked', async () => {
  const temp = tempDir();
  try {
    const dir = join(temp.dir, 'project');
    const project = await annotatedProject(dir);
    await assert.rejects(exportDataset(project, 'cvat', { outPath: dir }), /it is the project folder/);
    await assert.rejects(
      exportDataset(project, 'labelme', { outPath: join(dir, '.promptlabel', 'out') }),
      /inside the project's own data folder/,
    );
    assert.equal(existsSync(join(dir, '.promptlabel', 'out')), false);

    // Copied images inside the project would become images of the project: refused, and the label files written before are gone.
    const inside = join(dir, 'exports', 'yolo');
    await assert.rejects(
      exportDataset(project, 'yolo', { outPath: inside, copyImages: true }),
      /would be taken for\) an image of the project/,
    );
    assert.deepEqual([...filesUnder(join(dir, 'exports'))].length, 0);
    // Without images the same folder is fine (label files and data.yaml only).
    assert.equal((await exportDataset(project, 'yolo', { outPath: inside })).files, 3);

    // An existing file is refused without overwrite and left as it was; nothing else is written.
    const out = join(temp.dir, 'labelme');
    mkdirSync(join(out, 'sub'), { recursive: true });
    writeFileSync(join(out, 'sub', 'b.json'), 'mine');
    await assert.rejects(
      exportDataset(project, 'labelme', { outPath: out }),
      (error: Error & { code?: string }) => error.code === 'conflict',
    );
    assert.equal(readFileSync(join(out, 'sub', 'b.json'), 'utf8'), 'mine');
    assert.deepEqual([...filesUnder(out).keys()], ['sub/b.json']);
    await exportDataset(project, 'labelme', { outPath: out, overwrite: true });
    assert.match(readFileSync(join(out, 'sub', 'b.json'), 'utf8'), /"imagePath": "..\/..\/project\/sub\/b.jpg"/);
    assert.ok(existsSync(join(out, 'a.json')));
    project.close();
  } finally {
    temp.cleanup();
  }
});
