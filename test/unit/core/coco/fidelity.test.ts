// What an imported COCO file says comes back out of the export: iscrowd, the
// file's own area, category ids (with a new label after the largest),
// supercategory (null too) and extra category fields, image ids, unknown
// annotation fields. And labelme's own COCO output imports, with its vertex
// 0.38 px past the border clipped and counted.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { cocoIds } from '../../../../core/coco/cocoIds.js';
import { exportCoco } from '../../../../core/coco/export.js';
import { importCoco } from '../../../../core/coco/import.js';
import { Project } from '../../../../core/store/project.js';
import { label, tempDir, writeImage } from '../store/fixtures.js';
import { type CocoFile, readCoco } from './cocoFixtures.js';

const FOREIGN = join(import.meta.dirname, '../../../fixtures/coco-foreign');

/** A real compressed RLE (cocoapi's fake segmentation results, image 42, 478×640). */
const CROWD_RLE = (
  JSON.parse(readFileSync(join(FOREIGN, 'cocoapi-fakesegm-results-excerpt.json'), 'utf8')) as { segmentation: object }[]
)[0]!.segmentation;

function crowdFile() {
  return {
    info: { description: 'val2017-style' },
    images: [
      { id: 397133, file_name: 'crowd.png', width: 640, height: 478, license: 4 },
      { id: 37777, file_name: 'small.png', width: 40, height: 30 },
    ],
    categories: [
      { id: 1, name: 'person', supercategory: 'person', keypoints: ['nose', 'left_eye'], skeleton: [[1, 2]] },
      { id: 72, name: 'tv', supercategory: 'electronic', isthing: 1 },
      { id: 90, name: 'toothbrush', supercategory: null },
    ],
    annotations: [
      // A crowd region: RLE, iscrowd 1, an area that is not its pixel count (as in val2017).
      { id: 900100397133, image_id: 397133, category_id: 1, segmentation: CROWD_RLE, area: 12345.5, bbox: [0, 0, 10, 10], iscrowd: 1 },
      // A polygon whose COCO area (a pixel count) differs from its shoelace area, with keypoints and attributes.
      {
        id: 2,
        image_id: 37777,
        category_id: 1,
        segmentation: [[2, 2, 20, 2, 20, 12, 2, 12]],
        area: 171,
        bbox: [2, 2, 18, 10],
        iscrowd: 0,
        keypoints: [5, 5, 2, 6, 6, 1],
        num_keypoints: 2,
        attributes: { occluded: true, note: 'ü' },
      },
      { id: 3, image_id: 37777, category_id: 72, bbox: [1, 1, 5, 5], area: 25, iscrowd: 0, segmentation: [] },
    ],
  };
}

async function crowdProject(dir: string): Promise<{ project: Project; file: string }> {
  await writeImage(dir, 'crowd.png', 640, 478);
  await writeImage(dir, 'small.png', 40, 30);
  await writeImage(dir, 'other.png', 8, 8);
  const project = Project.open(dir);
  const file = join(dir, 'in.json');
  writeFileSync(file, JSON.stringify(crowdFile()));
  return { project, file };
}

const byId = <T extends { id: number }>(items: readonly T[]) => new Map(items.map((item) => [item.id, item]));

