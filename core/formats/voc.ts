// Pascal VOC: Annotations/<image>.xml per image (filename, size, object with
// name, bndbox, difficult, truncated), images in JPEGImages/, and on export
// SegmentationClass/ and SegmentationObject/ PNGs in the VOC palette for the
// images that have outlines. bndbox values are taken and written as they
// stand (labelme2voc and datumaro do the same; no 1-based shift).
// Import reads SegmentationObject/<image>.png when present: object i of the
// XML (1-based) is the region of palette index i, so masks come back as masks.
// difficult, truncated, occluded and pose (other than "Unspecified") are
// kept with the annotation (attributes.ts) and written back; other attributes
// kept from CVAT or COCO have no place in VOC and are counted. Parts and
// actions have no counterpart here: counted and left out.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';

import { AppError, type Geometry } from '../../common/contract/index.js';
import { measureGeometry } from '../../common/geometry/measure.js';
import { maskToRle } from '../../common/geometry/rle.js';
import { type AttributeValue, attributeWhat, FLAG_ATTRIBUTES, flagSet, flagValue } from './attributes.js';
import { Counter, type ExportImage, type FormatConverter, type ImportedAnnotation, type ImportedImage } from './converter.js';
import { decodeImage, encodePng } from './png.js';
import { isDirectory, listFiles, numberField, readText, refuse } from './problems.js';
import { fixed, patchOf } from './shapes.js';
import { VOC_INDEX_OF_COLOUR, VOC_PALETTE, VOC_VOID } from './vocPalette.js';
import { child, children, escapeXml, parseXml, text, type XmlNode } from './xml.js';

export const vocConverter: FormatConverter = {
  name: 'voc',
  title: 'Pascal VOC',
  input: 'the VOC folder (with Annotations/), a folder of VOC XML files, or one XML file',
  detect: (path) => isDirectory(join(path, 'Annotations')),
  writesAttributes: true,
  async read(path) {
    const layout = vocLayout(path);
    const notImported = new Counter();
    const images: ImportedImage[] = [];
    for (const rel of layout.xmlFiles) images.push(await readXml(layout, rel, notImported));
    return { labels: [], images, notImported };
  },

  async write(dataset, sink, _options, dropped, onImage) {
    const main: string[] = [];
    const segmented: string[] = [];
    for (const image of dataset.images()) {
      const stem = image.relPath.slice(0, image.relPath.length - extname(image.relPath).length);
      const outlines = image.annotations.some((a) => a.geometry.kind !== 'box');
      if (outlines) {
        const { classPng, objectPng } = segmentationPngs(image, dropped);
        sink.file(`SegmentationClass/${stem}.png`, classPng);
        sink.file(`SegmentationObject/${stem}.png`, objectPng);
        segmented.push(stem);
      }
      sink.file(`Annotations/${stem}.xml`, annotationXml(image, outlines, dropped));
      main.push(stem);
      onImage();
    }
    sink.file('ImageSets/Main/default.txt', main.length ? `${main.join('\n')}\n` : '');
    if (segmented.length) sink.file('ImageSets/Segmentation/default.txt', `${segmented.join('\n')}\n`);
    sink.file('class_names.txt', ['_background_', ...dataset.labels].join('\n') + '\n');
  },
};

interface VocLayout {
  /** Folder the XML paths are relative to. */
  xmlRoot: string;
  xmlFiles: string[];
  /** VOC root (parent of Annotations/), when the input has that layout. */
  vocRoot: string | null;
}

function vocLayout(path: string): VocLayout {
  if (!isDirectory(path)) {
    if (!existsSync(path)) throw new AppError('not_found', `There is no VOC XML file at ${path}.`, 'path');
    const dir = dirname(path);
    const vocRoot = basename(dir) === 'Annotations' ? dirname(dir) : null;
    return { xmlRoot: dir, xmlFiles: [basename(path)], vocRoot };
  }
  const annotations = join(path, 'Annotations');
  const vocRoot = isDirectory(annotations) ? path : basename(path) === 'Annotations' ? dirname(path) : null;
  const xmlRoot = vocRoot === null ? path : join(vocRoot, 'Annotations');
  const xmlFiles = listFiles(xmlRoot, (name) => name.toLowerCase().endsWith('.xml'));
  if (xmlFiles.length === 0) throw new AppError('invalid_file', `No VOC XML files in ${xmlRoot}.`, 'path');
  return { xmlRoot, xmlFiles, vocRoot };
}

