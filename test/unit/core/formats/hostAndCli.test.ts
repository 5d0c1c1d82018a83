// The dataset formats through the host (dataset.import / dataset.export as the
// UI calls them, progress events, desktop path grants) and the command line.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { runCli } from '../../../../cli/cli.js';
import type { DatasetExportSummary, DatasetImportSummary } from '../../../../common/contract/index.js';
import { createHost } from '../../../../core/host/createHost.js';
import { Project } from '../../../../core/store/project.js';
import { tempDir } from '../store/fixtures.js';
import { annotatedProject, FIXTURES, projectAnnotations, projectWithImages } from './formatFixtures.js';

function capture() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) } };
}

test('dataset.export and dataset.import on the host: reports, progress events, refusal of existing files', async () => {
  const temp = tempDir();
  const userDataDir = mkdtempSync(join(tmpdir(), 'promptlabel-formats-host-'));
  const host = createHost({ mode: 'browser', userDataDir });
  try {
    (await annotatedProject(join(temp.dir, 'source'))).close();
    await projectWithImages(join(temp.dir, 'target'), { 'a.png': [40, 30], 'sub/b.jpg': [32, 24] }).then((p) => p.close());
    const events: string[] = [];
    host.session.events.subscribe((name, payload) => {
      if (name === 'progress') events.push((payload as { title: string }).title);
      if (name === 'project.changed') events.push(`changed:${(payload as { reason: string }).reason}`);
    });
    assert.ok((await host.dispatch('project.open', { dir: join(temp.dir, 'source') })).ok);
    const out = join(temp.dir, 'cvat-out');
    const exported = await host.dispatch('dataset.export', { format: 'cvat', outPath: out });
    assert.ok(exported.ok, JSON.stringify(exported));
    if (exported.ok)
      assert.deepEqual(
        (exported.value as DatasetExportSummary).dropped.map((d) => d.what),
        ['multi-part polygons written as one <polygon> per part', 'polygons with holes written as <mask>'],
      );
    const again = await host.dispatch('dataset.export', { format: 'cvat', outPath: out });
    assert.equal(again.ok, false);
    if (!again.ok) {
      assert.equal(again.error.code, 'conflict');
      assert.equal(again.error.path, 'outPath');
    }
    assert.ok((await host.dispatch('dataset.export', { format: 'cvat', outPath: out, overwrite: true })).ok);
    const bad = await host.dispatch('dataset.export', { format: 'tiff' as 'cvat', outPath: out });
    assert.equal(bad.ok, false);

    assert.ok((await host.dispatch('project.open', { dir: join(temp.dir, 'target') })).ok);
    const imported = await host.dispatch('dataset.import', { format: 'cvat', path: out, labelMap: { dog: 'hound' } });
    assert.ok(imported.ok, JSON.stringify(imported));
    if (imported.ok) assert.equal((imported.value as DatasetImportSummary).annotations, 5);
    const labels = await host.dispatch('labels.list', {});
    assert.ok(labels.ok);
    if (labels.ok)
      assert.deepEqual(
        (labels.value as { name: string }[]).map((l) => l.name),
        ['cat', 'hound'],
      );
    assert.ok(
      events.includes('Exporting cvat') && events.includes('Importing cvat') && events.includes('changed:dataset.import'),
      events.join(),
    );
  } finally {
    host.session.close();
    rmSync(userDataDir, { recursive: true, force: true });
    temp.cleanup();
  }
});

test('in the desktop app, dataset paths must come from the dialog', async () => {
  const userDataDir = mkdtempSync(join(tmpdir(), 'promptlabel-formats-grants-'));
  const temp = tempDir();
  const host = createHost({ mode: 'electron', userDataDir, pickDatasetPath: () => Promise.resolve(join(temp.dir, 'chosen')) });
  try {
    const refused = await host.dispatch('dataset.import', { format: 'yolo', path: join(temp.dir, 'elsewhere') });
    assert.equal(refused.ok, false);
    if (!refused.ok) assert.equal(refused.error.code, 'forbidden');
    const picked = await host.dispatch('dialog.pickDatasetPath', { purpose: 'import', folder: true });
    assert.deepEqual(picked, { ok: true, value: { path: join(temp.dir, 'chosen') } });
    const granted = await host.dispatch('dataset.import', { format: 'yolo', path: join(temp.dir, 'chosen') });
    assert.equal(granted.ok, false);
    if (!granted.ok) assert.equal(granted.error.code, 'no_project'); // past the grant: no project is open
  } finally {
    host.session.close();
    rmSync(userDataDir, { recursive: true, force: true });
    temp.cleanup();
  }
});

