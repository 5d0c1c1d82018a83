// CVAT for images 1.1 XML (annotations.xml): labels from <meta> (task or
// project), <image name width height> with <box xtl ytl xbr ybr [rotation]>,
// <polygon points="x,y;x,y">, <mask rle left top width height> in CVAT's own
// RLE (cvatRle.ts), each with label, occluded, z_order and <attribute>s.
// Ellipses and rotated boxes become polygons; polylines, points, cuboids,
// skeletons, tags and tracks have no counterpart here: counted and left out.
// occluded and the <attribute> values are kept with the annotation
// (attributes.ts) and written back. A shape with an empty label stays
// unlabeled. Export writes the same elements (masks and holed polygons as
// <mask>), coordinates with two decimals as CVAT does, and declares every
// attribute a label's shapes carry in <meta> as datumaro's CVAT writer does
// (text input, mutable), so CVAT accepts the file.
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

import { AppError, type Geometry } from '../../common/contract/index.js';
import { attributeText, attributeWhat, flagSet, flagValue, type KeptAttributes } from './attributes.js';
import { Counter, type ExportImage, type FormatConverter, type ImportedAnnotation, type ImportedImage } from './converter.js';
import { decodeCvatRle, encodeCvatRle } from './cvatRle.js';
import { isDirectory, numberField, readText, refuse } from './problems.js';
import { circleRing, patchOf, patchToRle } from './shapes.js';
import { attr, attrs, child, children, escapeXml, parseXml, text, type XmlNode } from './xml.js';

const REPEATING = [
  'image',
  'box',
  'polygon',
  'mask',
  'polyline',
  'points',
  'ellipse',
  'cuboid',
  'skeleton',
  'tag',
  'attribute',
  'label',
  'track',
  'task',
];
const LEFT_OUT = ['polyline', 'points', 'cuboid', 'skeleton', 'tag'] as const;

export const cvatConverter: FormatConverter = {
  name: 'cvat',
  title: 'CVAT for images 1.1',
  input: 'the annotations.xml file or the folder that holds it',
  detect: (path) =>
    isDirectory(path) ? existsSync(join(path, 'annotations.xml')) : basename(path) === 'annotations.xml' && existsSync(path),
  writesAttributes: true,
  async read(path) {
    const file = isDirectory(path) ? join(path, 'annotations.xml') : path;
    if (!existsSync(file)) throw new AppError('not_found', `There is no annotations.xml in ${path}.`, 'path');
    const root = child(parseXml(readText(file, 'CVAT annotations file'), file, REPEATING), 'annotations');
    if (!root) throw refuse(file, '<annotations>', 'a CVAT for images file has <annotations> at its root.');
    const version = text(root, 'version');
    if (version !== undefined && version !== '1.1') throw refuse(file, '<version>', `version ${version}; this reads CVAT for images 1.1.`);
    const notImported = new Counter();
    const meta = child(root, 'meta');
    const owner = child(meta, 'project') ?? children(meta, 'task')[0] ?? child(meta, 'job');
    // A skeleton's point labels (with a <parent>) name parts of the skeleton, which is not imported.
    const labels = children(child(owner, 'labels'), 'label')
      .filter((label) => text(label, 'parent') === undefined)
      .map((label) => text(label, 'name') ?? '')
      .filter((name) => name !== '');
    notImported.add('tracks (video annotation)', children(root, 'track').length);
    const folder = dirname(file);
    const imagesDir = isDirectory(join(folder, 'images')) ? join(folder, 'images') : folder;
    const images = children(root, 'image').map((image, index) => readImage(image, index, file, imagesDir, notImported));
    return { labels, images, notImported };
  },

  async write(dataset, sink, _options, dropped, onImage) {
    // The images first: <meta> declares the attributes their shapes carry, per label.
    const body: string[] = [];
    const declared = dataset.labels.map(() => new Set<string>());
    let id = 0;
    for (const image of dataset.images()) {
      body.push(`  <image${attrs({ id: id++, name: image.relPath, width: image.width, height: image.height })}>\n`);
      for (const element of imageElements(image, dropped, declared)) body.push(`    ${element}\n`);
      body.push('  </image>\n');
      onImage();
    }
    const parts: string[] = [
      '<?xml version="1.0" encoding="utf-8"?>\n<annotations>\n  <version>1.1</version>\n  <meta>\n    <task>\n',
      `      <name>${escapeXml(dataset.name)}</name>\n      <size>${dataset.imageCount}</size>\n      <mode>annotation</mode>\n      <overlap>0</overlap>\n`,
      '      <labels>\n',
      ...dataset.labels.map(
        (name, index) =>
          `        <label>\n          <name>${escapeXml(name)}</name>\n          <type>any</type>\n          <attributes>\n` +
          [...declared[index]!].map(attributeSpec).join('') +
          `          </attributes>\n        </label>\n`,
      ),
      '      </labels>\n    </task>\n  </meta>\n',
      ...body,
      '</annotations>\n',
    ];
    sink.file('annotations.xml', parts.join(''));
  },
};

