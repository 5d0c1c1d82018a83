// CVAT for images 1.1: the example in CVAT's own format documentation (every
// shape type, a mask in CVAT's RLE) and a real CVAT project export (from
// datumaro's test assets: attributes, occluded, unlabeled shapes, subsets),
// the RLE codec against CVAT's definition, the round trip, refusals.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { measureGeometry } from '../../../../common/geometry/measure.js';
import { rleToMask } from '../../../../common/geometry/rle.js';
import { decodeCvatRle, encodeCvatRle } from '../../../../core/formats/cvatRle.js';
import { exportDataset } from '../../../../core/formats/exportDataset.js';
import { importDataset } from '../../../../core/formats/importDataset.js';
import { tempDir } from '../store/fixtures.js';
import { annotatedProject, countAnnotations, FIXTURES, projectAnnotations, projectWithImages } from './formatFixtures.js';

const CVAT = join(FIXTURES, 'cvat');

test("CVAT's documented example: box, polygon and mask imported; the rest counted", async () => {
  const temp = tempDir();
  try {
    const project = await projectWithImages(join(temp.dir, 'project'), { 'filename000.jpg': [1600, 1200] });
    const summary = await importDataset(project, 'cvat', join(CVAT, 'cvat-docs-annotation.xml'));
    assert.equal(summary.annotations, 3);
    // Labels from <meta>, in its order; the skeleton's point labels (with a <parent>) are its parts, not labels.
    assert.deepEqual(
      project.labels().map((l) => l.name),
      ['car', 'traffic_line', 'wheel', 'plate', 's1'],
    );
    assert.deepEqual(Object.fromEntries(summary.notImported.map((c) => [c.what, c.count])), {
      'polyline shapes': 2,
      'points shapes': 1,
      'skeleton shapes': 1,
      'tag shapes': 1,
    });
    const list = projectAnnotations(project);
    assert.deepEqual(list.find((a) => a.label === 'plate')!.geometry, {
      kind: 'box',
      box: { x: 797.33, y: 870.92, w: 965.52 - 797.33, h: 928.94 - 870.92 },
    });
    const mask = list.find((a) => a.geometry.kind === 'mask')!.geometry;
    // rle 3, 5, 7, 7, … over a 13×15 box at (707, 888): 149 pixels; row 0 is 3 off, 5 on, 5 off.
    const { area, bbox } = measureGeometry(mask);
    assert.equal(area, 149);
    assert.deepEqual(bbox, [707, 888, 13, 15]);
    const pixels = rleToMask(mask.kind === 'mask' ? mask.rle : { size: [1, 1], counts: '' });
    const row0 = Array.from(pixels.subarray(888 * 1600 + 707, 888 * 1600 + 720)).join('');
    assert.equal(row0, '0001111100000');
    project.close();
  } finally {
    temp.cleanup();
  }
});

test('a CVAT project export: subsets, attributes and occluded kept, empty labels stay unlabeled', async () => {
  const temp = tempDir();
  try {
    const project = await projectWithImages(join(temp.dir, 'project'), { 'Train/img0.jpg': [8, 8], 'Train/img1.jpg': [10, 10] });
    const ds = join(temp.dir, 'ds');
    mkdirSync(ds);
    copyFileSync(join(CVAT, 'datumaro-cvat-export-project.xml'), join(ds, 'annotations.xml'));
    const summary = await importDataset(project, 'cvat', ds);
    // img0.jpg and img1.jpg appear in three subsets; by file name only Train's match (the others are ambiguous).
    assert.equal(summary.unmatchedCount, 4);
    assert.equal(summary.images, 2);
    assert.equal(summary.annotations, 2); // a box on img0, a polygon on img1
    const counts = Object.fromEntries(summary.notImported.map((c) => [c.what, c.count]));
    assert.equal(counts['polyline shapes'], 3);
    // The matched box's occluded flag and its four attributes are kept (attributes.test.ts checks their way back out).
    assert.deepEqual(Object.fromEntries(summary.kept.map((c) => [c.what, c.count])), {
      'occluded flags': 1,
      '"a1" attribute values': 1,
      '"a2" attribute values': 1,
      '"a3" attribute values': 1,
      '"a4" attribute values': 1,
    });
    project.close();
  } finally {
    temp.cleanup();
  }
});

