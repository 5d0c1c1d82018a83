// YOLO (Ultralytics layout): Ultralytics' own data.yaml files (names as a
// map), a Roboflow export (names as a list; its val folder is missing, so it
// is refused as Ultralytics refuses it), hand-checked label lines, the round
// trip through our export, the split, refusals and the dropped-feature report.
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { exportDataset } from '../../../../core/formats/exportDataset.js';
import { importDataset } from '../../../../core/formats/importDataset.js';
import { seededSplit, yoloConverter } from '../../../../core/formats/yolo.js';
import { tempDir } from '../store/fixtures.js';
import { annotatedProject, countAnnotations, filesUnder, FIXTURES, projectAnnotations, projectWithImages } from './formatFixtures.js';

const YOLO = join(FIXTURES, 'yolo');

function writeLabels(dir: string, rel: string, text: string) {
  mkdirSync(join(dir, rel, '..'), { recursive: true });
  writeFileSync(join(dir, rel), text);
}

test("Ultralytics coco8.yaml (names as a map): boxes denormalised against each image's size", async () => {
  const temp = tempDir();
  try {
    // The dataset lies inside the project folder: images match by their path in the project.
    const project = await projectWithImages(temp.dir, { 'images/train/one.jpg': [200, 100], 'images/val/two.png': [50, 40] });
    copyFileSync(join(YOLO, 'coco8.yaml'), join(temp.dir, 'coco8.yaml'));
    writeLabels(temp.dir, 'labels/train/one.txt', '0 0.5 0.5 0.2 0.4\n79 0.25 0.75 0.5 0.5\n');
    const summary = await importDataset(project, 'yolo', join(temp.dir, 'coco8.yaml'));
    assert.equal(summary.images, 2); // two.png has no label file: a background image
    assert.equal(summary.annotations, 2);
    assert.equal(summary.labelsAdded, 80);
    assert.deepEqual(
      project
        .labels()
        .slice(0, 3)
        .map((l) => l.name),
      ['person', 'bicycle', 'car'],
    );
    assert.deepEqual(
      projectAnnotations(project).map((a) => [a.label, a.geometry, a.source]),
      [
        ['person', { kind: 'box', box: { x: 80, y: 30, w: 40, h: 40 } }, 'yolo-import'],
        ['toothbrush', { kind: 'box', box: { x: 0, y: 50, w: 100, h: 50 } }, 'yolo-import'],
      ],
    );
    project.close();
  } finally {
    temp.cleanup();
  }
});

test('Ultralytics coco8-seg.yaml: polygon lines; `path` that does not exist falls back to the YAML folder', async () => {
  const temp = tempDir();
  try {
    const project = await projectWithImages(join(temp.dir, 'project'), { 'one.png': [100, 50] });
    const ds = join(temp.dir, 'ds');
    mkdirSync(join(ds, 'images', 'train'), { recursive: true });
    copyFileSync(join(temp.dir, 'project', 'one.png'), join(ds, 'images', 'train', 'one.png'));
    copyFileSync(join(YOLO, 'coco8-seg.yaml'), join(ds, 'data.yaml'));
    mkdirSync(join(ds, 'images', 'val'));
    writeLabels(ds, 'labels/train/one.txt', '2 0.1 0.2 0.5 0.2 0.5 0.8\n');
    const summary = await importDataset(project, 'yolo', ds);
    assert.equal(summary.annotations, 1);
    assert.deepEqual(projectAnnotations(project)[0]!.geometry, {
      kind: 'polygon',
      polygons: [{ outer: [10, 10, 50, 10, 50, 40], holes: [] }],
    });
    assert.equal(projectAnnotations(project)[0]!.label, 'car');
    project.close();
  } finally {
    temp.cleanup();
  }
});

test('a Roboflow export whose val folder is missing is refused, naming data.yaml and the split', async () => {
  const temp = tempDir();
  try {
    const project = await projectWithImages(join(temp.dir, 'project'), { 'train_001.jpg': [10, 10] });
    await assert.rejects(
      importDataset(project, 'yolo', join(YOLO, 'roboflow')),
      /data\.yaml: val: .*valid\/images is neither a folder of images nor a \.txt list/,
    );
    // With the val entry pointing at the folder the export does have, the real label files import (names as a list).
    const ds = join(temp.dir, 'ds');
    cpSync(join(YOLO, 'roboflow'), ds, { recursive: true });
    writeFileSync(join(ds, 'data.yaml'), readFileSync(join(ds, 'data.yaml'), 'utf8').replace('../valid/images', '../val/images'));
    mkdirSync(join(ds, 'train', 'images'));
    mkdirSync(join(ds, 'val', 'images'));
    for (const name of ['train/images/train_001.jpg', 'train/images/train_002.jpg', 'val/images/val_001.jpg'])
      copyFileSync(join(temp.dir, 'project', 'train_001.jpg'), join(ds, name));
    const summary = await importDataset(project, 'yolo', ds);
    assert.equal(summary.images, 1); // matched by file name; the other two are not in the project
    assert.equal(summary.unmatchedCount, 2);
    assert.deepEqual(summary.unmatchedImages.sort(), ['train_002.jpg', 'val_001.jpg']);
    assert.deepEqual(
      projectAnnotations(project).map((a) => [a.label, a.geometry]),
      [['label_0', { kind: 'box', box: { x: 2, y: 2, w: 3, h: 2 } }]],
    );
    project.close();
  } finally {
    temp.cleanup();
  }
});