test('promptlabel export/import --format: YOLO round trip, a label map, counts on stderr, usage errors', async () => {
  const temp = tempDir();
  try {
    (await annotatedProject(join(temp.dir, 'source'))).close();
    const out = join(temp.dir, 'yolo');
    const exported = capture();
    assert.equal(
      await runCli(
        ['export', '--project', join(temp.dir, 'source'), '--format', 'yolo', '--out', out, '--val-ratio', '0.5', '--seed', '2'],
        exported.io,
      ),
      0,
      exported.out.stderr,
    );
    assert.match(exported.out.stdout, /\(yolo\): 2 images, 4 annotations, 3 files/);
    assert.match(exported.out.stderr, /What yolo could not hold:\n[\s\S]*1 holes \(YOLO polygons have none\)/);
    assert.ok(existsSync(join(out, 'data.yaml')));

    const target = join(temp.dir, 'target');
    (await projectWithImages(target, { 'a.png': [40, 30], 'sub/b.jpg': [32, 24], 'c.png': [8, 8] })).close();
    const map = join(temp.dir, 'map.json');
    writeFileSync(map, JSON.stringify({ cat: 'feline' }));
    const imported = capture();
    assert.equal(
      await runCli(['import', '--project', target, '--format', 'yolo', out, '--label-map', map], imported.io),
      0,
      imported.out.stderr,
    );
    assert.match(imported.out.stdout, /Imported 5 annotations on 2 images from yolo; 2 new labels/);
    const check = Project.open(target);
    try {
      assert.deepEqual(
        check.labels().map((l) => l.name),
        ['feline', 'dog'],
      );
      assert.equal(projectAnnotations(check).length, 5);
    } finally {
      check.close();
    }

    const labelme = capture();
    const lm = join(temp.dir, 'lm');
    (await projectWithImages(lm, { 'primitives.jpg': [560, 450] })).close();
    assert.equal(
      await runCli(['import', '--project', lm, '--format', 'labelme', join(FIXTURES, 'labelme', 'primitives.json')], labelme.io),
      0,
    );
    assert.match(labelme.out.stderr, /Not imported \(this project cannot hold them\):\n {2}1 circles \(imported as polygons\)/);

    const wrongFormat = capture();
    assert.equal(await runCli(['import', '--project', lm, '--format', 'yolo', join(FIXTURES, 'voc', 'datumaro')], wrongFormat.io), 1);
    assert.match(
      wrongFormat.out.stderr,
      /No data\.yaml in .*datumaro.* YOLO \(Ultralytics\) takes the data\.yaml file or the folder that holds it\. It looks like Pascal VOC/,
    );

    const refused = capture();
    assert.equal(await runCli(['import', '--project', lm, '--format', 'voc', join(temp.dir, 'nothing-here')], refused.io), 1);
    assert.match(refused.out.stderr, /nothing-here/);

    for (const argv of [
      ['import', '--project', target, '--format', 'frob', out],
      ['import', '--project', target, '--format', 'yolo'],
      ['import', '--project', target, '--coco', 'x.json', '--label-map', map],
      ['export', '--project', target, '--format', 'voc', '--out', join(temp.dir, 'v'), '--task', 'detect'],
      ['export', '--project', target, '--format', 'yolo', '--out', join(temp.dir, 'v'), '--val-ratio', '2'],
      ['export', '--project', target, '--format', 'coco', '--out', join(temp.dir, 'v.json'), '--seed', '1'],
    ]) {
      const usage = capture();
      assert.equal(await runCli(argv, usage.io), 2, argv.join(' '));
    }
  } finally {
    temp.cleanup();
  }
});
