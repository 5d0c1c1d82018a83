import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { AppError } from '../../../../common/contract/index.js';
import { exportCoco } from '../../../../core/coco/export.js';
import { importCoco } from '../../../../core/coco/import.js';
import { Project } from '../../../../core/store/project.js';
import { tempDir } from '../store/fixtures.js';
import { annotatedProject, normaliseCoco, readCoco, writeProjectImages } from './cocoFixtures.js';

test('export writes COCO instances with the documented conventions', async () => {
  const temp = tempDir();
  const project = await annotatedProject(join(temp.dir, 'p'));
  try {
    const out = join(temp.dir, 'out', 'coco.json');
    const result = await exportCoco(project, { outPath: out });
    assert.deepEqual(
      { images: result.images, annotations: result.annotations, categories: result.categories, skipped: result.skippedUnlabeled },
      { images: 3, annotations: 4, categories: 2, skipped: 1 },
    );
    const coco = readCoco(out);
    assert.deepEqual(coco.licenses, []);
    assert.deepEqual(
      coco.images.map((i) => [i.file_name, i.width, i.height]),
      [
        ['a.png', 20, 10],
        ['b.jpg', 30, 20],
        ['sub/c.png', 16, 16],
      ],
    );
    assert.deepEqual(
      coco.categories.map((c) => c.name),
      ['cat', 'dog'],
    );
    const [box, polygon, holed, mask] = coco.annotations;
    assert.deepEqual(box, {
      id: 1,
      image_id: coco.images[0]!.id,
      category_id: 1,
      segmentation: [[1, 1, 6, 1, 6, 5, 1, 5]],
      area: 20,
      bbox: [1, 1, 5, 4],
      iscrowd: 0,
    });
    assert.deepEqual(polygon?.segmentation, [
      [10, 1, 19, 1, 15, 9],
      [0, 6, 4, 6, 4, 9.5],
    ]);
    assert.equal(polygon?.score, 0.75);
    assert.equal(polygon?.area, 36 + 7);
    // The polygon with a hole becomes RLE; area = 20×16 square minus the 4×4 hole, counted in pixels.
    const holedSegmentation = holed?.segmentation as { size: number[]; counts: unknown };
    assert.deepEqual(holedSegmentation.size, [20, 30]);
    assert.equal(typeof holedSegmentation.counts, 'string');
    assert.equal(holed?.area, 20 * 16 - 16);
    assert.deepEqual(holed?.bbox, [2, 2, 20, 16]);
    assert.equal((mask?.segmentation as { size: number[] }).size.join('x'), '16x16');
    assert.equal(existsSync(`${out.replace(/\.json$/, '')}.captions.json`), false, 'no captions unless asked');
  } finally {
    project.close();
    temp.cleanup();
  }
});

test('export → import into a fresh project → export gives the same COCO up to ids and order', async () => {
  const temp = tempDir();
  const source = await annotatedProject(join(temp.dir, 'source'));
  const copy = join(temp.dir, 'copy');
  await writeProjectImages(copy);
  const fresh = Project.open(copy);
  try {
    const first = join(temp.dir, 'first.json');
    await exportCoco(source, { outPath: first });
    const summary = await importCoco(fresh, first);
    assert.deepEqual(
      {
        kind: summary.kind,
        images: summary.images,
        annotations: summary.annotations,
        added: summary.categoriesAdded,
        notes: summary.notes,
      },
      { kind: 'instances', images: 3, annotations: 4, added: 2, notes: [] },
    );
    const second = join(temp.dir, 'second.json');
    await exportCoco(fresh, { outPath: second });
    assert.deepEqual(normaliseCoco(readCoco(second)), normaliseCoco(readCoco(first)));
    // Importing again merges categories by name instead of duplicating them, and skips the annotations already there.
    const again = await importCoco(fresh, first);
    assert.equal(again.categoriesAdded, 0);
    assert.deepEqual([again.annotations, again.duplicates], [0, { mode: 'skip', found: 4 }]);
    assert.equal(fresh.labels().length, 2);
  } finally {
    source.close();
    fresh.close();
    temp.cleanup();
  }
});