test('iscrowd, area, category and image ids, supercategory, extra fields and unknown annotation fields come back out', async () => {
  const temp = tempDir();
  const { project, file } = await crowdProject(temp.dir);
  try {
    const summary = await importCoco(project, file);
    assert.equal(summary.annotations, 3);
    assert.deepEqual(summary.keptFields, { keypoints: 1, num_keypoints: 1, attributes: 1 });
    // A label made in the app afterwards gets the next id after the largest (90).
    project.apply([{ type: 'label.put', label: label({ name: 'remote' }) }]);
    const out = join(temp.dir, 'out.json');
    await exportCoco(project, { outPath: out });
    const coco = readCoco(out);
    const source = crowdFile();

    const categories = byId(coco.categories);
    assert.deepEqual(categories.get(1), source.categories[0]);
    assert.deepEqual(categories.get(72), source.categories[1]);
    assert.deepEqual(categories.get(90), { id: 90, name: 'toothbrush', supercategory: null });
    assert.deepEqual(categories.get(91), { id: 91, name: 'remote', supercategory: 'none' });

    const images = byId(coco.images);
    assert.deepEqual(images.get(397133), { id: 397133, file_name: 'crowd.png', width: 640, height: 478 });
    assert.deepEqual(images.get(37777), { id: 37777, file_name: 'small.png', width: 40, height: 30 });
    const other = coco.images.find((image) => image.file_name === 'other.png')!;
    assert.ok(![397133, 37777].includes(other.id), 'an image without a kept id keeps its own, distinct one');

    const [crowd, polygon, box] = [...coco.annotations].sort((a, b) =>
      a.image_id === b.image_id ? a.category_id - b.category_id : b.image_id - a.image_id,
    );
    assert.deepEqual(
      { iscrowd: crowd!.iscrowd, area: crowd!.area, segmentation: crowd!.segmentation, category: crowd!.category_id },
      { iscrowd: 1, area: 12345.5, segmentation: CROWD_RLE, category: 1 },
    );
    assert.deepEqual(
      {
        area: polygon!.area,
        keypoints: polygon!.keypoints,
        num: polygon!.num_keypoints,
        attributes: polygon!.attributes,
        iscrowd: polygon!.iscrowd,
      },
      { area: 171, keypoints: [5, 5, 2, 6, 6, 1], num: 2, attributes: { occluded: true, note: 'ü' }, iscrowd: 0 },
    );
    assert.deepEqual([box!.category_id, box!.area, box!.iscrowd], [72, 25, 0]);

    // The export uses exactly the ids cocoIds gives (the auto-label results export uses it too).
    const ids = cocoIds(project);
    const labelNamed = (name: string) => project.labels().find((l) => l.name === name)!.id;
    assert.deepEqual(
      ['person', 'tv', 'toothbrush', 'remote'].map((name) => ids.categoryOf.get(labelNamed(name))),
      [1, 72, 90, 91],
    );
    const imageNamed = (relPath: string) => project.listImages({ offset: 0, limit: 10 }).items.find((i) => i.relPath === relPath)!.id;
    assert.equal(ids.imageOf.get(imageNamed('crowd.png')), 397133);
    assert.equal(ids.imageOf.get(imageNamed('other.png')), other.id);
  } finally {
    project.close();
    temp.cleanup();
  }
});

test('an edited shape gets its own area; iscrowd and kept fields survive edits, relabeling and delete + undo', async () => {
  const temp = tempDir();
  const { project, file } = await crowdProject(temp.dir);
  try {
    await importCoco(project, file);
    const small = project.listImages({ offset: 0, limit: 10 }).items.find((i) => i.relPath === 'small.png')!.id;
    const crowdImage = project.listImages({ offset: 0, limit: 10 }).items.find((i) => i.relPath === 'crowd.png')!.id;
    const [polygon] = project.annotations(small);
    const [crowd] = project.annotations(crowdImage);
    const tv = project.labels().find((l) => l.name === 'tv')!;
    // Edit the polygon's shape; relabel the crowd; delete the crowd and undo.
    project.apply([
      {
        type: 'annotation.put',
        annotation: { ...polygon!, geometry: { kind: 'polygon', polygons: [{ outer: [2, 2, 30, 2, 30, 12, 2, 12], holes: [] }] } },
      },
    ]);
    const relabeled = project.apply([{ type: 'annotation.put', annotation: { ...crowd!, labelId: tv.id } }]);
    void relabeled;
    const stored = project.annotations(crowdImage)[0]!;
    const undo = project.apply([{ type: 'annotation.delete', id: stored.id, revision: stored.revision }]);
    project.apply(undo);
    // Deleting the label and undoing keeps its category id.
    const toothbrush = project.labels().find((l) => l.name === 'toothbrush')!;
    project.apply(project.apply([{ type: 'label.delete', id: toothbrush.id }]));

    const out = join(temp.dir, 'out.json');
    await exportCoco(project, { outPath: out });
    const coco = readCoco(out);
    const edited = coco.annotations.find((a) => a.image_id === 37777 && a.category_id === 1)!;
    assert.equal(edited.area, 280, 'the edited polygon is measured anew');
    assert.deepEqual(edited.keypoints, [5, 5, 2, 6, 6, 1], 'its other fields stay');
    const crowdOut = coco.annotations.find((a) => a.image_id === 397133)!;
    assert.deepEqual([crowdOut.category_id, crowdOut.iscrowd, crowdOut.area], [72, 1, 12345.5]);
    assert.ok(coco.categories.some((c) => c.id === 90 && c.name === 'toothbrush'));
  } finally {
    project.close();
    temp.cleanup();
  }
});

