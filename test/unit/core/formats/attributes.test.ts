// VOC's difficult / truncated / occluded and CVAT's occluded and <attribute>
// values: kept with the annotations on import and written back on export to
// the same format (the real files of datumaro's VOC sample and of a CVAT
// project export, import → export → compare), written into COCO as the
// `attributes` object CVAT's and datumaro's COCO files carry (and read back
// from one), counted where a format cannot hold them, and a malformed flag
// refused with its file, element and field, writing nothing.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { exportCoco } from '../../../../core/coco/export.js';
import { importCoco } from '../../../../core/coco/import.js';
import { exportDataset } from '../../../../core/formats/exportDataset.js';
import { importDataset } from '../../../../core/formats/importDataset.js';
import { attr, child, children, parseXml, text } from '../../../../core/formats/xml.js';
import { tempDir } from '../store/fixtures.js';
import { countAnnotations, FIXTURES, projectWithImages } from './formatFixtures.js';

const CVAT_PROJECT = join(FIXTURES, 'cvat', 'datumaro-cvat-export-project.xml');
const VOC_DATUMARO = join(FIXTURES, 'voc', 'datumaro');
const CVAT_SHAPES = ['box', 'polygon', 'mask'];

/** Per image (by name, the subset folder in front), each shape's tag, label, occluded flag and attributes, sorted. */
function cvatShapes(xml: string): Record<string, string[]> {
  const root = child(parseXml(xml, 'annotations.xml', ['image', ...CVAT_SHAPES, 'attribute', 'label']), 'annotations')!;
  const out: Record<string, string[]> = {};
  for (const image of children(root, 'image')) {
    const subset = attr(image, 'subset');
    const name = `${subset ? `${subset}/` : ''}${attr(image, 'name')}`;
    out[name] = CVAT_SHAPES.flatMap((tag) =>
      children(image, tag).map((shape) => {
        const attributes = children(shape, 'attribute').map((a) => `${attr(a, 'name')}=${text(a, '#text') ?? ''}`);
        return `${tag} ${attr(shape, 'label')} occluded=${attr(shape, 'occluded') ?? '0'} ${attributes.sort().join(' ')}`;
      }),
    ).sort();
  }
  return out;
}

/** Each <label> of <meta> with the names of the attributes it declares. */
function cvatDeclared(xml: string): Record<string, string[]> {
  const root = child(parseXml(xml, 'annotations.xml', ['image', 'attribute', 'label', 'task']), 'annotations')!;
  const meta = child(root, 'meta');
  const owner = child(meta, 'project') ?? children(meta, 'task')[0];
  return Object.fromEntries(
    children(child(owner, 'labels'), 'label').map((label) => [
      text(label, 'name'),
      children(child(label, 'attributes'), 'attribute').map((a) => text(a, 'name')),
    ]),
  );
}

/** Each <object> of a VOC XML: name, the three flags (absent or empty = 0) and the pose (absent = Unspecified). */
function vocObjects(xml: string): string[] {
  const root = child(parseXml(xml, 'x.xml', ['object']), 'annotation')!;
  return children(root, 'object').map((object) => {
    const flag = (name: string) => text(object, name) || '0';
    const pose = text(object, 'pose') || 'Unspecified';
    return `${text(object, 'name')} difficult=${flag('difficult')} truncated=${flag('truncated')} occluded=${flag('occluded')} ${pose}`;
  });
}

const counts = (list: { what: string; count: number }[]) => Object.fromEntries(list.map((c) => [c.what, c.count]));

test("CVAT: a real project export's occluded flag and attribute values come back out of import → export, declared in <meta>", async () => {
  const temp = tempDir();
  try {
    const project = await projectWithImages(join(temp.dir, 'project'), { 'Train/img0.jpg': [8, 8], 'Train/img1.jpg': [10, 10] });
    const ds = join(temp.dir, 'ds');
    mkdirSync(ds);
    copyFileSync(CVAT_PROJECT, join(ds, 'annotations.xml'));
    await importDataset(project, 'cvat', ds);
    const out = join(temp.dir, 'out');
    const result = await exportDataset(project, 'cvat', { outPath: out });
    assert.deepEqual(result.dropped, []);
    const xml = readFileSync(join(out, 'annotations.xml'), 'utf8');

    // The Train images' boxes and polygons as CVAT wrote them (polylines and points are not imported).
    const source = cvatShapes(readFileSync(CVAT_PROJECT, 'utf8'));
    const exported = cvatShapes(xml);
    assert.deepEqual(exported['Train/img0.jpg'], source['Train/img0.jpg']);
    assert.deepEqual(exported['Train/img0.jpg'], ['box label1 occluded=1 a1=true a2=v3 a3=0003 a4=2.4']);
    assert.deepEqual(exported['Train/img1.jpg'], source['Train/img1.jpg']);
    // CVAT takes an <attribute> only when the label declares it.
    assert.deepEqual(cvatDeclared(xml), { label1: ['a1', 'a2', 'a3', 'a4'], label2: [] });

    // Second round: the export imported into a fresh project and exported again gives the same shapes and meta.
    const target = await projectWithImages(join(temp.dir, 'target'), { 'Train/img0.jpg': [8, 8], 'Train/img1.jpg': [10, 10] });
    const again = await importDataset(target, 'cvat', out);
    assert.equal(counts(again.kept)['occluded flags'], 1);
    const out2 = join(temp.dir, 'out2');
    await exportDataset(target, 'cvat', { outPath: out2 });
    const xml2 = readFileSync(join(out2, 'annotations.xml'), 'utf8');
    assert.deepEqual(cvatShapes(xml2), exported);
    assert.deepEqual(cvatDeclared(xml2), cvatDeclared(xml));
    project.close();
    target.close();
  } finally {
    temp.cleanup();
  }
});

