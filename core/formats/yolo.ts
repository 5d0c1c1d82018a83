// YOLO, Ultralytics layout: data.yaml (names as a list or an {index: name}
// map; train / val / test as folders of images or .txt lists of images, each
// relative to `path` or the YAML's folder), a label file per image at the
// image's path with the last /images/ replaced by /labels/ and a .txt
// extension. A line is `class cx cy w h` (a box) or `class x1 y1 x2 y2 …` (a
// polygon), all normalised to the image size. Like Ultralytics, a split that
// starts with "../" and does not exist is tried without it (Roboflow's files).
// A labels-only dataset (our export without images) is read from labels/.
// Export: boxes (detect) or outer rings (segment: holes dropped and counted; a
// mask's outer rings come from the exact mask tracer), a seeded train/val split.
import { existsSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';

import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

import { AppError } from '../../common/contract/index.js';
import { measureGeometry } from '../../common/geometry/measure.js';
import { IMAGE_EXTENSION } from '../store/scan.js';
import { Counter, type ExportImage, type FormatConverter, type ImportedAnnotation, type ImportedImage } from './converter.js';
import { isDirectory, listFiles, readText, refuse } from './problems.js';
import { fixed, outerRings } from './shapes.js';

const SPLITS = ['train', 'val', 'test'] as const;

export const yoloConverter: FormatConverter = {
  name: 'yolo',
  title: 'YOLO (Ultralytics)',
  input: 'the data.yaml file or the folder that holds it',
  detect: (path) => findYaml(path) !== null,
  async read(path) {
    const yamlPath = findYaml(path);
    if (yamlPath === null)
      throw new AppError('invalid_file', `No data.yaml in ${path}: a YOLO dataset is described by its data.yaml.`, 'path');
    const where = basename(yamlPath);
    let config: unknown;
    try {
      config = parseYaml(readText(yamlPath, 'YOLO data.yaml'));
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw refuse(yamlPath, 'YAML', (error as Error).message.split('\n')[0]!);
    }
    if (typeof config !== 'object' || config === null) throw refuse(yamlPath, 'names', 'the file holds no settings.');
    const data = config as Record<string, unknown>;
    const names = readNames(data, yamlPath);
    const root = rootOf(data, yamlPath);
    const images: ImportedImage[] = [];
    const notImported = new Counter();
    const seen = new Set<string>();
    let anySplit = false;
    for (const split of SPLITS) {
      const entries = data[split];
      if (entries === undefined || entries === null) continue;
      anySplit = true;
      for (const entry of Array.isArray(entries) ? entries : [entries]) {
        if (typeof entry !== 'string') throw refuse(yamlPath, split, 'expected a folder or a .txt list of images.');
        for (const image of splitImages(root, entry, `${where}: ${split}`)) {
          if (seen.has(image.file)) continue; // the same image in two splits is read once
          seen.add(image.file);
          images.push(image);
        }
      }
    }
    if (!anySplit) throw refuse(yamlPath, 'train', 'data.yaml names no train, val or test images.');
    for (const image of images) image.annotations = readLabels(image.where, names);
    return { labels: names, images, notImported };
  },

  async write(dataset, sink, options, dropped, onImage) {
    const task = options.yoloTask ?? ([...dataset.kinds].some((kind) => kind !== 'box') ? 'segment' : 'detect');
    const valRatio = options.valRatio ?? 0.2;
    const isVal = seededSplit(dataset.imageCount, valRatio, options.seed ?? 0);
    let index = 0;
    let valCount = 0;
    for (const image of dataset.images()) {
      const split = isVal[index++] ? 'val' : 'train';
      if (split === 'val') valCount++;
      const stem = image.relPath.slice(0, image.relPath.length - extname(image.relPath).length);
      sink.file(`labels/${split}/${stem}.txt`, labelLines(image, task, dropped));
      if (options.copyImages) sink.copy(`images/${split}/${image.relPath}`, image.file);
      onImage();
    }
    const header = `# ${dataset.name}, exported by promptlabel (${task}); train/val split: seed ${options.seed ?? 0}, val ratio ${valRatio}\n`;
    const body = {
      train: 'images/train',
      val: valCount > 0 ? 'images/val' : 'images/train',
      nc: dataset.labels.length,
      names: Object.fromEntries(dataset.labels.map((name, i) => [i, name])),
    };
    sink.file('data.yaml', header + stringifyYaml(body));
    if (!options.copyImages)
      dropped.add('image files not copied (images/train and images/val must be filled, or export with copy images)', dataset.imageCount);
  },
};

function findYaml(path: string): string | null {
  if (!isDirectory(path)) return /\.ya?ml$/i.test(path) && existsSync(path) ? path : null;
  for (const name of ['data.yaml', 'data.yml', 'dataset.yaml']) if (existsSync(join(path, name))) return join(path, name);
  return null;
}

function readNames(data: Record<string, unknown>, yamlPath: string): string[] {
  const raw = data.names;
  let names: string[];
  if (Array.isArray(raw)) {
    names = raw.map((name, i) => {
      if (typeof name !== 'string' && typeof name !== 'number') throw refuse(yamlPath, `names[${i}]`, 'expected a class name.');
      return String(name);
    });
  } else if (typeof raw === 'object' && raw !== null) {
    const entries = Object.entries(raw as Record<string, unknown>);
    names = new Array<string>(entries.length);
    for (const [key, name] of entries) {
      const index = Number(key);
      if (!Number.isInteger(index) || index < 0 || index >= entries.length) {
        throw refuse(yamlPath, `names.${key}`, `class indices must run 0..${entries.length - 1}.`);
      }
      if (typeof name !== 'string' && typeof name !== 'number') throw refuse(yamlPath, `names.${key}`, 'expected a class name.');
      names[index] = String(name);
    }
  } else {
    throw refuse(yamlPath, 'names', 'expected a list of class names or a map of index: name.');
  }
  const nc = data.nc;
  if (nc !== undefined && nc !== names.length) throw refuse(yamlPath, 'nc', `nc is ${String(nc)} but names lists ${names.length} classes.`);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) throw refuse(yamlPath, 'names', `"${duplicate}" is listed twice.`);
  return names;
}

