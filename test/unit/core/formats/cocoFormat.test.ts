// COCO and COCO results on the one converter interface: the registry lists
// them, `import --format coco` / `export --format coco` and dataset.import /
// dataset.export with format coco reach core/coco with its fidelity intact
// (labelme's own COCO output: category id 0, null supercategory, its areas,
// image ids; duplicates skipped; export options), and COCO results go out of
// and back into the review queue through --format coco-results.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { runCli } from '../../../../cli/cli.js';
import { DATASET_FORMATS, type DatasetExportSummary, type DatasetImportSummary } from '../../../../common/contract/index.js';
import { isProjectFormat } from '../../../../core/formats/converter.js';
import { converterFor, FORMAT_CONVERTERS } from '../../../../core/formats/registry.js';
import { createHost } from '../../../../core/host/createHost.js';
import { Project } from '../../../../core/store/project.js';
import { boxAnnotation, label, tempDir, writeImage } from '../store/fixtures.js';
import { countAnnotations } from './formatFixtures.js';

const LABELME_COCO = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'coco-foreign', 'labelme2coco-annotations.json');

interface CocoFile {
  images: { id: number; file_name: string; width: number; height: number }[];
  annotations: { image_id: number; category_id: number; area: number; bbox: number[]; segmentation: unknown }[];
  categories: { id: number; name: string; supercategory: string | null }[];
}

const readCoco = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as CocoFile;

function capture() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) } };
}

async function labelmeImages(dir: string): Promise<void> {
  for (const image of readCoco(LABELME_COCO).images) await writeImage(dir, image.file_name, image.width, image.height, 'jpeg');
}

test('the registry holds COCO and COCO results beside the other formats, one entry per format name', () => {
  assert.deepEqual(
    FORMAT_CONVERTERS.map((c) => c.name),
    [...DATASET_FORMATS],
  );
  for (const format of ['coco', 'coco-results'] as const) {
    const entry = converterFor(format);
    assert.equal(entry.name, format);
    assert.ok(isProjectFormat(entry), `${format} delegates to its own import and export`);
  }
  assert.ok(!isProjectFormat(converterFor('cvat')));
});

test("import --format coco and export --format coco round-trip labelme's own COCO file: ids, null supercategory, areas; a second import skips", async () => {
  const temp = tempDir();
  try {
    const dir = join(temp.dir, 'project');
    await labelmeImages(dir);
    const source = readCoco(LABELME_COCO);
    const first = capture();
    assert.equal(await runCli(['import', '--project', dir, '--format', 'coco', LABELME_COCO], first.io), 0, first.out.stderr);
    assert.match(first.out.stdout, new RegExp(`Imported ${source.annotations.length} annotations and 0 captions on 3 images`));
    assert.match(first.out.stdout, /1 point up to 1 px outside their image moved onto its border/);

    const second = capture();
    assert.equal(await runCli(['import', '--project', dir, '--format', 'coco', LABELME_COCO], second.io), 0, second.out.stderr);
    assert.match(second.out.stdout, new RegExp(`${source.annotations.length} annotations were already in the project: skipped`));
    const project = Project.open(dir);
    assert.equal(countAnnotations(project), source.annotations.length);
    project.close();

    const out = join(temp.dir, 'out.json');
    const exported = capture();
    assert.equal(
      await runCli(['export', '--project', dir, '--format', 'coco', '--out', out, '--decimals', '2'], exported.io),
      0,
      exported.out.stderr,
    );
    assert.match(
      exported.out.stdout,
      new RegExp(`3 images, ${source.annotations.length} annotations, ${source.categories.length} categories`),
    );
    const coco = readCoco(out);
    const byId = <T extends { id: number }>(list: T[]) => [...list].sort((a, b) => a.id - b.id);
    assert.deepEqual(
      byId(coco.categories).map((c) => [c.id, c.name, c.supercategory]),
      byId(source.categories).map((c) => [c.id, c.name, null]),
    );
    assert.deepEqual(
      byId(coco.images).map((i) => [i.id, i.file_name, i.width, i.height]),
      byId(source.images).map((i) => [i.id, i.file_name, i.width, i.height]),
    );
    const pairs = (file: CocoFile) =>
      file.annotations.map((a) => `${a.image_id}/${a.category_id}/${Math.round(a.area * 100) / 100}`).sort();
    assert.deepEqual(pairs(coco), pairs(source), "the file's own areas, on the same image and category ids");
    // --decimals reached the export.
    for (const a of coco.annotations) for (const v of a.bbox) assert.equal(v, Math.round(v * 100) / 100);

    // COCO's options go with COCO only; YOLO's with YOLO only.
    for (const argv of [
      ['export', '--project', dir, '--format', 'voc', '--out', join(temp.dir, 'v'), '--masks', 'polygons'],
      ['export', '--project', dir, '--format', 'coco', '--out', join(temp.dir, 'v.json'), '--task', 'detect'],
      ['export', '--project', dir, '--format', 'coco', '--out', join(temp.dir, 'v.json'), '--results', 'proposals'],
      ['import', '--project', dir, '--format', 'yolo', LABELME_COCO, '--duplicates', 'add'],
      ['import', '--project', dir, '--format', 'coco', LABELME_COCO, '--duplicates', 'sometimes'],
    ]) {
      const usage = capture();
      assert.equal(await runCli(argv, usage.io), 2, argv.join(' '));
    }
  } finally {
    temp.cleanup();
  }
});

