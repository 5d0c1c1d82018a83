// Export options Detectron2 and MMDetection users need (masks as polygons,
// boxes as a bare bbox, rounding), unlabeled annotations in the result, and
// EXIF orientation: which size the file uses is stated in `info`, a raw-size
// export turns every shape into the stored pixel grid, and an import takes
// either size.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import sharp from 'sharp';

import type { CocoExportSummary, DocOp } from '../../../../common/contract/index.js';
import { rasterisePolygons } from '../../../../common/geometry/polygon.js';
import { maskToRle, rleToMask } from '../../../../common/geometry/rle.js';
import { exportCoco } from '../../../../core/coco/export.js';
import { importCoco } from '../../../../core/coco/import.js';
import { createHost } from '../../../../core/host/createHost.js';
import { Project } from '../../../../core/store/project.js';
import { boxAnnotation, tempDir } from '../store/fixtures.js';
import { annotatedProject, readCoco } from './cocoFixtures.js';

/** A 16×16 ring: a square with a square hole. */
function ringMask(): Uint8Array {
  const mask = new Uint8Array(16 * 16);
  for (let y = 2; y < 12; y++) for (let x = 2; x < 12; x++) mask[y * 16 + x] = x >= 5 && x < 8 && y >= 5 && y < 8 ? 0 : 1;
  return mask;
}

test('masks as polygons (outer rings; with holes stays RLE, counted), boxes as bbox, 2 decimals, unlabeled in the result', async () => {
  const temp = tempDir();
  const project = await annotatedProject(join(temp.dir, 'p'));
  try {
    const [a, , c] = project.listImages({ offset: 0, limit: 10 }).items.map((i) => i.id) as [number, number, number];
    const cat = project.labels().find((l) => l.name === 'cat')!.id;
    const ops: DocOp[] = [
      { type: 'annotation.put', annotation: boxAnnotation(c, cat, { geometry: { kind: 'mask', rle: maskToRle(ringMask(), 16, 16) } }) },
      {
        type: 'annotation.put',
        annotation: boxAnnotation(a, cat, {
          geometry: { kind: 'polygon', polygons: [{ outer: [1.23456, 1.00001, 7.98765, 1, 4.5, 6.66666], holes: [] }] },
        }),
      },
    ];
    project.apply(ops);

    const plain = join(temp.dir, 'plain.json');
    const plainResult = await exportCoco(project, { outPath: plain });
    assert.equal(plainResult.masksKeptAsRle, 1, 'the polygon with a hole is RLE in every export');
    assert.equal(plainResult.skippedUnlabeled, 1);

    const out = join(temp.dir, 'detectron.json');
    const result = await exportCoco(project, { outPath: out, masks: 'polygons', boxes: 'bbox', decimals: 2 });
    assert.deepEqual([result.masksKeptAsRle, result.skippedUnlabeled, result.annotations], [2, 1, 6]);
    const coco = readCoco(out);
    const cImage = coco.images.find((i) => i.file_name === 'sub/c.png')!;
    const onC = coco.annotations.filter((x) => x.image_id === cImage.id);
    const polygonMask = onC.find((x) => Array.isArray(x.segmentation))!;
    const ring = onC.find((x) => !Array.isArray(x.segmentation))!;
    // The hole-free mask became pixel-edge rings that rasterise back to the same pixels, with the same area.
    const dog = project.annotations(c).find((x) => x.geometry.kind === 'mask' && x.labelId !== cat)!;
    const original = dog.geometry.kind === 'mask' ? rleToMask(dog.geometry.rle) : new Uint8Array();
    const rings = polygonMask.segmentation as number[][];
    assert.deepEqual(
      rasterisePolygons(
        rings.map((outer) => ({ outer, holes: [] })),
        16,
        16,
      ),
      original,
    );
    assert.equal(
      polygonMask.area,
      original.reduce((sum, v) => sum + v, 0),
    );
    assert.deepEqual(ring.segmentation, maskToRle(ringMask(), 16, 16), 'the mask with a hole stays RLE');

    const aImage = coco.images.find((i) => i.file_name === 'a.png')!;
    const box = coco.annotations.find(
      (x) => x.image_id === aImage.id && Array.isArray(x.segmentation) && (x.segmentation as unknown[]).length === 0,
    )!;
    assert.deepEqual([box.bbox, box.area], [[1, 1, 5, 4], 20], 'a box is a bbox with an empty segmentation');
    const rounded = coco.annotations.find((x) => JSON.stringify(x.segmentation).includes('1.23'))!;
    assert.deepEqual(rounded.segmentation, [[1.23, 1, 7.99, 1, 4.5, 6.67]]);
    assert.deepEqual(rounded.bbox, [1.23, 1, 6.75, 5.67]);
    assert.equal(rounded.area, Math.round((rounded.area as number) * 100) / 100);
  } finally {
    project.close();
    temp.cleanup();
  }
});