test("VOC: datumaro's truncated flag, and difficult / occluded / pose, come back out of import → export → import → export", async () => {
  const temp = tempDir();
  try {
    const project = await projectWithImages(join(temp.dir, 'project'), { '2007_000001.jpg': [20, 10] });
    await importDataset(project, 'voc', VOC_DATUMARO);
    const out = join(temp.dir, 'out');
    await exportDataset(project, 'voc', { outPath: out });
    const sourceXml = readFileSync(join(VOC_DATUMARO, 'Annotations', '2007_000001.xml'), 'utf8');
    const xml = readFileSync(join(out, 'Annotations', '2007_000001.xml'), 'utf8');
    assert.deepEqual(vocObjects(xml), vocObjects(sourceXml));
    assert.deepEqual(vocObjects(xml), [
      'cat difficult=0 truncated=1 occluded=0 Unspecified',
      'person difficult=0 truncated=0 occluded=0 Unspecified',
    ]);

    // difficult and occluded set (datumaro's sample has neither), through two rounds.
    const ds = join(temp.dir, 'ds');
    mkdirSync(join(ds, 'Annotations'), { recursive: true });
    writeFileSync(
      join(ds, 'Annotations', 'a.xml'),
      '<annotation><filename>a.png</filename><size><width>20</width><height>10</height></size>' +
        '<object><name>cat</name><pose>Left</pose><difficult>1</difficult><truncated>0</truncated><occluded>1</occluded><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox></object>' +
        '<object><name>dog</name><difficult>true</difficult><bndbox><xmin>2</xmin><ymin>2</ymin><xmax>6</xmax><ymax>6</ymax></bndbox></object>' +
        '</annotation>',
    );
    const flagged = await projectWithImages(join(temp.dir, 'flagged'), { 'a.png': [20, 10] });
    const summary = await importDataset(flagged, 'voc', ds);
    assert.deepEqual(counts(summary.kept), { 'difficult flags': 2, 'occluded flags': 1, '"pose" attribute values': 1 });
    const out2 = join(temp.dir, 'out2');
    await exportDataset(flagged, 'voc', { outPath: out2 });
    const first = readFileSync(join(out2, 'Annotations', 'a.xml'), 'utf8');
    assert.deepEqual(vocObjects(first), [
      'cat difficult=1 truncated=0 occluded=1 Left',
      'dog difficult=1 truncated=0 occluded=0 Unspecified',
    ]);
    const second = await projectWithImages(join(temp.dir, 'second'), { 'a.png': [20, 10] });
    await importDataset(second, 'voc', out2);
    const out3 = join(temp.dir, 'out3');
    await exportDataset(second, 'voc', { outPath: out3 });
    assert.equal(readFileSync(join(out3, 'Annotations', 'a.xml'), 'utf8'), first);
    for (const p of [project, flagged, second]) p.close();
  } finally {
    temp.cleanup();
  }
});

