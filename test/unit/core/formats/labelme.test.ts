// labelme: the files labelme itself wrote (examples/primitives: every shape
// type; examples/instance_segmentation: polygons grouped by group_id), the
// round trip, refusals and the report of what was not imported or exported.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { measureGeometry } from '../../../../common/geometry/measure.js';
import { rleToMask } from '../../../../common/geometry/rle.js';
import { exportDataset } from '../../../../core/formats/exportDataset.js';
import { importDataset } from '../../../../core/formats/importDataset.js';
import { tempDir } from '../store/fixtures.js';
import { countAnnotations, FIXTURES, projectAnnotations, projectWithImages } from './formatFixtures.js';

const LABELME = join(FIXTURES, 'labelme');

test('labelme primitives.json (labelme 5.7.0): every shape type', async () => {
  const temp = tempDir();
  try {
    const project = await projectWithImages(temp.dir, {});
    cpSync(join(LABELME, 'primitives.jpg'), join(temp.dir, 'primitives.jpg'));
    project.rescan();
    const summary = await importDataset(project, 'labelme', join(LABELME, 'primitives.json'));
    assert.equal(summary.images, 1);
    assert.equal(summary.annotations, 5); // 2 rectangles, circle, polygon, mask
    assert.deepEqual(Object.fromEntries(summary.notImported.map((c) => [c.what, c.count])), {
      'circles (imported as polygons)': 1,
      'line shapes (no point or line annotations here)': 1,
      'point shapes (no point or line annotations here)': 1,
      'linestrip shapes (no point or line annotations here)': 1,
    });
    const all = projectAnnotations(project);
    const byLabel = new Map(all.map((a) => [`${a.label}:${a.geometry.kind}`, a.geometry]));
    assert.deepEqual(
      all.filter((a) => a.label === 'rectangle').map((a) => a.geometry),
      [
        { kind: 'box', box: { x: 32, y: 35, w: 100, h: 100 } },
        { kind: 'box', box: { x: 391, y: 33, w: 151, h: 102 } },
      ],
    );
    const polygon = byLabel.get('polygon:polygon');
    assert.deepEqual(polygon, { kind: 'polygon', polygons: [{ outer: [69, 318, 45, 403, 173, 406, 198, 321], holes: [] }] });
    // Circle: centre (195, 84) through (225, 125): radius √(30² + 41²) ≈ 50.8, area ≈ π r².
    const circle = measureGeometry(byLabel.get('circle:polygon')!);
    const r = Math.hypot(30, 41);
    assert.ok(Math.abs(circle.area - Math.PI * r * r) / (Math.PI * r * r) < 0.01, `circle area ${circle.area}`);
    // Mask: the octagon PNG pasted at round(417.398, 305) = (417, 305).
    const mask = byLabel.get('octagon:mask');
    assert.ok(mask && mask.kind === 'mask');
    const { bbox, area } = measureGeometry(mask);
    assert.equal(bbox[0], 417);
    assert.equal(bbox[1], 305);
    assert.ok(area > 5000 && area < 100 * 100, `octagon area ${area}`);
    assert.equal(rleToMask(mask.rle)[(305 + 50) * 560 + 417 + 50], 1);
    project.close();
  } finally {
    temp.cleanup();
  }
});

test('labelme instance segmentation: polygons with one group_id are one object', async () => {
  const temp = tempDir();
  try {
    const project = await projectWithImages(join(temp.dir, 'project'), { '2011_000003.jpg': [500, 338] });
    const summary = await importDataset(project, 'labelme', join(LABELME, 'instance_segmentation'));
    // person, person (group 0: two polygons), bottle, __ignore__
    assert.equal(summary.annotations, 4);
    assert.equal(summary.labelsAdded, 3);
    const grouped = projectAnnotations(project).filter((a) => a.geometry.kind === 'polygon' && a.geometry.polygons.length === 2);
    assert.equal(grouped.length, 1);
    assert.equal(grouped[0]!.label, 'person');
    project.close();
  } finally {
    temp.cleanup();
  }
});

test('labelme: import then export gives the same shapes; what labelme cannot hold is reported', async () => {
  const temp = tempDir();
  try {
    const source = await projectWithImages(join(temp.dir, 'source'), { '2011_000003.jpg': [500, 338] });
    await importDataset(source, 'labelme', join(LABELME, 'instance_segmentation'));
    const out = join(temp.dir, 'out');
    const exported = await exportDataset(source, 'labelme', { outPath: out });
    assert.equal(exported.files, 1);
    const written = JSON.parse(readFileSync(join(out, '2011_000003.json'), 'utf8')) as {
      shapes: { label: string; points: number[][]; shape_type: string; group_id: number | null }[];
      imagePath: string;
      imageHeight: number;
    };
    const original = JSON.parse(readFileSync(join(LABELME, 'instance_segmentation', '2011_000003.json'), 'utf8')) as typeof written;
    const shapes = (file: typeof written) =>
      file.shapes.map((s) => `${s.label} ${s.shape_type} ${s.group_id === null ? '-' : 'g'} ${JSON.stringify(s.points)}`).sort();
    assert.deepEqual(shapes(written), shapes(original));
    assert.equal(written.imagePath, '../source/2011_000003.jpg');
    assert.equal(written.imageHeight, 338);

    // The export reads back into a fresh project with the same annotations.
    const target = await projectWithImages(join(temp.dir, 'target'), { '2011_000003.jpg': [500, 338] });
    await importDataset(target, 'labelme', out);
    const strip = (list: ReturnType<typeof projectAnnotations>) => list.map(({ image, label, geometry }) => ({ image, label, geometry }));
    assert.deepEqual(strip(projectAnnotations(target)), strip(projectAnnotations(source)));
    source.close();
    target.close();
  } finally {
    temp.cleanup();
  }
});