function readImage(image: XmlNode, index: number, file: string, imagesDir: string, notImported: Counter): ImportedImage {
  const name = attr(image, 'name');
  const whereImage = `${file}: <image> #${index + 1}${name ? ` "${name}"` : ''}`;
  if (!name) throw refuse(whereImage, 'name', 'every <image> needs a name.');
  const width = numberField(attr(image, 'width'), whereImage, 'width');
  const height = numberField(attr(image, 'height'), whereImage, 'height');
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw refuse(whereImage, 'width', `${width}×${height} is not an image size.`);
  }
  const annotations: ImportedAnnotation[] = [];
  const take = (tag: string, convert: (node: XmlNode, where: string) => Geometry) => {
    children(image, tag).forEach((node, n) => {
      const where = `${whereImage} <${tag}> #${n + 1}`;
      const label = attr(node, 'label') ?? '';
      const attributes = shapeAttributes(node, where, notImported);
      annotations.push({
        label: label === '' ? null : label,
        geometry: convert(node, where),
        where,
        ...(attributes ? { attributes } : {}),
      });
    });
  };
  take('box', (node, where) => boxGeometry(node, where, notImported));
  take('polygon', (node, where) => ({ kind: 'polygon', polygons: [{ outer: pointList(node, where, 3), holes: [] }] }));
  take('mask', (node, where) => maskGeometry(node, where, height, width));
  take('ellipse', (node, where) => ellipseGeometry(node, where, notImported));
  for (const tag of LEFT_OUT) notImported.add(`${tag} shapes`, children(image, tag).length);
  // A project export keeps each task's images under images/<subset>/.
  const subset = attr(image, 'subset');
  const relPath = subset ? `${subset}/${name}` : name;
  return { file: resolve(imagesDir, relPath), relPath, width, height, annotations, where: whereImage };
}

/** occluded="1" and the shape's <attribute name="…">value</attribute>s (values as written); undefined when it has neither. */
function shapeAttributes(node: XmlNode, where: string, notImported: Counter): KeptAttributes | undefined {
  let attributes: KeptAttributes | undefined;
  if (flagValue(attr(node, 'occluded'), where, 'occluded') === true) (attributes ??= {}).occluded = true;
  children(node, 'attribute').forEach((attribute, n) => {
    const name = attr(attribute, 'name');
    if (!name) throw refuse(where, `<attribute> #${n + 1}`, 'every <attribute> needs a name.');
    if (name === 'occluded') {
      notImported.add('<attribute>s named "occluded" (the name of the shape\'s own flag)');
      return;
    }
    (attributes ??= {})[name] = text(attribute, '#text') ?? '';
  });
  return attributes;
}

/** A label's attribute in <meta>, as datumaro's CVAT writer declares what it writes: text input, any value. */
const attributeSpec = (name: string) =>
  `            <attribute>\n              <name>${escapeXml(name)}</name>\n              <mutable>True</mutable>\n` +
  `              <input_type>text</input_type>\n              <default_value></default_value>\n              <values></values>\n            </attribute>\n`;

function boxGeometry(node: XmlNode, where: string, notImported: Counter): Geometry {
  const [xtl, ytl, xbr, ybr] = ['xtl', 'ytl', 'xbr', 'ybr'].map((key) => numberField(attr(node, key), where, key)) as [
    number,
    number,
    number,
    number,
  ];
  if (xbr < xtl || ybr < ytl) throw refuse(where, 'xbr', `the box (${xtl}, ${ytl})–(${xbr}, ${ybr}) has its corners swapped.`);
  const rotation = attr(node, 'rotation') === undefined ? 0 : numberField(attr(node, 'rotation'), where, 'rotation');
  if (rotation % 360 === 0) return { kind: 'box', box: { x: xtl, y: ytl, w: xbr - xtl, h: ybr - ytl } };
  notImported.add('rotated boxes (imported as polygons)');
  const cx = (xtl + xbr) / 2;
  const cy = (ytl + ybr) / 2;
  const [cos, sin] = [Math.cos((rotation * Math.PI) / 180), Math.sin((rotation * Math.PI) / 180)];
  const outer = [xtl, ytl, xbr, ytl, xbr, ybr, xtl, ybr].flatMap((v, i, all) =>
    i % 2 ? [] : [cx + (v - cx) * cos - (all[i + 1]! - cy) * sin, cy + (v - cx) * sin + (all[i + 1]! - cy) * cos],
  );
  return { kind: 'polygon', polygons: [{ outer, holes: [] }] };
}

