import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { runCli } from '../../../../cli/cli.js';
import { Project } from '../../../../core/store/project.js';
import { tempDir } from '../store/fixtures.js';
import { annotatedProject, normaliseCoco, readCoco, writeProjectImages } from './cocoFixtures.js';

function capture() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) } };
}

test('export then import through the CLI', async () => {
  const temp = tempDir();
  try {
    const source = join(temp.dir, 'source');
    (await annotatedProject(source)).close();
    const file = join(temp.dir, 'out.json');
    const exported = capture();
    assert.equal(
      await runCli(['export', '--project', source, '--format', 'coco', '--out', file, '--captions'], exported.io),
      0,
      exported.out.stderr,
    );
    assert.match(exported.out.stdout, /3 images, 4 annotations, 2 categories/);
    assert.match(exported.out.stdout, /Skipped 1 unlabeled/, 'reported with the result');
    assert.ok(existsSync(join(temp.dir, 'out.captions.json')));

    const target = join(temp.dir, 'target');
    await writeProjectImages(target);
    const imported = capture();
    assert.equal(await runCli(['import', '--project', target, '--coco', file], imported.io), 0, imported.out.stderr);
    assert.match(imported.out.stdout, /Imported 4 annotations/);
    const check = Project.open(target);
    try {
      assert.deepEqual(
        check.labels().map((l) => l.name),
        ['cat', 'dog'],
      );
    } finally {
      check.close();
    }
    const again = join(temp.dir, 'again.json');
    assert.equal(await runCli(['export', '--project', target, '--format', 'coco', '--out', again], capture().io), 0);
    assert.deepEqual(normaliseCoco(readCoco(again)), normaliseCoco(readCoco(file)));
  } finally {
    temp.cleanup();
  }
});

test('usage errors exit 2 with usage on stderr', async () => {
  const cases: string[][] = [
    [],
    ['frobnicate'],
    ['export', '--project', '/x', '--out', 'y.json'],
    ['export', '--project', '/x', '--format', 'frob', '--out', 'y'],
    ['import', '--project', '/x'],
    ['import', '--bogus'],
  ];
  for (const argv of cases) {
    const { out, io } = capture();
    assert.equal(await runCli(argv, io), 2, argv.join(' '));
    assert.match(out.stderr, /Usage/, argv.join(' '));
  }
  const help = capture();
  assert.equal(await runCli(['--help'], help.io), 0);
  assert.match(help.out.stdout, /import[\s\S]*export/);
});

test('a refused import exits 1 with the reason on stderr', async () => {
  const temp = tempDir();
  try {
    await writeProjectImages(temp.dir);
    const file = join(temp.dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({ images: [{ id: 1, file_name: 'zzz.png', width: 1, height: 1 }], annotations: [], categories: [] }),
    );
    const { out, io } = capture();
    assert.equal(await runCli(['import', '--project', temp.dir, '--coco', file], io), 1);
    assert.match(out.stderr, /images\[0\]\.file_name/);
  } finally {
    temp.cleanup();
  }
});
