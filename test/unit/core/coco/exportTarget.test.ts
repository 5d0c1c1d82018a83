// An export never lands on the project's own files (database, -wal/-shm, the
// .promptlabel folder, an image), replaces an existing file only with
// `overwrite`, and takes a relative path against the project folder.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { runCli } from '../../../../cli/cli.js';
import { AppError } from '../../../../common/contract/index.js';
import { exportCoco } from '../../../../core/coco/export.js';
import { createHost } from '../../../../core/host/createHost.js';
import { Project } from '../../../../core/store/project.js';
import { tempDir } from '../store/fixtures.js';
import { annotatedProject, readCoco } from './cocoFixtures.js';

const temp = tempDir();
const projectDir = join(temp.dir, 'project');
let project: Project;
let databaseBytes: Buffer;
let imageBytes: Buffer;

before(async () => {
  project = await annotatedProject(projectDir);
  project.db.pragma('wal_checkpoint(TRUNCATE)');
  databaseBytes = readFileSync(join(projectDir, '.promptlabel', 'project.sqlite'));
  imageBytes = readFileSync(join(projectDir, 'a.png'));
});
after(() => {
  project.close();
  temp.cleanup();
});

const refusedAs = (code: string, message: RegExp) => (error: unknown) => {
  assert.ok(error instanceof AppError, String(error));
  assert.equal(error.code, code, error.message);
  assert.equal(error.path, 'outPath');
  assert.match(error.message, message);
  return true;
};

test("the project's database, its WAL and SHM, and anything in .promptlabel are refused, even with overwrite", async () => {
  const data = join(projectDir, '.promptlabel');
  writeFileSync(join(data, 'notes.json'), '{}');
  for (const outPath of [
    join(data, 'project.sqlite'),
    join(data, 'project.sqlite-wal'),
    join(data, 'project.sqlite-shm'),
    join(data, 'notes.json'),
    join(data, 'thumbs', 'x.json'),
    data,
  ]) {
    await assert.rejects(exportCoco(project, { outPath, overwrite: true }), refusedAs('bad_request', /data folder \.promptlabel/), outPath);
  }
  await assert.rejects(
    exportCoco(project, { outPath: '.promptlabel/project.sqlite', overwrite: true }),
    refusedAs('bad_request', /\.promptlabel/),
  );
  // Through a symlinked folder outside the project, and through a symlink named like an ordinary file.
  symlinkSync(data, join(temp.dir, 'sneaky'));
  await assert.rejects(
    exportCoco(project, { outPath: join(temp.dir, 'sneaky', 'project.sqlite'), overwrite: true }),
    refusedAs('bad_request', /\.promptlabel/),
  );
  symlinkSync(join(data, 'project.sqlite'), join(temp.dir, 'innocent.json'));
  await assert.rejects(
    exportCoco(project, { outPath: join(temp.dir, 'innocent.json'), overwrite: true }),
    refusedAs('bad_request', /\.promptlabel/),
  );
  assert.deepEqual(readFileSync(join(data, 'project.sqlite')), databaseBytes);
});

test('an image of the project (or a path a rescan would take for one) is refused, even with overwrite', async () => {
  for (const outPath of [join(projectDir, 'a.png'), 'sub/c.png', join(projectDir, 'new-image.jpg')]) {
    await assert.rejects(exportCoco(project, { outPath, overwrite: true }), refusedAs('bad_request', /image of the project/), outPath);
  }
  await assert.rejects(exportCoco(project, { outPath: projectDir, overwrite: true }), refusedAs('bad_request', /project folder/));
  assert.deepEqual(readFileSync(join(projectDir, 'a.png')), imageBytes);
  assert.equal(existsSync(join(projectDir, 'new-image.jpg')), false);
});