/** The dataset root: `path` (relative to the YAML's folder) when it exists, else the YAML's folder. */
function rootOf(data: Record<string, unknown>, yamlPath: string): string {
  const yamlDir = dirname(yamlPath);
  if (typeof data.path === 'string' && data.path !== '') {
    const root = resolve(yamlDir, data.path);
    if (isDirectory(root)) return root;
  }
  return yamlDir;
}

/** Images of one split entry (a folder, a .txt list, or, for a labels-only dataset, the matching labels folder). */
function splitImages(root: string, entry: string, where: string): ImportedImage[] {
  let target = resolve(root, entry);
  if (!existsSync(target) && entry.startsWith('../')) target = resolve(root, entry.slice(3));
  const toImage = (file: string, relPath: string, stemOnly: boolean): ImportedImage => ({
    file,
    relPath,
    annotations: [],
    normalised: true,
    where: labelPathOf(file, stemOnly),
    ...(stemOnly ? { anyExtension: true } : {}),
  });
  if (isDirectory(target)) {
    return listFiles(target, (name) => IMAGE_EXTENSION.test(name)).map((rel) => toImage(join(target, rel), rel, false));
  }
  if (existsSync(target) && target.endsWith('.txt')) {
    return readText(target, 'YOLO image list')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => {
        const file = isAbsolute(line) ? line : resolve(root, line);
        return toImage(file, relative(root, file).split(sep).join('/'), false);
      });
  }
  const labels = labelFolderOf(target);
  if (labels !== null && isDirectory(labels)) {
    // Labels only: the image keeps its path under images/<split>/ with an extension the label file does not tell.
    return listFiles(labels, (name) => name.endsWith('.txt')).map((rel) => toImage(join(target, rel.slice(0, -4)), rel.slice(0, -4), true));
  }
  throw new AppError('invalid_file', `${where}: ${target} is neither a folder of images nor a .txt list of images.`, where);
}