test('labelme export: masks and holed polygons become mask shapes that read back pixel for pixel', async () => {
  const temp = tempDir();
  try {
    const { annotatedProject } = await import('./formatFixtures.js');
    const source = await annotatedProject(join(temp.dir, 'source'));
    const out = join(temp.dir, 'out');
    const result = await exportDataset(source, 'labelme', { outPath: out });
    assert.deepEqual(result.dropped, [{ what: 'polygons with holes written as mask shapes', count: 1 }]);
    const b = JSON.parse(readFileSync(join(out, 'sub', 'b.json'), 'utf8')) as {
      shapes: { shape_type: string; points: number[][] }[];
      imagePath: string;
    };
    assert.deepEqual(
      b.shapes.map((s) => s.shape_type),
      ['mask', 'mask'],
    );
    assert.equal(b.imagePath, '../../source/sub/b.jpg');
    const target = await projectWithImages(join(temp.dir, 'target'), { 'a.png': [40, 30], 'sub/b.jpg': [32, 24] });
    await importDataset(target, 'labelme', out);
    const masks = (p: typeof source) =>
      projectAnnotations(p)
        .filter((a) => a.image === 'sub/b.jpg')
        .map((a) => Array.from(a.geometry.kind === 'mask' ? rleToMask(a.geometry.rle) : new Uint8Array()).join(''));
    const sourceMasks = projectAnnotations(source)
      .filter((a) => a.image === 'sub/b.jpg')
      .map((a) => a.geometry);
    assert.equal(sourceMasks.length, 2);
    assert.equal(masks(target).length, 2);
    // The mask annotation survives exactly.
    const sourceMask = sourceMasks.find((g) => g.kind === 'mask')!;
    assert.ok(
      masks(target).includes(Array.from(rleToMask(sourceMask.kind === 'mask' ? sourceMask.rle : { size: [1, 1], counts: '' })).join('')),
    );
    source.close();
    target.close();
  } finally {
    temp.cleanup();
  }
});

test('labelme refusals name the file and field, and nothing is written', async () => {
  const temp = tempDir();
  try {
    const project = await projectWithImages(join(temp.dir, 'project'), { 'x.png': [20, 10], 'y.png': [20, 10] });
    const data = join(temp.dir, 'data');
    mkdirSync(data);
    const good = {
      version: '5.7.0',
      flags: {},
      shapes: [
        {
          label: 'a',
          points: [
            [1, 1],
            [5, 5],
          ],
          shape_type: 'rectangle',
          group_id: null,
          flags: {},
        },
      ],
      imagePath: '../project/x.png',
      imageData: null,
      imageHeight: 10,
      imageWidth: 20,
    };
    const cases: [string, unknown, RegExp][] = [
      ['not json', '{"shapes": [', /not valid JSON: line 1/],
      ['no imagePath', { ...good, imagePath: undefined }, /imagePath/],
      ['bad shape type', { ...good, shapes: [{ ...good.shapes[0], shape_type: 'blob' }] }, /shapes\[0\]: shape_type: "blob"/],
      [
        'polygon with 2 points',
        { ...good, shapes: [{ ...good.shapes[0], shape_type: 'polygon' }] },
        /shapes\[0\]: points: a polygon needs at least 3/,
      ],
      [
        'outside the image',
        {
          ...good,
          shapes: [
            {
              ...good.shapes[0],
              points: [
                [1, 1],
                [25, 5],
              ],
            },
          ],
        },
        /shapes\[0\]: x: x = 25 lies outside the 20×10 image/,
      ],
      ['size mismatch', { ...good, imageWidth: 21 }, /x.png" is 20×10, not 21×10/],
      ['bad mask', { ...good, shapes: [{ ...good.shapes[0], shape_type: 'mask', mask: 'AAAA' }] }, /shapes\[0\]: mask: not a readable PNG/],
      ['empty label', { ...good, shapes: [{ ...good.shapes[0], label: ' ' }] }, /shapes\[0\]: label: the label is empty/],
    ];
    for (const [name, body, message] of cases) {
      writeFileSync(join(data, 'ok.json'), JSON.stringify({ ...good, imagePath: '../project/y.png' }));
      writeFileSync(join(data, 'x.json'), typeof body === 'string' ? body : JSON.stringify(body));
      await assert.rejects(importDataset(project, 'labelme', data), (error: Error) => {
        assert.match(error.message, message, name);
        return true;
      });
      assert.equal(countAnnotations(project), 0, name);
      assert.equal(project.labels().length, 0, name);
    }
    project.close();
  } finally {
    temp.cleanup();
  }
});