async function readXml(layout: VocLayout, rel: string, notImported: Counter): Promise<ImportedImage> {
  const file = join(layout.xmlRoot, rel);
  const root = child(parseXml(readText(file, 'VOC annotation'), file, ['object', 'part']), 'annotation');
  if (!root) throw refuse(file, '<annotation>', 'a VOC file has <annotation> at its root.');
  const filename = text(root, 'filename');
  if (!filename) throw refuse(file, '<filename>', 'missing: the XML must name its image.');
  const size = child(root, 'size');
  const declaredWidth = size ? numberField(text(size, 'width'), file, '<size><width>') : 0;
  const declaredHeight = size ? numberField(text(size, 'height'), file, '<size><height>') : 0;
  const sized = declaredWidth > 0 && declaredHeight > 0; // some tools write 0 when they did not look

  const subdir = dirname(rel) === '.' ? '' : `${dirname(rel)}/`;
  const relPath = `${subdir}${filename}`;
  const imageFile = layout.vocRoot !== null ? join(layout.vocRoot, 'JPEGImages', relPath) : resolve(layout.xmlRoot, relPath);
  const objects = children(root, 'object');
  const annotations: ImportedAnnotation[] = objects.map((object, index) =>
    readObject(object, `${file}: <object> #${index + 1}`, notImported),
  );

  // Masks from SegmentationObject: object i is the region of palette index i.
  const objectPng =
    layout.vocRoot === null ? null : join(layout.vocRoot, 'SegmentationObject', `${subdir}${basename(filename, extname(filename))}.png`);
  if (objectPng !== null && existsSync(objectPng) && annotations.length > 0) {
    const masks = await objectMasks(objectPng, objects.length, sized ? declaredWidth : undefined, sized ? declaredHeight : undefined);
    masks.forEach((rle, index) => {
      if (rle) annotations[index]!.geometry = { kind: 'mask', rle };
    });
  }
  const relToRoot = layout.vocRoot !== null ? relative(layout.vocRoot, imageFile).split(sep).join('/') : relPath;
  return {
    file: imageFile,
    relPath: relToRoot,
    ...(sized ? { width: declaredWidth, height: declaredHeight } : {}),
    annotations,
    where: file,
  };
}

function readObject(object: XmlNode, where: string, notImported: Counter): ImportedAnnotation {
  const name = text(object, 'name');
  if (!name) throw refuse(where, '<name>', 'every object needs a class name.');
  const box = child(object, 'bndbox');
  if (!box) throw refuse(where, '<bndbox>', 'missing.');
  const [xmin, ymin, xmax, ymax] = ['xmin', 'ymin', 'xmax', 'ymax'].map((key) =>
    numberField(text(box, key), where, `<bndbox><${key}>`),
  ) as [number, number, number, number];
  if (xmax < xmin || ymax < ymin) throw refuse(where, '<bndbox>', `(${xmin}, ${ymin})–(${xmax}, ${ymax}) has its corners swapped.`);
  let attributes: Record<string, AttributeValue> | undefined;
  for (const flag of FLAG_ATTRIBUTES) {
    if (flagValue(text(object, flag), where, `<${flag}>`) === true) (attributes ??= {})[flag] = true;
  }
  // pose too, as datumaro keeps it, unless it is VOC's "Unspecified" (what every writer puts when it does not know).
  const pose = text(object, 'pose')?.trim();
  if (pose && pose !== VOC_NO_POSE) (attributes ??= {}).pose = pose;
  notImported.add('object parts', children(object, 'part').length);
  if (child(object, 'actions')) notImported.add('object actions');
  const geometry: Geometry = { kind: 'box', box: { x: xmin, y: ymin, w: xmax - xmin, h: ymax - ymin } };
  return { label: name, geometry, where, ...(attributes ? { attributes } : {}) };
}

const VOC_NO_POSE = 'Unspecified';
/** The attributes a VOC object has an element for. */
const VOC_ATTRIBUTES: ReadonlySet<string> = new Set([...FLAG_ATTRIBUTES, 'pose']);

