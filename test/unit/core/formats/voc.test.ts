// Pascal VOC: an XML written by labelme2voc, datumaro's VOC sample (difficult,
// truncated, parts, actions), labelme2voc's SegmentationObject PNG read as
// masks, our export's palette PNGs, the round trip, refusals.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import sharp from 'sharp';

import { measureGeometry } from '../../../../common/geometry/measure.js';
import { exportDataset } from '../../../../core/formats/exportDataset.js';
import { importDataset } from '../../../../core/formats/importDataset.js';
import { VOC_PALETTE } from '../../../../core/formats/vocPalette.js';
import { tempDir } from '../store/fixtures.js';
import { annotatedProject, countAnnotations, filesUnder, FIXTURES, projectAnnotations, projectWithImages } from './formatFixtures.js';

const VOC = join(FIXTURES, 'voc');

test('an XML written by labelme2voc: boxes as written (no 1-based shift), empty difficult/truncated', async () => {
  const temp = tempDir();
  try {
    const project = await projectWithImages(join(temp.dir, 'project'), { 'JPEGImages/2011_000003.jpg': [500, 338] });
    const summary = await importDataset(project, 'voc', join(VOC, 'labelme2voc'));
    assert.equal(summary.images, 1);
    assert.deepEqual(summary.notImported, []);
    assert.deepEqual(
      projectAnnotations(project).map((a) => [a.label, a.geometry]),
      [
        ['person', { kind: 'box', box: { x: 191, y: 107.36900369003689, w: 122, h: 329.36900369003695 - 107.36900369003689 } }],
        ['person', { kind: 'box', box: { x: 365, y: 83, w: 135, h: 250 } }],
      ],
    );
    project.close();
  } finally {
    temp.cleanup();
  }
});

test("datumaro's VOC sample: truncated kept, parts and actions counted; its SegmentationObject gives object 1 a mask", async () => {
  const temp = tempDir();
  try {
    const project = await projectWithImages(join(temp.dir, 'project'), { '2007_000001.jpg': [20, 10] });
    const summary = await importDataset(project, 'voc', join(VOC, 'datumaro'));
    assert.deepEqual(summary.kept, [{ what: 'truncated flags', count: 1 }]);
    assert.deepEqual(Object.fromEntries(summary.notImported.map((c) => [c.what, c.count])), {
      'object parts': 1,
      'object actions': 1,
    });
    const list = projectAnnotations(project);
    assert.deepEqual(list.find((a) => a.label === 'person')!.geometry, { kind: 'box', box: { x: 4, y: 5, w: 2, h: 2 } });
    // The PNG is RGB: colour (128, 0, 0) is palette index 1, the first object (cat), 200 pixels.
    const cat = list.find((a) => a.label === 'cat')!;
    assert.equal(cat.geometry.kind, 'mask');
    assert.equal(measureGeometry(cat.geometry).area, 200);
    project.close();
  } finally {
    temp.cleanup();
  }
});

test("labelme2voc's indexed SegmentationObject PNG: object i is palette index i", async () => {
  const temp = tempDir();
  try {
    const project = await projectWithImages(join(temp.dir, 'project'), { '2011_000003.jpg': [500, 338] });
    const ds = join(temp.dir, 'ds');
    cpSync(join(VOC, 'labelme2voc-instances'), ds, { recursive: true });
    mkdirSync(join(ds, 'Annotations'));
    const object = (name: string) =>
      `<object><name>${name}</name><bndbox><xmin>0</xmin><ymin>0</ymin><xmax>1</xmax><ymax>1</ymax></bndbox></object>`;
    writeFileSync(
      join(ds, 'Annotations', '2011_000003.xml'),
      `<annotation><filename>2011_000003.jpg</filename><size><width>500</width><height>338</height></size>${object('person')}${object('person')}${object('bottle')}</annotation>`,
    );
    await importDataset(project, 'voc', ds);
    const areas = projectAnnotations(project).map((a) => [a.label, a.geometry.kind, measureGeometry(a.geometry).area]);
    // Pixel counts of indices 1, 2, 3 in the PNG labelme2voc wrote.
    assert.deepEqual(
      areas.sort(),
      [
        ['bottle', 'mask', 873],
        ['person', 'mask', 15662],
        ['person', 'mask', 17218],
      ].sort(),
    );
    project.close();
  } finally {
    temp.cleanup();
  }
});