test('YOLO export (segment): holes and parts reported; the labels-only export imports back and exports the same files', async () => {
  const temp = tempDir();
  try {
    const source = await annotatedProject(join(temp.dir, 'source'));
    const out = join(temp.dir, 'out');
    const result = await exportDataset(source, 'yolo', { outPath: out, valRatio: 0.5, seed: 3 });
    assert.equal(result.images, 2);
    assert.equal(result.annotations, 4);
    const dropped = Object.fromEntries(result.dropped.map((d) => [d.what, d.count]));
    assert.equal(dropped['holes (YOLO polygons have none)'], 1);
    assert.equal(dropped['multi-part shapes written as one line per part'], 1);
    const files = filesUnder(out);
    assert.ok(files.has('data.yaml'));
    const yaml = files.get('data.yaml')!.toString();
    assert.match(yaml, /names:\n {2}"?0"?: cat\n {2}"?1"?: dog\n/);
    const labelFiles = [...files.keys()].filter((k) => k.startsWith('labels/')).sort();
    assert.equal(labelFiles.length, 2);
    assert.ok(
      labelFiles.some((f) => f.startsWith('labels/train/')) && labelFiles.some((f) => f.startsWith('labels/val/')),
      labelFiles.join(),
    );
    const aLines = files.get(labelFiles.find((f) => f.endsWith('/a.txt'))!)!.toString();
    // a.png is 40×30: the box (2, 3, 10, 8) as a 4-corner polygon, the two-part polygon as two lines.
    assert.deepEqual(aLines.trim().split('\n'), [
      '0 0.05 0.1 0.3 0.1 0.3 0.366667 0.05 0.366667',
      '1 0.5 0.066667 0.95 0.066667 0.75 0.4',
      '1 0.5 0.666667 0.75 0.666667 0.75 0.933333 0.5 0.933333',
    ]);

    const target = await projectWithImages(join(temp.dir, 'target'), { 'a.png': [40, 30], 'sub/b.jpg': [32, 24] });
    const imported = await importDataset(target, 'yolo', out);
    assert.equal(imported.unmatchedCount, 0);
    assert.equal(imported.annotations, 5); // a: box, two parts; b: outer ring of the holed polygon, the mask's ring
    const again = join(temp.dir, 'again');
    await exportDataset(target, 'yolo', { outPath: again, valRatio: 0.5, seed: 3 });
    const first = filesUnder(out);
    const second = filesUnder(again);
    assert.deepEqual([...second.keys()].sort(), [...first.keys()].sort());
    for (const [name, bytes] of first) {
      if (name === 'data.yaml') continue; // its comment names the project
      const sorted = (b: Buffer) => b.toString().trim().split('\n').sort();
      assert.deepEqual(sorted(second.get(name)!), sorted(bytes), name);
    }
    source.close();
    target.close();
  } finally {
    temp.cleanup();
  }
});

test('YOLO export (detect) writes boxes; copy images puts them beside the labels; the split is seeded', async () => {
  const temp = tempDir();
  try {
    const source = await annotatedProject(join(temp.dir, 'source'));
    const out = join(temp.dir, 'out');
    const result = await exportDataset(source, 'yolo', { outPath: out, yoloTask: 'detect', valRatio: 0, copyImages: true });
    assert.equal(result.dropped.find((d) => d.what === 'outlines written as boxes (detect task)')?.count, 3);
    assert.ok(existsSync(join(out, 'images', 'train', 'sub', 'b.jpg')));
    assert.match(readFileSync(join(out, 'data.yaml'), 'utf8'), /val: images\/train/);
    const a = readFileSync(join(out, 'labels', 'train', 'a.txt'), 'utf8')
      .trim()
      .split('\n');
    assert.equal(a[0], '0 0.175 0.233333 0.25 0.266667');
    assert.deepEqual(seededSplit(10, 0.3, 7), seededSplit(10, 0.3, 7));
    assert.equal(seededSplit(10, 0.3, 7).filter(Boolean).length, 3);
    assert.notDeepEqual(seededSplit(50, 0.5, 1), seededSplit(50, 0.5, 2));
    source.close();
  } finally {
    temp.cleanup();
  }
});