test("CVAT RLE: row-major runs over the mask's box, background first", () => {
  const patch = decodeCvatRle('0, 2, 1, 3', 5, 6, 3, 2);
  assert.ok(typeof patch !== 'string');
  assert.deepEqual(Array.from(patch.pixels), [1, 1, 0, 1, 1, 1]);
  assert.equal(encodeCvatRle(patch.pixels), '0, 2, 1, 3');
  assert.equal(encodeCvatRle(new Uint8Array([0, 0, 1])), '2, 1');
  assert.match(decodeCvatRle('1, 2', 0, 0, 2, 2) as string, /cover 3 pixels, not the 2×2 = 4/);
  assert.match(decodeCvatRle('1, x', 0, 0, 2, 2) as string, /"x" is not a run length/);
  assert.match(decodeCvatRle('9', 0, 0, 2, 2) as string, /more than the 2×2 = 4 pixels/);
});

test('CVAT export then import gives the same annotations; holed polygons become masks (reported)', async () => {
  const temp = tempDir();
  try {
    const source = await annotatedProject(join(temp.dir, 'source'));
    const out = join(temp.dir, 'out');
    const result = await exportDataset(source, 'cvat', { outPath: out });
    assert.deepEqual(result.dropped, [
      { what: 'multi-part polygons written as one <polygon> per part', count: 1 },
      { what: 'polygons with holes written as <mask>', count: 1 },
    ]);
    const xml = readFileSync(join(out, 'annotations.xml'), 'utf8');
    assert.match(xml, /<box label="cat" source="manual" occluded="0" xtl="2.00" ytl="3.00" xbr="12.00" ybr="11.00" z_order="0">/);
    assert.match(xml, /<image id="1" name="sub\/b.jpg" width="32" height="24">/);
    const target = await projectWithImages(join(temp.dir, 'target'), { 'a.png': [40, 30], 'sub/b.jpg': [32, 24] });
    await importDataset(target, 'cvat', out);
    const again = join(temp.dir, 'again');
    await exportDataset(target, 'cvat', { outPath: again });
    const body = (text: string) =>
      text
        .slice(text.indexOf('<image'))
        .split('\n')
        .map((l) => l.trim())
        .sort();
    assert.deepEqual(body(readFileSync(join(again, 'annotations.xml'), 'utf8')), body(xml));
    // The mask is exact.
    const masks = (p: typeof source) =>
      projectAnnotations(p)
        .filter((a) => a.geometry.kind === 'mask')
        .map((a) => measureGeometry(a.geometry).area);
    assert.ok(masks(target).includes(masks(source)[0]!));
    source.close();
    target.close();
  } finally {
    temp.cleanup();
  }
});

test('CVAT refusals name the element and field; nothing is written', async () => {
  const temp = tempDir();
  try {
    const project = await projectWithImages(join(temp.dir, 'project'), { 'x.png': [20, 10] });
    const file = join(temp.dir, 'annotations.xml');
    const wrap = (inner: string) =>
      `<?xml version="1.0"?><annotations><version>1.1</version><image id="0" name="x.png" width="20" height="10">${inner}</image></annotations>`;
    const cases: [string, RegExp][] = [
      ['<annotations><image', /annotations\.xml:1:\d+: not well-formed XML/],
      [wrap('<box label="a" xtl="1" ytl="1" xbr="q" ybr="2"/>'), /<image> #1 "x.png" <box> #1: xbr: expected a number, found "q"/],
      [wrap('<box label="a" xtl="5" ytl="1" xbr="2" ybr="2"/>'), /<box> #1: xbr: .* has its corners swapped/],
      [wrap('<polygon label="a" points="1,1;2,2"/>'), /<polygon> #1: points: a polygon needs at least 3 points/],
      [wrap('<polygon label="a" points="1,1;2;3,3"/>'), /<polygon> #1: points: point 2 "2" is not "x,y"/],
      [wrap('<mask label="a" rle="1, 2" left="0" top="0" width="2" height="2"/>'), /<mask> #1: rle: the runs cover 3 pixels/],
      [
        wrap('<mask label="a" rle="0, 4" left="19" top="0" width="2" height="2"/>'),
        /<mask> #1: left: the mask box \(19, 0\) 2×2 lies outside/,
      ],
      [wrap('<polygon label="a" points="1,1;30,2;3,3"/>'), /<polygon> #1: x: x = 30 lies outside the 20×10 image/],
      [
        '<?xml version="1.0"?><annotations><version>1.1</version><image id="0" name="x.png" width="21" height="10"></image></annotations>',
        /"x.png" is 20×10, not 21×10/,
      ],
      ['<?xml version="1.0"?><annotations><version>2.0</version></annotations>', /<version>: version 2.0/],
    ];
    for (const [xml, message] of cases) {
      writeFileSync(file, xml);
      await assert.rejects(importDataset(project, 'cvat', file), message, xml);
      assert.equal(countAnnotations(project), 0);
      assert.equal(project.labels().length, 0);
    }
    project.close();
  } finally {
    temp.cleanup();
  }
});