test("labelme's own COCO output imports: null supercategory, id 0, a vertex 0.38 px past the border clipped and counted", async () => {
  const temp = tempDir();
  const fixture = join(FOREIGN, 'labelme2coco-annotations.json');
  const source = JSON.parse(readFileSync(fixture, 'utf8')) as CocoFile;
  for (const image of source.images) await writeImage(temp.dir, image.file_name, image.width, image.height, 'jpeg');
  const project = Project.open(temp.dir);
  try {
    const summary = await importCoco(project, fixture);
    assert.deepEqual(
      [summary.images, summary.annotations, summary.categoriesAdded, summary.clippedPoints],
      [3, source.annotations.length, source.categories.length, 1],
    );
    assert.match(summary.notes.join(' '), /1 point up to 1 px outside their image moved onto its border/);
    const out = join(temp.dir, 'out.json');
    await exportCoco(project, { outPath: out });
    const coco = readCoco(out);
    // Same ids for images and categories (0 stays 0), supercategory null, annotations on the same image and category.
    assert.deepEqual(
      coco.categories.map((c) => [c.id, c.name, c.supercategory]).sort((a, b) => Number(a[0]) - Number(b[0])),
      source.categories.map((c) => [c.id, c.name, null]),
    );
    assert.deepEqual(coco.images.map((i) => [i.id, i.file_name]).sort(), source.images.map((i) => [i.id, i.file_name]).sort());
    const pairs = (file: CocoFile) => file.annotations.map((a) => `${a.image_id}/${a.category_id}/${String(a.area)}`).sort();
    assert.deepEqual(pairs(coco), pairs(source), 'area as labelme2coco measured it');
    const clipped = coco.annotations.find((a) => a.image_id === 2 && (a.segmentation as number[][]).some((ring) => ring.includes(375)))!;
    assert.ok(clipped, 'the vertex at y = 375.38 now lies on the border, y = 375');
  } finally {
    project.close();
    temp.cleanup();
  }
});

test('a vertex more than 1 px outside is still refused, and nothing is written', async () => {
  const temp = tempDir();
  await writeImage(temp.dir, 'a.png', 20, 10);
  const project = Project.open(temp.dir);
  try {
    const file = join(temp.dir, 'far.json');
    const coco = {
      images: [{ id: 1, file_name: 'a.png', width: 20, height: 10 }],
      categories: [{ id: 1, name: 'cat' }],
      annotations: [
        { id: 1, image_id: 1, category_id: 1, segmentation: [[1, 1, 20.9, 1, 5, 5]] },
        { id: 2, image_id: 1, category_id: 1, segmentation: [[1, 1, 21.2, 1, 5, 5]] },
      ],
    };
    writeFileSync(file, JSON.stringify(coco));
    await assert.rejects(
      importCoco(project, file),
      /annotations\[1\]\.segmentation\[0\]: point \(21\.2, 1\) lies more than 1 px outside the 20×10 image/,
    );
    assert.equal(project.labels().length, 0);
    assert.equal(project.annotations(1).length, 0);
  } finally {
    project.close();
    temp.cleanup();
  }
});

test('zero-area rings are dropped and counted; an annotation with no other ring is dropped; the sample file has none', async () => {
  const temp = tempDir();
  await writeImage(temp.dir, 'a.png', 400, 500);
  const project = Project.open(temp.dir);
  try {
    const file = join(temp.dir, 'rings.json');
    const coco = {
      images: [{ id: 1, file_name: 'a.png', width: 400, height: 500 }],
      categories: [{ id: 1, name: 'line' }],
      annotations: [
        // The sample file's kind of ring: a one-pixel-wide line traced as a polygon.
        {
          id: 1,
          image_id: 1,
          category_id: 1,
          segmentation: [
            [300, 400, 310, 400, 310, 410],
            [332.5, 442, 332.5, 441, 332.5, 442],
          ],
        },
        { id: 2, image_id: 1, category_id: 1, segmentation: [[10, 10, 20, 20, 30, 30]] },
      ],
    };
    writeFileSync(file, JSON.stringify(coco));
    const summary = await importCoco(project, file);
    assert.deepEqual([summary.annotations, summary.degenerateRings, summary.droppedAnnotations], [1, 2, 1]);
    const [kept] = project.annotations(1);
    assert.deepEqual(kept!.geometry, { kind: 'polygon', polygons: [{ outer: [300, 400, 310, 400, 310, 410], holes: [] }] });
    const out = join(temp.dir, 'out.json');
    await exportCoco(project, { outPath: out });
    assert.deepEqual(readCoco(out).annotations[0]!.bbox, [300, 400, 10, 10], 'the box is the mask, not widened by the line');
  } finally {
    project.close();
    temp.cleanup();
  }
  const sample = JSON.parse(
    readFileSync(join(import.meta.dirname, '../../../../assets/samples/annotations.coco.json'), 'utf8'),
  ) as CocoFile;
  const flat = sample.annotations.flatMap((a) => (Array.isArray(a.segmentation) ? (a.segmentation as number[][]) : []));
  const twiceArea = (r: number[]) =>
    r.reduce((sum, _, i) => (i % 2 ? sum : sum + r[i]! * r[(i + 3) % r.length]! - r[(i + 2) % r.length]! * r[i + 1]!), 0);
  assert.deepEqual(
    flat.filter((ring) => twiceArea(ring) === 0),
    [],
    'assets/samples/annotations.coco.json has no zero-area ring',
  );
});