const IMAGES_SEGMENT = `${sep}images${sep}`;

function labelFolderOf(imagesDir: string): string | null {
  const withSlash = imagesDir + sep;
  const at = withSlash.lastIndexOf(IMAGES_SEGMENT);
  if (at < 0) return null;
  return withSlash.slice(0, at) + `${sep}labels${sep}` + withSlash.slice(at + IMAGES_SEGMENT.length);
}

/** Ultralytics' img2label_paths: the last /images/ becomes /labels/, the extension .txt. */
function labelPathOf(imageFile: string, stemOnly: boolean): string {
  const at = imageFile.lastIndexOf(IMAGES_SEGMENT);
  const swapped = at < 0 ? imageFile : imageFile.slice(0, at) + `${sep}labels${sep}` + imageFile.slice(at + IMAGES_SEGMENT.length);
  return (stemOnly ? swapped : swapped.slice(0, swapped.length - extname(swapped).length)) + '.txt';
}

function readLabels(labelFile: string, names: readonly string[]): ImportedAnnotation[] {
  if (!existsSync(labelFile)) return []; // an image without a label file is a background image
  const text = readText(labelFile, 'YOLO label file');
  const annotations: ImportedAnnotation[] = [];
  const numbers = new LineNumbers(text);
  for (let at = 0, lineNumber = 1; at < text.length; lineNumber++) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const where = `${labelFile}:${lineNumber}`;
    const values = numbers.read(at, end);
    at = end + 1;
    if (values === null) continue; // a blank line
    const cls = numbers.cls;
    if (!Number.isInteger(cls) || cls < 0) throw refuse(where, 'class', `expected a class index, found "${numbers.clsText()}".`);
    if (cls >= names.length) throw refuse(where, 'class', `class ${cls} is not in data.yaml names (0..${names.length - 1}).`);
    const bad = numbers.bad;
    if (bad !== null) throw refuse(where, `value ${bad.index + 1}`, `expected a number, found "${bad.text}".`);
    if (values.length === 4) {
      const [cx, cy, w, h] = values as [number, number, number, number];
      if (w < 0 || h < 0) throw refuse(where, 'w', 'a box cannot have a negative size.');
      annotations.push({ label: names[cls]!, geometry: { kind: 'box', box: { x: cx - w / 2, y: cy - h / 2, w, h } }, where });
    } else if (values.length >= 6 && values.length % 2 === 0) {
      annotations.push({ label: names[cls]!, geometry: { kind: 'polygon', polygons: [{ outer: values, holes: [] }] }, where });
    } else {
      throw refuse(where, 'values', `${values.length} numbers after the class: a box has 4, a polygon an even number of at least 6.`);
    }
  }
  return annotations;
}

const POWERS_OF_TEN = Array.from({ length: 16 }, (_, k) => 10 ** k);
const WHITESPACE = /\s/;
/** Token separators as Python's str.split() (Ultralytics' reader): ASCII whitespace and Unicode spaces. */
const isSpace = (code: number) => code === 32 || (code >= 9 && code <= 13) || (code > 127 && WHITESPACE.test(String.fromCharCode(code)));

/**
 * The numbers of a label line: the class, then the values. The hot loop of a
 * YOLO import (millions of numbers): a plain decimal of at most 15 digits is
 * an integer over a power of ten, and that one division is correctly rounded,
 * so it equals Number(token); anything else (exponents, a plus sign, more
 * digits, a typo) goes to Number itself.
 */