test('the host takes the export options and answers the unlabeled count', async () => {
  const temp = tempDir();
  (await annotatedProject(join(temp.dir, 'p'))).close();
  const host = createHost({ mode: 'browser', userDataDir: join(temp.dir, 'user-data') });
  try {
    assert.ok((await host.dispatch('project.open', { dir: join(temp.dir, 'p') })).ok);
    const result = await host.dispatch('coco.export', { outPath: join(temp.dir, 'x.json'), boxes: 'bbox', masks: 'polygons', decimals: 2 });
    assert.ok(result.ok, JSON.stringify(result));
    const summary = result.value as CocoExportSummary;
    assert.deepEqual([summary.skippedUnlabeled, summary.imageSize], [1, 'display']);
    const bad = await host.dispatch('coco.export', { outPath: join(temp.dir, 'y.json'), decimals: 11 });
    assert.ok(!bad.ok && bad.error.code === 'bad_request');
  } finally {
    await host.close();
    temp.cleanup();
  }
});

/** A 30×20 JPEG (as stored) tagged EXIF orientation 6: displayed 20×30, turned 90° clockwise. */
async function rotatedPhoto(dir: string): Promise<void> {
  await sharp({ create: { width: 30, height: 20, channels: 3, background: '#406080' } })
    .jpeg()
    .withMetadata({ orientation: 6 })
    .toFile(join(dir, 'phone.jpg'));
}

test('EXIF: info states the size; a raw-size file imports turned, with a note; a raw-size export turns back', async () => {
  const temp = tempDir();
  await rotatedPhoto(temp.dir);
  const project = Project.open(temp.dir);
  try {
    const image = await project.getImage(1);
    assert.deepEqual([image.width, image.height], [20, 30], 'the project uses the displayed size');
    // Stored-grid coordinates: a triangle and a 2×3 mask in the 30×20 grid.
    const rawMask = new Uint8Array(20 * 30);
    for (let y = 4; y < 7; y++) for (let x = 10; x < 12; x++) rawMask[y * 30 + x] = 1;
    const raw = {
      images: [{ id: 5, file_name: 'phone.jpg', width: 30, height: 20 }],
      categories: [{ id: 1, name: 'thing' }],
      annotations: [
        { id: 1, image_id: 5, category_id: 1, segmentation: [[2, 3, 12, 3, 12, 8]] },
        { id: 2, image_id: 5, category_id: 1, segmentation: maskToRle(rawMask, 20, 30) },
      ],
    };
    const rawFile = join(temp.dir, 'raw.json');
    writeFileSync(rawFile, JSON.stringify(raw));
    const summary = await importCoco(project, rawFile);
    assert.match(summary.notes.join(' '), /1 image is given with the stored pixel size \(EXIF orientation not applied\)/);
    const [polygon, mask] = project.annotations(1);
    // Orientation 6 shows stored (x, y) at (H - y, x) with H = 20.
    assert.deepEqual(polygon!.geometry, { kind: 'polygon', polygons: [{ outer: [17, 2, 17, 12, 12, 12], holes: [] }] });
    assert.ok(mask!.geometry.kind === 'mask');
    assert.deepEqual(mask!.geometry.rle.size, [30, 20]);
    const shown = rleToMask(mask!.geometry.rle);
    for (let y = 4; y < 7; y++) for (let x = 10; x < 12; x++) assert.equal(shown[x * 20 + (19 - y)], 1, `stored (${x}, ${y})`);

    const display = join(temp.dir, 'display.json');
    await exportCoco(project, { outPath: display });
    const shownFile = readCoco(display);
    assert.deepEqual([shownFile.images[0]!.width, shownFile.images[0]!.height], [20, 30]);
    assert.match(String((shownFile.info as { image_size: string }).image_size), /^display: .*EXIF orientation applied/);

    const rawOut = join(temp.dir, 'raw-out.json');
    const result = await exportCoco(project, { outPath: rawOut, imageSize: 'raw' });
    assert.equal(result.imageSize, 'raw');
    const back = readCoco(rawOut);
    assert.match(String((back.info as { image_size: string }).image_size), /^raw: .*stored pixel grid/);
    assert.deepEqual(back.images, [{ id: 5, file_name: 'phone.jpg', width: 30, height: 20 }]);
    assert.deepEqual(back.annotations[0]!.segmentation, raw.annotations[0]!.segmentation);
    assert.deepEqual(back.annotations[1]!.segmentation, raw.annotations[1]!.segmentation, 'the mask comes back pixel for pixel');
    assert.deepEqual(back.annotations[0]!.bbox, [2, 3, 10, 5]);

    // The display-size file imports as it is (no note), and finds those annotations already there.
    const again = await importCoco(project, display);
    assert.deepEqual([again.notes.filter((n) => /EXIF/.test(n)), again.duplicates.found], [[], 2]);
  } finally {
    project.close();
    temp.cleanup();
  }
});
