import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { Project } from '../../../../core/store/project.js';
import { tempDir, writeImage } from './fixtures.js';

test('a batch acknowledged before the process is killed is there on reopen', async () => {
  const temp = tempDir();
  try {
    await writeImage(temp.dir, 'a.png', 4, 4);
    const child = fileURLToPath(new URL('./killedWriter.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', child, temp.dir, 'survivor'], { encoding: 'utf8' });
    assert.equal(run.signal, 'SIGKILL', run.stderr);
    assert.equal(run.stdout, 'applied\n');
    const project = Project.open(temp.dir);
    try {
      assert.deepEqual(
        project.labels().map((label) => label.id),
        ['survivor'],
      );
    } finally {
      project.close();
    }
  } finally {
    temp.cleanup();
  }
});