test('captions export as COCO captions and Localized Narratives, and captions import back', async () => {
  const temp = tempDir();
  const project = await annotatedProject(join(temp.dir, 'p'));
  try {
    const out = join(temp.dir, 'set.json');
    const result = await exportCoco(project, { outPath: out, includeCaptions: true });
    assert.equal(result.captions, 2);
    const captions = JSON.parse(readFileSync(join(temp.dir, 'set.captions.json'), 'utf8')) as { annotations: { caption: string }[] };
    assert.deepEqual(
      captions.annotations.map((a) => a.caption),
      ['a cat and a dog', 'plain caption'],
    );
    const lines = readFileSync(join(temp.dir, 'set.narratives.jsonl'), 'utf8').trim().split('\n');
    assert.equal(lines.length, 1, 'only captions with word traces become narratives');
    const narrative = JSON.parse(lines[0]!) as {
      caption: string;
      timed_caption: { utterance: string; start_time: number; end_time: number }[];
      traces: { x: number; y: number; t: number }[][];
    };
    assert.equal(narrative.caption, 'a cat and a dog');
    assert.deepEqual(narrative.timed_caption, [
      { utterance: 'cat', start_time: 0.5, end_time: 1.2 },
      { utterance: 'dog', start_time: 1.2, end_time: 1.6 },
    ]);
    assert.deepEqual(narrative.traces, [
      [
        { x: 0.15, y: 0.3, t: 0.5 },
        { x: 0.75, y: 0.4, t: 1.2 },
      ],
    ]);

    const copy = join(temp.dir, 'copy');
    await writeProjectImages(copy);
    const fresh = Project.open(copy);
    try {
      const summary = await importCoco(fresh, join(temp.dir, 'set.captions.json'));
      assert.equal(summary.captions, 2);
      const imageA = fresh.listImages({ offset: 0, limit: 1 }).items[0]!.id;
      assert.deepEqual(
        fresh.captions(imageA).map((c) => c.text),
        ['a cat and a dog'],
      );
    } finally {
      fresh.close();
    }
  } finally {
    project.close();
    temp.cleanup();
  }
});

test('imports uncompressed RLE and bbox-only annotations', async () => {
  const temp = tempDir();
  await writeProjectImages(temp.dir);
  const project = Project.open(temp.dir);
  try {
    const file = join(temp.dir, 'in.json');
    const coco = {
      images: [{ id: 7, file_name: 'a.png', width: 20, height: 10 }],
      categories: [{ id: 3, name: 'thing' }],
      annotations: [
        { id: 1, image_id: 7, category_id: 3, segmentation: { size: [10, 20], counts: [11, 3, 186] }, iscrowd: 1 },
        { id: 2, image_id: 7, category_id: 3, bbox: [2, 3, 4, 5] },
      ],
    };
    (await import('node:fs')).writeFileSync(file, JSON.stringify(coco));
    await importCoco(project, file);
    const imageId = project.listImages({ offset: 0, limit: 1 }).items[0]!.id;
    const [mask, box] = project.annotations(imageId);
    assert.deepEqual(mask?.geometry, { kind: 'mask', rle: { size: [10, 20], counts: ';3j5' } });
    assert.deepEqual(box?.geometry, { kind: 'box', box: { x: 2, y: 3, w: 4, h: 5 } });
    assert.equal(mask?.source, 'coco-import');
  } finally {
    project.close();
    temp.cleanup();
  }
});

test('an output path that cannot be written is refused with AppError', async () => {
  const temp = tempDir();
  const project = await annotatedProject(join(temp.dir, 'p'));
  try {
    // A regular file where the output folder should be.
    const blocker = join(temp.dir, 'p', 'a.png');
    await assert.rejects(
      exportCoco(project, { outPath: join(blocker, 'out.json') }),
      (error: unknown) => error instanceof AppError && error.code === 'bad_request',
    );
  } finally {
    project.close();
    temp.cleanup();
  }
});

test('without an output path the export goes to <project>/exports/', async () => {
  const temp = tempDir();
  const project = await annotatedProject(join(temp.dir, 'p'));
  try {
    const result = await exportCoco(project, {});
    assert.ok(result.path.startsWith(join(temp.dir, 'p', 'exports', 'coco-')));
    assert.equal(readCoco(result.path).annotations.length, 4);
  } finally {
    project.close();
    temp.cleanup();
  }
});