function ellipseGeometry(node: XmlNode, where: string, notImported: Counter): Geometry {
  const [cx, cy, rx, ry] = ['cx', 'cy', 'rx', 'ry'].map((key) => numberField(attr(node, key), where, key)) as [
    number,
    number,
    number,
    number,
  ];
  notImported.add('ellipses (imported as polygons)');
  const rotation = attr(node, 'rotation') === undefined ? 0 : (numberField(attr(node, 'rotation'), where, 'rotation') * Math.PI) / 180;
  const unit = circleRing(0, 0, Math.max(Math.abs(rx), Math.abs(ry)));
  const scale = Math.max(Math.abs(rx), Math.abs(ry)) || 1;
  const outer = unit.flatMap((v, i, all) => {
    if (i % 2) return [];
    const ex = (v / scale) * rx;
    const ey = (all[i + 1]! / scale) * ry;
    return [cx + ex * Math.cos(rotation) - ey * Math.sin(rotation), cy + ex * Math.sin(rotation) + ey * Math.cos(rotation)];
  });
  return { kind: 'polygon', polygons: [{ outer, holes: [] }] };
}

function pointList(node: XmlNode, where: string, minimum: number): number[] {
  const raw = attr(node, 'points');
  if (raw === undefined) throw refuse(where, 'points', 'missing.');
  const values = raw.split(';').flatMap((pair, i) => {
    const xy = pair.split(',');
    if (xy.length !== 2) throw refuse(where, 'points', `point ${i + 1} "${pair}" is not "x,y".`);
    return [numberField(xy[0], where, `points[${i}].x`), numberField(xy[1], where, `points[${i}].y`)];
  });
  if (values.length < minimum * 2) throw refuse(where, 'points', `a polygon needs at least ${minimum} points, found ${values.length / 2}.`);
  return values;
}

function maskGeometry(node: XmlNode, where: string, height: number, width: number): Geometry {
  const [left, top, w, h] = ['left', 'top', 'width', 'height'].map((key) => numberField(attr(node, key), where, key)) as [
    number,
    number,
    number,
    number,
  ];
  if (![left, top, w, h].every(Number.isInteger) || w <= 0 || h <= 0)
    throw refuse(where, 'width', `left ${left}, top ${top}, ${w}×${h} is not a mask box.`);
  if (left < 0 || top < 0 || left + w > width || top + h > height) {
    throw refuse(where, 'left', `the mask box (${left}, ${top}) ${w}×${h} lies outside the ${width}×${height} image.`);
  }
  const patch = decodeCvatRle(attr(node, 'rle') ?? '', left, top, w, h);
  if (typeof patch === 'string') throw refuse(where, 'rle', `${patch}.`);
  return { kind: 'mask', rle: patchToRle(patch, height, width) };
}

/** The shape's <attribute> children (closing tag included), recording each name as declared for its label. */
function attributeElements(attributes: KeptAttributes | undefined, declared: Set<string>, dropped: Counter): string {
  let out = '';
  for (const name in attributes) {
    if (name === 'occluded') continue; // the shape's own occluded="…"
    const value = attributeText(attributes[name]);
    if (value === null) {
      dropped.add(`${attributeWhat(name)} that are not text, a number or true/false`);
      continue;
    }
    declared.add(name);
    out += `\n      <attribute${attrs({ name })}>${escapeXml(value)}</attribute>`;
  }
  return `${out}\n    `;
}

function imageElements(image: ExportImage, dropped: Counter, declared: Set<string>[]): string[] {
  const elements: string[] = [];
  for (const annotation of image.annotations) {
    if (annotation.score !== null) dropped.add('scores (CVAT shapes have none; written with source="auto")');
    const geometry = annotation.geometry;
    const base = {
      label: annotation.label,
      source: annotation.score === null ? 'manual' : 'auto',
      occluded: flagSet(annotation.attributes?.occluded) ? 1 : 0,
    };
    const inner = attributeElements(annotation.attributes, declared[annotation.labelIndex]!, dropped);
    if (geometry.kind === 'box') {
      const { x, y, w, h } = geometry.box;
      elements.push(
        `<box${attrs({ ...base, xtl: fixed2(x), ytl: fixed2(y), xbr: fixed2(x + w), ybr: fixed2(y + h), z_order: 0 })}>${inner}</box>`,
      );
    } else if (geometry.kind === 'polygon' && !geometry.polygons.some((p) => p.holes.length > 0)) {
      if (geometry.polygons.length > 1) dropped.add('multi-part polygons written as one <polygon> per part');
      for (const polygon of geometry.polygons) {
        const points = Array.from(
          { length: polygon.outer.length / 2 },
          (_, i) => `${fixed2(polygon.outer[2 * i]!)},${fixed2(polygon.outer[2 * i + 1]!)}`,
        ).join(';');
        elements.push(`<polygon${attrs({ ...base, points, z_order: 0 })}>${inner}</polygon>`);
      }
    } else {
      if (geometry.kind === 'polygon') dropped.add('polygons with holes written as <mask>');
      const patch = patchOf(geometry, image.height, image.width);
      if (!patch) {
        dropped.add('empty masks');
        continue;
      }
      const rle = encodeCvatRle(patch.pixels);
      elements.push(
        `<mask${attrs({ ...base, rle, left: patch.left, top: patch.top, width: patch.width, height: patch.height, z_order: 0 })}>${inner}</mask>`,
      );
    }
  }
  return elements;
}

const fixed2 = (value: number) => value.toFixed(2);