test('an existing file needs overwrite; with it, it is replaced', async () => {
  const outPath = join(temp.dir, 'existing.json');
  writeFileSync(outPath, 'keep me');
  await assert.rejects(exportCoco(project, { outPath }), refusedAs('conflict', /already exists/));
  assert.equal(readFileSync(outPath, 'utf8'), 'keep me');
  const result = await exportCoco(project, { outPath, overwrite: true });
  assert.equal(result.annotations, 4);
  assert.equal(readCoco(outPath).annotations.length, 4);
  mkdirSync(join(temp.dir, 'a-folder.json'));
  await assert.rejects(
    exportCoco(project, { outPath: join(temp.dir, 'a-folder.json'), overwrite: true }),
    refusedAs('bad_request', /is a folder/),
  );
});

test('the captions files obey the same rules, checked before anything is written', async () => {
  const outPath = join(temp.dir, 'with-captions.json');
  writeFileSync(join(temp.dir, 'with-captions.captions.json'), 'keep me too');
  await assert.rejects(
    exportCoco(project, { outPath, includeCaptions: true }),
    refusedAs('conflict', /with-captions\.captions\.json already exists/),
  );
  assert.equal(existsSync(outPath), false, 'the main file is not written either');
  const done = await exportCoco(project, { outPath, includeCaptions: true, overwrite: true });
  assert.equal(done.captions, 2);
  // Companions of a name inside .promptlabel are refused too.
  await assert.rejects(
    exportCoco(project, { outPath: join(projectDir, '.promptlabel', 'x.json'), includeCaptions: true }),
    refusedAs('bad_request', /\.promptlabel/),
  );
});

test('a relative outPath is relative to the project folder, not the working directory', async () => {
  const result = await exportCoco(project, { outPath: 'exports/relative.json' });
  assert.equal(result.path, join(projectDir, 'exports', 'relative.json'));
  assert.ok(existsSync(join(projectDir, 'exports', 'relative.json')));
  assert.equal(existsSync(join(process.cwd(), 'exports', 'relative.json')), false);
});

test('after every refusal the project still opens with all its annotations', () => {
  const reopened = Project.open(projectDir);
  try {
    const images = reopened.listImages({ offset: 0, limit: 10 }).items;
    assert.equal(
      images.reduce((sum, image) => sum + reopened.annotations(image.id).length, 0),
      5,
    );
    assert.equal(reopened.db.pragma('quick_check', { simple: true }), 'ok');
  } finally {
    reopened.close();
  }
});

test('coco.export through the host: conflict with path outPath, then overwrite: true replaces the file', async () => {
  const host = createHost({ mode: 'browser', userDataDir: join(temp.dir, 'user-data') });
  try {
    assert.ok((await host.dispatch('project.open', { dir: projectDir })).ok);
    const outPath = join(temp.dir, 'host.json');
    writeFileSync(outPath, 'old');
    const refused = await host.dispatch('coco.export', { outPath });
    assert.equal(refused.ok, false);
    if (!refused.ok) assert.deepEqual([refused.error.code, refused.error.path], ['conflict', 'outPath']);
    const database = await host.dispatch('coco.export', { outPath: '.promptlabel/project.sqlite', overwrite: true });
    assert.equal(database.ok, false);
    const replaced = await host.dispatch('coco.export', { outPath, overwrite: true });
    assert.ok(replaced.ok, JSON.stringify(replaced));
    assert.equal(readCoco(outPath).annotations.length, 4);
  } finally {
    await host.close();
  }
});

test('the CLI export refuses an existing file unless --overwrite is given', async () => {
  const out = { stdout: '', stderr: '' };
  const io = { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) };
  const file = join(temp.dir, 'cli.json');
  writeFileSync(file, 'old');
  assert.equal(await runCli(['export', '--project', projectDir, '--format', 'coco', '--out', file], io), 1);
  assert.match(out.stderr, /already exists.*--overwrite/);
  assert.equal(readFileSync(file, 'utf8'), 'old');
  assert.equal(await runCli(['export', '--project', projectDir, '--format', 'coco', '--out', file, '--overwrite'], io), 0, out.stderr);
  assert.equal(readCoco(file).annotations.length, 4);
});