test('dataset.import / dataset.export with format coco on the host: duplicates mode, kept fields, export options, label map refused', async () => {
  const temp = tempDir();
  const userDataDir = mkdtempSync(join(tmpdir(), 'promptlabel-coco-format-'));
  const host = createHost({ mode: 'browser', userDataDir });
  try {
    const dir = join(temp.dir, 'project');
    await labelmeImages(dir);
    assert.ok((await host.dispatch('project.open', { dir })).ok);
    const source = readCoco(LABELME_COCO);
    const imported = await host.dispatch('dataset.import', { format: 'coco', path: LABELME_COCO });
    assert.ok(imported.ok, JSON.stringify(imported));
    const summary = imported.value as DatasetImportSummary;
    assert.equal(summary.format, 'coco');
    assert.equal(summary.annotations, source.annotations.length);
    assert.equal(summary.clipped, 1);
    assert.equal(summary.coco?.kind, 'instances');

    const replaced = await host.dispatch('dataset.import', { format: 'coco', path: LABELME_COCO, duplicates: 'replace' });
    assert.ok(replaced.ok, JSON.stringify(replaced));
    assert.deepEqual((replaced.value as DatasetImportSummary).coco?.duplicates, { mode: 'replace', found: source.annotations.length });

    const mapped = await host.dispatch('dataset.import', { format: 'coco', path: LABELME_COCO, labelMap: { person: 'human' } });
    assert.equal(mapped.ok, false);
    if (!mapped.ok) assert.equal(mapped.error.path, 'labelMap');

    const out = join(temp.dir, 'out.json');
    const exported = await host.dispatch('dataset.export', { format: 'coco', outPath: out, masks: 'polygons', imageSize: 'raw' });
    assert.ok(exported.ok, JSON.stringify(exported));
    const result = exported.value as DatasetExportSummary;
    assert.deepEqual([result.path, result.images, result.annotations, result.files], [out, 3, source.annotations.length, 1]);
    assert.equal(result.coco?.imageSize, 'raw');
    assert.equal(readCoco(out).annotations.length, source.annotations.length);
    const again = await host.dispatch('dataset.export', { format: 'coco', outPath: out });
    assert.equal(again.ok, false, 'an existing file is not replaced without overwrite');
  } finally {
    host.session.close();
    rmSync(userDataDir, { recursive: true, force: true });
    temp.cleanup();
  }
});

test('--format coco-results: scored annotations out as COCO results, and back in as proposals to review', async () => {
  const temp = tempDir();
  try {
    const make = async (dir: string) => {
      await writeImage(dir, 'a.png', 40, 30);
      await writeImage(dir, 'b.png', 40, 30);
      return Project.open(dir);
    };
    const source = await make(join(temp.dir, 'source'));
    const [a] = source.listImages({ offset: 0, limit: 10 }).items.map((i) => i.id) as [number];
    const cat = label({ name: 'cat' });
    source.apply([
      { type: 'label.put', label: cat },
      {
        type: 'annotation.put',
        annotation: boxAnnotation(a, cat.id, { score: 0.9, geometry: { kind: 'box', box: { x: 2, y: 3, w: 10, h: 8 } } }),
      },
      { type: 'annotation.put', annotation: boxAnnotation(a, cat.id) }, // no score: not a result
    ]);
    source.close();

    const file = join(temp.dir, 'results.json');
    const exported = capture();
    const argv = ['export', '--project', join(temp.dir, 'source'), '--format', 'coco-results', '--out', file, '--results', 'annotations'];
    assert.equal(await runCli(argv, exported.io), 0, exported.out.stderr);
    assert.match(exported.out.stdout, /1 results on 1 images/);
    const results = JSON.parse(readFileSync(file, 'utf8')) as { file_name: string; category_name: string; score: number; bbox: number[] }[];
    assert.deepEqual(
      results.map((r) => [r.file_name, r.category_name, r.score, r.bbox]),
      [['a.png', 'cat', 0.9, [2, 3, 10, 8]]],
    );

    const target = await make(join(temp.dir, 'target'));
    target.close();
    const imported = capture();
    assert.equal(
      await runCli(['import', '--project', join(temp.dir, 'target'), '--format', 'coco-results', file], imported.io),
      0,
      imported.out.stderr,
    );
    assert.match(imported.out.stdout, /Imported 1 proposals on 1 images for review \(1 labels added\)/);
    const check = Project.open(join(temp.dir, 'target'));
    assert.equal((check.db.prepare('SELECT COUNT(*) AS n FROM proposals').get() as { n: number }).n, 1);
    assert.equal(countAnnotations(check), 0, 'results are proposals, not annotations');
    check.close();
  } finally {
    temp.cleanup();
  }
});