test('attributes go into COCO as the `attributes` object, other formats count them, and a COCO file brings them to CVAT', async () => {
  const temp = tempDir();
  try {
    const project = await projectWithImages(join(temp.dir, 'project'), { 'Train/img0.jpg': [8, 8], 'Train/img1.jpg': [10, 10] });
    const ds = join(temp.dir, 'ds');
    mkdirSync(ds);
    copyFileSync(CVAT_PROJECT, join(ds, 'annotations.xml'));
    await importDataset(project, 'cvat', ds);

    const yolo = await exportDataset(project, 'yolo', { outPath: join(temp.dir, 'yolo') });
    const attributeCounts = (list: { what: string; count: number }[]) => counts(list.filter((c) => /flags|attribute/.test(c.what)));
    assert.deepEqual(attributeCounts(yolo.dropped), {
      'occluded flags': 1,
      '"a1" attribute values': 1,
      '"a2" attribute values': 1,
      '"a3" attribute values': 1,
      '"a4" attribute values': 1,
    });
    // VOC holds occluded, not CVAT's own attributes.
    const voc = await exportDataset(project, 'voc', { outPath: join(temp.dir, 'voc') });
    assert.deepEqual(Object.keys(counts(voc.dropped)), [
      '"a1" attribute values',
      '"a2" attribute values',
      '"a3" attribute values',
      '"a4" attribute values',
    ]);
    assert.match(readFileSync(join(temp.dir, 'voc', 'Annotations', 'Train', 'img0.xml'), 'utf8'), /<occluded>1<\/occluded>/);

    const cocoFile = join(temp.dir, 'coco.json');
    await exportCoco(project, { outPath: cocoFile });
    const coco = JSON.parse(readFileSync(cocoFile, 'utf8')) as { annotations: { attributes?: unknown }[] };
    assert.deepEqual(
      coco.annotations.map((a) => a.attributes),
      [{ occluded: true, a1: 'true', a2: 'v3', a3: '0003', a4: '2.4' }, undefined],
    );

    // A COCO file written as CVAT's and datumaro's COCO exports write attributes (booleans, numbers, text).
    const other = await projectWithImages(join(temp.dir, 'other'), { 'a.png': [20, 10] });
    const file = join(temp.dir, 'in.json');
    writeFileSync(
      file,
      JSON.stringify({
        images: [{ id: 1, file_name: 'a.png', width: 20, height: 10 }],
        categories: [{ id: 1, name: 'car' }],
        annotations: [
          {
            id: 1,
            image_id: 1,
            category_id: 1,
            bbox: [1, 1, 4, 4],
            segmentation: [],
            area: 16,
            iscrowd: 0,
            attributes: { occluded: true, rotation: 0.0, color: 'red', parked: false },
          },
        ],
      }),
    );
    await importCoco(other, file);
    const cvatOut = join(temp.dir, 'cvat');
    await exportDataset(other, 'cvat', { outPath: cvatOut });
    const xml = readFileSync(join(cvatOut, 'annotations.xml'), 'utf8');
    assert.deepEqual(cvatShapes(xml)['a.png'], ['box car occluded=1 color=red parked=false rotation=0']);
    assert.deepEqual(cvatDeclared(xml), { car: ['rotation', 'color', 'parked'] });
    project.close();
    other.close();
  } finally {
    temp.cleanup();
  }
});

test('a malformed flag is refused with its file, element and field, and nothing is written', async () => {
  const temp = tempDir();
  try {
    const project = await projectWithImages(join(temp.dir, 'project'), { 'a.png': [20, 10] });
    const voc = join(temp.dir, 'voc');
    mkdirSync(join(voc, 'Annotations'), { recursive: true });
    const vocFile = join(voc, 'Annotations', 'a.xml');
    writeFileSync(
      vocFile,
      '<annotation><filename>a.png</filename>' +
        '<object><name>cat</name><difficult>0</difficult><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox></object>' +
        '<object><name>dog</name><difficult>maybe</difficult><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox></object>' +
        '</annotation>',
    );
    await assert.rejects(importDataset(project, 'voc', voc), (error: Error) => {
      assert.equal(error.message, `${vocFile}: <object> #2: <difficult>: expected 0 or 1, found "maybe".`);
      return true;
    });

    const cvat = join(temp.dir, 'cvat');
    mkdirSync(cvat);
    const cvatFile = join(cvat, 'annotations.xml');
    writeFileSync(
      cvatFile,
      '<annotations><version>1.1</version><image id="0" name="a.png" width="20" height="10">' +
        '<box label="cat" occluded="0" xtl="1" ytl="1" xbr="5" ybr="5"></box>' +
        '<polygon label="cat" occluded="yes" points="1,1;5,1;5,5"></polygon>' +
        '</image></annotations>',
    );
    await assert.rejects(importDataset(project, 'cvat', cvat), (error: Error) => {
      assert.equal(error.message, `${cvatFile}: <image> #1 "a.png" <polygon> #1: occluded: expected 0 or 1, found "yes".`);
      return true;
    });
    assert.equal(countAnnotations(project), 0);
    assert.deepEqual(project.labels(), []);
    assert.equal((project.db.prepare('SELECT COUNT(*) AS n FROM coco_annotations').get() as { n: number }).n, 0);
    project.close();
  } finally {
    temp.cleanup();
  }
});
