// Importing a file again: annotations already present (same image, label and
// geometry) are skipped by default, or replaced, or added again; through the
// core, the host channel and the CLI flag.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { runCli } from '../../../../cli/cli.js';
import type { CocoImportSummary } from '../../../../common/contract/index.js';
import { exportCoco } from '../../../../core/coco/export.js';
import { importCoco } from '../../../../core/coco/import.js';
import { createHost } from '../../../../core/host/createHost.js';
import { Project } from '../../../../core/store/project.js';
import { tempDir } from '../store/fixtures.js';
import { annotatedProject, writeProjectImages } from './cocoFixtures.js';

const count = (project: Project) => (project.db.prepare('SELECT COUNT(*) AS n FROM annotations').get() as { n: number }).n;

async function exportedFixture(dir: string): Promise<string> {
  const source = await annotatedProject(join(dir, 'source'));
  const file = join(dir, 'set.json');
  try {
    await exportCoco(source, { outPath: file });
  } finally {
    source.close();
  }
  return file;
}

test('skip (default), replace and add', async () => {
  const temp = tempDir();
  try {
    const file = await exportedFixture(temp.dir);
    const target = join(temp.dir, 'target');
    await writeProjectImages(target);
    const project = Project.open(target);
    try {
      const first = await importCoco(project, file);
      assert.deepEqual([first.annotations, first.duplicates], [4, { mode: 'skip', found: 0 }]);
      const ids = new Set(project.db.prepare('SELECT id FROM annotations').pluck().all() as string[]);

      const skipped = await importCoco(project, file);
      assert.deepEqual([skipped.annotations, skipped.duplicates, count(project)], [0, { mode: 'skip', found: 4 }, 4]);
      assert.match(skipped.notes.join(' '), /4 annotations were already in the project: skipped/);

      const replaced = await importCoco(project, file, undefined, { duplicates: 'replace' });
      assert.deepEqual([replaced.annotations, replaced.duplicates, count(project)], [4, { mode: 'replace', found: 4 }, 4]);
      const after = project.db.prepare('SELECT id FROM annotations').pluck().all() as string[];
      assert.ok(
        after.every((id) => !ids.has(id)),
        'the old ones are gone, the new ones in',
      );

      const added = await importCoco(project, file, undefined, { duplicates: 'add' });
      assert.deepEqual([added.annotations, added.duplicates, count(project)], [4, { mode: 'add', found: 4 }, 8]);

      // A changed label or geometry is not a duplicate; each existing one matches one incoming at most.
      const again = await importCoco(project, file);
      assert.deepEqual([again.annotations, again.duplicates.found, count(project)], [0, 4, 8]);
    } finally {
      project.close();
    }
  } finally {
    temp.cleanup();
  }
});

test('an annotation drawn in the app with the same shape is found as a duplicate', async () => {
  const temp = tempDir();
  try {
    const target = join(temp.dir, 'target');
    await writeProjectImages(target);
    const project = Project.open(target);
    try {
      const file = join(temp.dir, 'one.json');
      const coco = {
        images: [{ id: 1, file_name: 'a.png', width: 20, height: 10 }],
        categories: [{ id: 1, name: 'cat' }],
        annotations: [{ id: 1, image_id: 1, category_id: 1, segmentation: [[1, 1, 5, 1, 5, 5]] }],
      };
      writeFileSync(file, JSON.stringify(coco));
      await importCoco(project, file);
      const [imported] = project.annotations(1);
      // The same polygon, moved away and back by hand (a new id, source manual).
      project.apply([{ type: 'annotation.delete', id: imported!.id, revision: imported!.revision }]);
      project.apply([{ type: 'annotation.put', annotation: { ...imported!, id: 'hand1', source: 'manual', revision: 0 } }]);
      const summary = await importCoco(project, file);
      assert.deepEqual([summary.duplicates.found, summary.annotations], [1, 0]);
    } finally {
      project.close();
    }
  } finally {
    temp.cleanup();
  }
});

test('the host channel takes the mode; the CLI takes --duplicates and refuses an unknown one', async () => {
  const temp = tempDir();
  try {
    const file = await exportedFixture(temp.dir);
    const target = join(temp.dir, 'target');
    await writeProjectImages(target);
    const host = createHost({ mode: 'browser', userDataDir: join(temp.dir, 'user-data') });
    try {
      assert.ok((await host.dispatch('project.open', { dir: target })).ok);
      const summary = async (request: object) => {
        const result = await host.dispatch('coco.import', request);
        assert.ok(result.ok, JSON.stringify(result));
        return result.value as CocoImportSummary;
      };
      assert.equal((await summary({ path: file })).annotations, 4);
      const second = await summary({ path: file });
      assert.deepEqual([second.duplicates, second.annotations], [{ mode: 'skip', found: 4 }, 0]);
      const third = await summary({ path: file, duplicates: 'add' });
      assert.deepEqual([third.duplicates, third.annotations], [{ mode: 'add', found: 4 }, 4]);
      const bad = await host.dispatch('coco.import', { path: file, duplicates: 'merge' });
      assert.ok(!bad.ok && bad.error.code === 'bad_request');
    } finally {
      await host.close();
    }
    const out = { stdout: '', stderr: '' };
    const io = { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) };
    assert.equal(await runCli(['import', '--project', target, '--coco', file], io), 0, out.stderr);
    assert.match(out.stdout, /Imported 0 annotations.*\n {2}4 annotations were already in the project: skipped\./);
    assert.equal(await runCli(['import', '--project', target, '--coco', file, '--duplicates', 'replace'], io), 0, out.stderr);
    assert.match(out.stdout, /Imported 4 annotations[^]*: replaced\./);
    assert.equal(await runCli(['import', '--project', target, '--coco', file, '--duplicates', 'merge'], io), 2);
    assert.match(out.stderr, /--duplicates must be skip, replace, add, not "merge"/);
  } finally {
    temp.cleanup();
  }
});