test('YOLO refusals name the file, line and field; nothing is written', async () => {
  const temp = tempDir();
  try {
    const project = await projectWithImages(join(temp.dir, 'project'), { 'images/train/x.png': [20, 10] });
    const root = join(temp.dir, 'project');
    const cases: [string, string, RegExp][] = [
      ['names: [a, b]\ntrain: images/train\n', '2 0.5 0.5 0.1 0.1\n', /x\.txt:1: class: class 2 is not in data\.yaml names \(0\.\.1\)/],
      ['names: [a, b]\ntrain: images/train\n', '0 0.5 0.5 0.1 0.1\n1 0.5 0.5 0.1\n', /x\.txt:2: values: 3 numbers after the class/],
      ['names: [a, b]\ntrain: images/train\n', '0 0.5 zero 0.1 0.1\n', /x\.txt:1: value 2: expected a number, found "zero"/],
      ['names: [a, b]\ntrain: images/train\n', 'a 0.5 0.5 0.1 0.1\n', /x\.txt:1: class: expected a class index/],
      [
        'names: [a, b]\ntrain: images/train\n',
        '0 0.5 0.5 0.1 0.1\n0 1.5 0.5 0.2 0.2\n',
        /x\.txt:2: x: x = 1\.4 \(×20\) lies outside the 20×10 image/,
      ],
      ['names: [a, b]\nnc: 3\ntrain: images/train\n', '', /data\.yaml: nc: nc is 3 but names lists 2 classes/],
      ['names: {0: a, 2: b}\ntrain: images/train\n', '', /data\.yaml: names\.2: class indices must run 0\.\.1/],
      ['names: a\ntrain: images/train\n', '', /data\.yaml: names: expected a list/],
      ['names: [a]\n', '', /data\.yaml: train: data\.yaml names no train, val or test/],
      ['names: [a]\ntrain: [images/train\n', '', /data\.yaml: YAML: /],
    ];
    for (const [yaml, labels, message] of cases) {
      writeFileSync(join(root, 'data.yaml'), yaml);
      writeLabels(root, 'labels/train/x.txt', labels);
      await assert.rejects(importDataset(project, 'yolo', root), message, yaml + labels);
      assert.equal(countAnnotations(project), 0);
      assert.equal(project.labels().length, 0);
    }
    project.close();
  } finally {
    temp.cleanup();
  }
});

test('label numbers read exactly as Number reads them, split on whitespace as Python splits', async () => {
  const temp = tempDir();
  try {
    const root = temp.dir;
    writeFileSync(join(root, 'data.yaml'), 'names: [a, b]\ntrain: images/train\n');
    mkdirSync(join(root, 'images', 'train'), { recursive: true });
    writeFileSync(join(root, 'images', 'train', 'x.png'), '');
    // Plain decimals take the fast path; exponents, signs, 16+ digits, a trailing dot and hex go to Number.
    const tokens = [
      ['0.5', '.25', '-0', '1e-1', '+0.5', '0.1234567890123456', '0.30000000000000004', '123456789012345', '0.000001', '-.75'],
      ['00.5', '1.', '0x10', '999999999999999.9', '0.1', '0.7', '0.3333333333333333', '1E2', '-1.5e-3', '42'],
    ];
    const separators = [' ', '\t', '  ', '\u00a0', '\u3000', ' \t '];
    const line = (cls: string, values: string[]) => cls + values.map((v, i) => separators[i % separators.length] + v).join('');
    writeLabels(root, 'labels/train/x.txt', `\ufeff${line('0', tokens[0]!)}\r\n\r\n  ${line('1', tokens[1]!)}  \r\n`);
    const dataset = await yoloConverter.read(root);
    const geometries = dataset.images[0]!.annotations.map((a) => [a.label, a.geometry, a.where.replace(/^.*x\.txt/, 'x.txt')]);
    assert.deepEqual(geometries, [
      ['a', { kind: 'polygon', polygons: [{ outer: tokens[0]!.map(Number), holes: [] }] }, 'x.txt:1'],
      ['b', { kind: 'polygon', polygons: [{ outer: tokens[1]!.map(Number), holes: [] }] }, 'x.txt:3'],
    ]);
    assert.ok(Object.is((geometries[0]![1] as { polygons: { outer: number[] }[] }).polygons[0]!.outer[2], -0));
    const refused: [string, RegExp][] = [
      ['0 0.5 0.5 1e400 0.1\n', /x\.txt:1: value 3: expected a number, found "1e400"/],
      ['0 0.5 0.5 nan 0.1\n', /x\.txt:1: value 3: expected a number, found "nan"/],
      ['0 0.5 0.5 1_0 0.1\n', /x\.txt:1: value 3: expected a number, found "1_0"/],
      ['0 0.5 -\n', /x\.txt:1: value 2: expected a number, found "-"/],
      ['0.5 0.5 0.5 0.1 0.1\n', /x\.txt:1: class: expected a class index, found "0\.5"/],
      ['x 0.5 zero 0.1 0.1\n', /x\.txt:1: class: expected a class index, found "x"/],
    ];
    for (const [text, message] of refused) {
      writeLabels(root, 'labels/train/x.txt', text);
      await assert.rejects(yoloConverter.read(root), message, text);
    }
  } finally {
    temp.cleanup();
  }
});