class LineNumbers {
  cls = NaN;
  /** The first value of the line read that is not a finite number. */
  bad: { index: number; text: string } | null = null;
  private clsStart = 0;
  private clsEnd = 0;

  constructor(private readonly text: string) {}

  clsText(): string {
    return this.text.slice(this.clsStart, this.clsEnd);
  }

  /** The values after the class on text[start, end), or null for a blank line. */
  read(start: number, end: number): number[] | null {
    const text = this.text;
    this.bad = null;
    const values: number[] = [];
    let first = true;
    let i = start;
    while (i < end) {
      let code = text.charCodeAt(i);
      if (isSpace(code)) {
        i++;
        continue;
      }
      const tokenStart = i;
      const negative = code === 45; // '-'
      if (negative) i++;
      let mantissa = 0;
      let digits = 0;
      let decimals = 0;
      let dot = false;
      for (; i < end; i++) {
        code = text.charCodeAt(i);
        if (code >= 48 && code <= 57) {
          mantissa = mantissa * 10 + (code - 48);
          digits++;
          if (dot) decimals++;
        } else if (code === 46 && !dot) dot = true;
        else break;
      }
      let value: number;
      if ((i === end || isSpace(code)) && digits > 0 && digits <= 15 && !(dot && decimals === 0)) {
        value = mantissa / POWERS_OF_TEN[decimals]!;
        if (negative) value = -value;
      } else {
        while (i < end && !isSpace(text.charCodeAt(i))) i++;
        value = Number(text.slice(tokenStart, i));
      }
      if (first) {
        first = false;
        this.cls = value;
        this.clsStart = tokenStart;
        this.clsEnd = i;
        continue;
      }
      if (!Number.isFinite(value) && this.bad === null) this.bad = { index: values.length, text: text.slice(tokenStart, i) };
      values.push(value);
    }
    return first ? null : values;
  }
}

function labelLines(image: ExportImage, task: 'detect' | 'segment', dropped: Counter): string {
  const { width, height } = image;
  const x = (v: number) => fixed(v / width, 6);
  const y = (v: number) => fixed(v / height, 6);
  const lines: string[] = [];
  for (const annotation of image.annotations) {
    if (annotation.score !== null) dropped.add('scores (YOLO labels have none)');
    if (task === 'detect' || annotation.geometry.kind === 'box') {
      const [bx, by, bw, bh] = measureGeometry(annotation.geometry).bbox;
      if (task === 'detect' && annotation.geometry.kind !== 'box') dropped.add('outlines written as boxes (detect task)');
      if (bw === 0 && bh === 0) {
        dropped.add('empty masks');
        continue;
      }
      const line = `${annotation.labelIndex} ${x(bx + bw / 2)} ${y(by + bh / 2)} ${x(bw)} ${y(bh)}`;
      if (task === 'detect') {
        lines.push(line);
        continue;
      }
      lines.push(
        `${annotation.labelIndex} ${[bx, by, bx + bw, by, bx + bw, by + bh, bx, by + bh].map((v, i) => (i % 2 ? y(v) : x(v))).join(' ')}`,
      );
      continue;
    }
    const { rings, holes } = outerRings(annotation.geometry, height);
    dropped.add('holes (YOLO polygons have none)', holes);
    if (rings.length === 0) dropped.add('empty masks');
    if (rings.length > 1) dropped.add('multi-part shapes written as one line per part', 1);
    for (const ring of rings) lines.push(`${annotation.labelIndex} ${ring.map((v, i) => (i % 2 ? y(v) : x(v))).join(' ')}`);
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** Which of `count` images go to val: a seeded shuffle (mulberry32), the first round(count × ratio) of it. */
export function seededSplit(count: number, ratio: number, seed: number): boolean[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const isVal = new Array<boolean>(count).fill(false);
  for (const i of order.slice(0, Math.round(count * ratio))) isVal[i] = true;
  return isVal;
}