async function objectMasks(
  png: string,
  objects: number,
  width?: number,
  height?: number,
): Promise<(ReturnType<typeof maskToRle> | null)[]> {
  let decoded;
  try {
    decoded = await decodeImage(readFileSync(png));
  } catch (error) {
    throw refuse(png, 'PNG', `not a readable image (${(error as Error).message}).`);
  }
  if (width !== undefined && height !== undefined && (decoded.width !== width || decoded.height !== height)) {
    throw refuse(png, 'size', `${decoded.width}×${decoded.height}, but the XML says ${width}×${height}.`);
  }
  const { data, channels } = decoded;
  const count = decoded.width * decoded.height;
  const masks = Array.from({ length: objects }, () => new Uint8Array(count));
  const used = new Array<boolean>(objects).fill(false);
  for (let i = 0; i < count; i++) {
    const p = i * channels;
    const index = channels >= 3 ? VOC_INDEX_OF_COLOUR.get((data[p]! << 16) | (data[p + 1]! << 8) | data[p + 2]!) : data[p];
    if (index === undefined || index === 0 || index === VOC_VOID) continue;
    if (index > objects)
      throw refuse(
        png,
        `pixel (${i % decoded.width}, ${Math.floor(i / decoded.width)})`,
        `object index ${index}, but the XML has ${objects} objects.`,
      );
    masks[index - 1]![i] = 1;
    used[index - 1] = true;
  }
  return masks.map((mask, index) => (used[index] ? maskToRle(mask, decoded.height, decoded.width) : null));
}

function annotationXml(image: ExportImage, segmented: boolean, dropped: Counter): string {
  const objects = image.annotations.map((annotation) => {
    if (annotation.score !== null) dropped.add('scores (VOC objects have none)');
    const [x, y, w, h] = measureGeometry(annotation.geometry).bbox;
    const n = (v: number) => fixed(v, 2);
    const attributes = annotation.attributes ?? {};
    for (const name in attributes) if (!VOC_ATTRIBUTES.has(name)) dropped.add(attributeWhat(name));
    const pose = typeof attributes.pose === 'string' && attributes.pose !== '' ? attributes.pose : VOC_NO_POSE;
    const flag = (name: string) => (flagSet(attributes[name]) ? 1 : 0);
    // occluded is not in every VOC file: written only when the annotation says it.
    const occluded = attributes.occluded === undefined ? '' : `    <occluded>${flag('occluded')}</occluded>\n`;
    return (
      `  <object>\n    <name>${escapeXml(annotation.label)}</name>\n    <pose>${escapeXml(pose)}</pose>\n    <truncated>${flag('truncated')}</truncated>\n    <difficult>${flag('difficult')}</difficult>\n${occluded}` +
      `    <bndbox>\n      <xmin>${n(x)}</xmin>\n      <ymin>${n(y)}</ymin>\n      <xmax>${n(x + w)}</xmax>\n      <ymax>${n(y + h)}</ymax>\n    </bndbox>\n  </object>\n`
    );
  });
  const folder = dirname(image.relPath) === '.' ? 'JPEGImages' : `JPEGImages/${dirname(image.relPath)}`;
  return (
    `<annotation>\n  <folder>${escapeXml(folder)}</folder>\n  <filename>${escapeXml(basename(image.relPath))}</filename>\n` +
    `  <size>\n    <width>${image.width}</width>\n    <height>${image.height}</height>\n    <depth>3</depth>\n  </size>\n` +
    `  <segmented>${segmented ? 1 : 0}</segmented>\n${objects.join('')}</annotation>\n`
  );
}

/** Class index = label index + 1, object index = the object's place in the XML; later objects paint over earlier ones. */
function segmentationPngs(image: ExportImage, dropped: Counter): { classPng: Buffer; objectPng: Buffer } {
  const { width, height } = image;
  const classes = new Uint8Array(width * height);
  const objects = new Uint8Array(width * height);
  image.annotations.forEach((annotation, index) => {
    if (annotation.geometry.kind === 'box') return; // a box has no outline: its object keeps no pixels
    if (index + 1 >= VOC_VOID) {
      dropped.add(`outlines past object ${VOC_VOID - 1} (SegmentationObject holds ${VOC_VOID - 1})`);
      return;
    }
    if (annotation.labelIndex + 1 >= VOC_VOID) {
      dropped.add(`outlines of labels past ${VOC_VOID - 1} (SegmentationClass holds ${VOC_VOID - 1} classes)`);
      return;
    }
    const patch = patchOf(annotation.geometry, height, width);
    if (!patch) return;
    let covered = 0;
    for (let y = 0; y < patch.height; y++) {
      for (let x = 0, at = (patch.top + y) * width + patch.left; x < patch.width; x++, at++) {
        if (!patch.pixels[y * patch.width + x]) continue;
        if (objects[at] !== 0) covered++;
        classes[at] = annotation.labelIndex + 1;
        objects[at] = index + 1;
      }
    }
    dropped.add('pixels covered by a later object in the segmentation PNGs', covered);
  });
  return { classPng: encodePng(classes, width, height, VOC_PALETTE), objectPng: encodePng(objects, width, height, VOC_PALETTE) };
}