test('VOC export: XML per image, palette PNGs for outlines; import of the export gives the same files', async () => {
  const temp = tempDir();
  try {
    const source = await annotatedProject(join(temp.dir, 'source'));
    const out = join(temp.dir, 'out');
    const result = await exportDataset(source, 'voc', { outPath: out });
    const files = filesUnder(out);
    assert.deepEqual([...files.keys()].sort(), [
      'Annotations/a.xml',
      'Annotations/sub/b.xml',
      'ImageSets/Main/default.txt',
      'ImageSets/Segmentation/default.txt',
      'SegmentationClass/a.png',
      'SegmentationClass/sub/b.png',
      'SegmentationObject/a.png',
      'SegmentationObject/sub/b.png',
      'class_names.txt',
    ]);
    assert.equal(
      result.dropped.find((d) => d.what.startsWith('pixels covered'))?.what,
      'pixels covered by a later object in the segmentation PNGs',
    );
    const a = files.get('Annotations/a.xml')!.toString();
    assert.match(a, /<filename>a.png<\/filename>/);
    assert.match(a, /<name>cat<\/name>[\s\S]*<xmin>2<\/xmin>\s*<ymin>3<\/ymin>\s*<xmax>12<\/xmax>\s*<ymax>11<\/ymax>/);
    // SegmentationObject of a.png: the box paints nothing; the dog polygon is object 2 in the palette's colour 2.
    const { data, info } = await sharp(files.get('SegmentationObject/a.png')).raw().toBuffer({ resolveWithObject: true });
    const colourAt = (x: number, y: number) =>
      Array.from(data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3));
    assert.deepEqual(colourAt(25, 24), [...VOC_PALETTE[2]!]);
    assert.deepEqual(colourAt(5, 5), [0, 0, 0]);
    assert.equal(files.get('class_names.txt')!.toString(), '_background_\ncat\ndog\n');

    const target = await projectWithImages(join(temp.dir, 'target'), { 'a.png': [40, 30], 'sub/b.jpg': [32, 24] });
    const imported = await importDataset(target, 'voc', out);
    assert.equal(imported.images, 2);
    assert.equal(imported.unmatchedCount, 0);
    const again = join(temp.dir, 'again');
    await exportDataset(target, 'voc', { outPath: again });
    const second = filesUnder(again);
    // Annotation XML lists objects in the same order; the boxes of outlines are now their masks' pixel boxes.
    for (const name of ['SegmentationClass/sub/b.png', 'SegmentationObject/sub/b.png', 'Annotations/sub/b.xml']) {
      assert.ok(second.get(name)!.equals(files.get(name)!), name);
    }
    source.close();
    target.close();
  } finally {
    temp.cleanup();
  }
});

test('VOC refusals name the file and element; nothing is written', async () => {
  const temp = tempDir();
  try {
    const project = await projectWithImages(join(temp.dir, 'project'), { 'x.png': [20, 10] });
    const dir = join(temp.dir, 'xml');
    mkdirSync(dir);
    const file = join(dir, 'x.xml');
    const wrap = (object: string, size = '<size><width>20</width><height>10</height></size>') =>
      `<annotation><filename>x.png</filename>${size}${object}</annotation>`;
    const box = (xmin: string, ymin = '1', xmax = '5', ymax = '5', name = '<name>a</name>') =>
      `<object>${name}<bndbox><xmin>${xmin}</xmin><ymin>${ymin}</ymin><xmax>${xmax}</xmax><ymax>${ymax}</ymax></bndbox></object>`;
    const cases: [string, RegExp][] = [
      ['<annotation><filename>x.png', /x\.xml:1:\d+: not well-formed XML/],
      [wrap(box('one')), /<object> #1: <bndbox><xmin>: expected a number, found "one"/],
      [wrap(box('6')), /<object> #1: <bndbox>: \(6, 1\)–\(5, 5\) has its corners swapped/],
      [wrap(box('1', '1', '5', '5', '')), /<object> #1: <name>: every object needs a class name/],
      [wrap('<object><name>a</name></object>'), /<object> #1: <bndbox>: missing/],
      [wrap(box('1', '1', '25')), /<object> #1: x: x = 25 lies outside the 20×10 image/],
      ['<annotation><size><width>20</width><height>10</height></size></annotation>', /<filename>: missing/],
      [wrap(box('1'), '<size><width>21</width><height>10</height></size>'), /"x.png" is 20×10, not 21×10/],
      ['<notvoc/>', /<annotation>: a VOC file has <annotation> at its root/],
    ];
    for (const [xml, message] of cases) {
      writeFileSync(file, xml);
      await assert.rejects(importDataset(project, 'voc', dir), message, xml);
      assert.equal(countAnnotations(project), 0);
      assert.equal(project.labels().length, 0);
    }
    project.close();
  } finally {
    temp.cleanup();
  }
});
