// labelme: one JSON per image (`shapes` with label, points, shape_type,
// group_id, mask; imagePath relative to the JSON; imageHeight / imageWidth;
// optional imageData, which is not needed: the project has the image).
// Shapes as labelme draws them (labelme/_utils/shape.py): rectangle = two
// corners; circle = centre and a point on the circle (kept as a polygon);
// mask = a PNG of the region whose top-left is the first point, rounded.
// Polygons that share a label and a group_id are one object (labelme2coco).
// point, line and linestrip shapes have no counterpart here: counted, left out.
// Export: rectangle for a box, polygon per part (parts of one annotation share
// a group_id), mask for a mask and for a polygon with holes.
import { dirname, extname, join, relative, resolve, sep } from 'node:path';

import { z } from 'zod';

import { AppError, type Geometry, type Polygon } from '../../common/contract/index.js';
import { JsonSyntaxError, parseJsonText } from '../../files/jsonSyntax.js';
import { Counter, type ExportImage, type FormatConverter, type ImportedAnnotation, type ImportedImage } from './converter.js';
import { looksLikeLabelmeFile } from './labelmeFastCheck.js';
import { decodeImage, decodeSimplePng, encodePng } from './png.js';
import { isDirectory, listFiles, readText, refuse } from './problems.js';
import { circleRing, patchOf, patchToRle } from './shapes.js';

/** The labelme file version our files claim (the shape fields of labelme 5). */
const LABELME_VERSION = '5.5.0';

const point = z.tuple([z.number().finite(), z.number().finite()]);
const shapeSchema = z.object({
  label: z.string(),
  points: z.array(point),
  shape_type: z.string().nullish(),
  group_id: z.number().int().nullish(),
  description: z.string().nullish(),
  flags: z.record(z.string(), z.unknown()).nullish(),
  mask: z.string().nullish(),
});
export const labelmeFileSchema = z.object({
  version: z.string().optional(),
  shapes: z.array(shapeSchema),
  imagePath: z.string().min(1),
  imageData: z.string().nullish(),
  imageHeight: z.number().int().positive(),
  imageWidth: z.number().int().positive(),
  flags: z.record(z.string(), z.unknown()).nullish(),
});
type LabelmeShape = z.infer<typeof shapeSchema>;
export type LabelmeFile = z.infer<typeof labelmeFileSchema>;

const SKIPPED_SHAPES = new Set(['point', 'points', 'line', 'linestrip']);

export const labelmeConverter: FormatConverter = {
  name: 'labelme',
  title: 'labelme',
  input: 'a folder of labelme JSON files (searched recursively) or one JSON file',
  detect: (path) => /\.json$/i.test(path),
  async read(path) {
    const root = isDirectory(path) ? path : dirname(path);
    const files = isDirectory(path)
      ? listFiles(path, (name) => name.toLowerCase().endsWith('.json')).map((rel) => join(path, rel))
      : [path];
    if (files.length === 0) throw new AppError('invalid_file', `No labelme JSON files in ${path}.`, 'path');
    const notImported = new Counter();
    const images: ImportedImage[] = [];
    for (const file of files) images.push(await readFile(file, root, notImported));
    return { labels: [], images, notImported };
  },

  async write(dataset, sink, _options, dropped, onImage) {
    for (const image of dataset.images()) {
      const stem = image.relPath.slice(0, image.relPath.length - extname(image.relPath).length);
      const jsonRel = `${stem}.json`;
      const shapes = exportShapes(image, dropped);
      const body = {
        version: LABELME_VERSION,
        flags: {},
        shapes,
        imagePath: relative(dirname(join(sink.dir, jsonRel)), image.file)
          .split(sep)
          .join('/'),
        imageData: null,
        imageHeight: image.height,
        imageWidth: image.width,
      };
      sink.file(jsonRel, `${JSON.stringify(body, null, 2)}\n`);
      onImage();
    }
  },
};

async function readFile(file: string, root: string, notImported: Counter): Promise<ImportedImage> {
  let raw: unknown;
  try {
    raw = parseJsonText(readText(file, 'labelme file'), file);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new AppError('invalid_file', error.message, file);
    throw error;
  }
  const data = looksLikeLabelmeFile(raw) ? raw : parseLabelmeFile(raw, file);
  const imageFile = resolve(dirname(file), data.imagePath.replace(/\\/g, '/'));
  const annotations: ImportedAnnotation[] = [];
  const groups = new Map<string, ImportedAnnotation>();
  for (const [index, shape] of data.shapes.entries()) {
    const where = `${file}: shapes[${index}]`;
    const type = shape.shape_type ?? 'polygon';
    if (SKIPPED_SHAPES.has(type)) {
      notImported.add(`${type} shapes (no point or line annotations here)`);
      continue;
    }
    if (shape.label.trim() === '') throw refuse(where, 'label', 'the label is empty.');
    if (shape.flags && Object.values(shape.flags).some(Boolean)) notImported.add('shape flags');
    if (shape.description) notImported.add('shape descriptions');
    const geometry = await shapeGeometry(shape, type, where, data.imageHeight, data.imageWidth, notImported);
    // One object drawn as several polygons: the same label and group_id (labelme2coco's rule).
    if (geometry.kind === 'polygon' && shape.group_id !== null && shape.group_id !== undefined) {
      const key = `${shape.label}\u0000${shape.group_id}`;
      const first = groups.get(key);
      if (first && first.geometry.kind === 'polygon') {
        first.geometry.polygons.push(...geometry.polygons);
        continue;
      }
      const annotation = { label: shape.label, geometry, where };
      groups.set(key, annotation);
      annotations.push(annotation);
      continue;
    }
    annotations.push({ label: shape.label, geometry, where });
  }
  if (data.flags && Object.values(data.flags).some(Boolean)) notImported.add('image flags');
  return {
    file: imageFile,
    relPath: relative(root, imageFile).split(sep).join('/'),
    width: data.imageWidth,
    height: data.imageHeight,
    annotations,
    where: file,
  };
}

/** The zod schema's reading of a file the fast check did not accept: its precise refusal, or an unusual but valid form. */
function parseLabelmeFile(raw: unknown, file: string): LabelmeFile {
  const parsed = labelmeFileSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw refuse(
    file,
    issue.path.join('.') || 'file',
    `${issue.message} (a labelme file has shapes, imagePath, imageHeight and imageWidth).`,
  );
}

async function shapeGeometry(
  shape: LabelmeShape,
  type: string,
  where: string,
  height: number,
  width: number,
  notImported: Counter,
): Promise<Geometry> {
  const pts = shape.points;
  const need = (n: number, exact: boolean) => {
    if (exact ? pts.length !== n : pts.length < n)
      throw refuse(where, 'points', `a ${type} needs ${exact ? '' : 'at least '}${n} points, found ${pts.length}.`);
  };
  switch (type) {
    case 'polygon':
    case 'oriented_rectangle':
      need(type === 'polygon' ? 3 : 4, type !== 'polygon');
      return { kind: 'polygon', polygons: [{ outer: flatten(pts), holes: [] }] };
    case 'rectangle': {
      need(2, true);
      const [[x0, y0], [x1, y1]] = pts as [[number, number], [number, number]];
      return { kind: 'box', box: { x: Math.min(x0, x1), y: Math.min(y0, y1), w: Math.abs(x1 - x0), h: Math.abs(y1 - y0) } };
    }
    case 'circle': {
      need(2, true);
      const [[cx, cy], [px, py]] = pts as [[number, number], [number, number]];
      notImported.add('circles (imported as polygons)');
      return { kind: 'polygon', polygons: [{ outer: circleRing(cx, cy, Math.hypot(px - cx, py - cy)), holes: [] }] };
    }
    case 'mask': {
      need(2, true);
      if (!shape.mask) throw refuse(where, 'mask', 'a mask shape needs its base64 PNG.');
      let decoded: { width: number; height: number; pixels: Uint8Array };
      try {
        decoded = await decodeMaskPng(Buffer.from(shape.mask, 'base64'));
      } catch (error) {
        throw refuse(where, 'mask', `not a readable PNG (${(error as Error).message}).`);
      }
      const pixels = decoded.pixels;
      const [x1, y1] = pts[0]!;
      const patch = { left: Math.round(x1), top: Math.round(y1), width: decoded.width, height: decoded.height, pixels };
      return { kind: 'mask', rle: patchToRle(patch, height, width) };
    }
    default:
      throw refuse(where, 'shape_type', `"${type}" is not a labelme shape type.`);
  }
}

/** [[x, y], …] → [x, y, …] (Array.prototype.flat is several times slower on a 10,000-file import). */
function flatten(points: readonly (readonly [number, number])[]): number[] {
  const out = new Array<number>(points.length * 2);
  for (let i = 0; i < points.length; i++) {
    const point = points[i]!;
    out[2 * i] = point[0];
    out[2 * i + 1] = point[1];
  }
  return out;
}

/** labelme's mask PNG → 0/1 pixels (non-zero is inside, as labelme's astype(bool)). */
async function decodeMaskPng(bytes: Buffer): Promise<{ width: number; height: number; pixels: Uint8Array }> {
  const simple = decodeSimplePng(bytes);
  if (simple) {
    const { samples } = simple;
    for (let i = 0; i < samples.length; i++) if (samples[i] !== 0) samples[i] = 1;
    return { width: simple.width, height: simple.height, pixels: samples };
  }
  const { data, width, height, channels } = await decodeImage(bytes);
  const pixels = new Uint8Array(width * height);
  for (let i = 0; i < pixels.length; i++) pixels[i] = data[i * channels] !== 0 ? 1 : 0;
  return { width, height, pixels };
}

function exportShapes(image: ExportImage, dropped: Counter): object[] {
  const shapes: object[] = [];
  let group = 0;
  const shape = (label: string, shapeType: string, points: number[][], groupId: number | null, mask: string | null = null) =>
    shapes.push({ label, points, group_id: groupId, description: '', shape_type: shapeType, flags: {}, mask });
  const pairs = (ring: readonly number[]) => Array.from({ length: ring.length / 2 }, (_, i) => [ring[2 * i]!, ring[2 * i + 1]!]);
  for (const annotation of image.annotations) {
    if (annotation.score !== null) dropped.add('scores (labelme shapes have none)');
    const geometry = annotation.geometry;
    if (geometry.kind === 'box') {
      const { x, y, w, h } = geometry.box;
      shape(
        annotation.label,
        'rectangle',
        [
          [x, y],
          [x + w, y + h],
        ],
        null,
      );
    } else if (geometry.kind === 'polygon' && !geometry.polygons.some((p: Polygon) => p.holes.length > 0)) {
      const groupId = geometry.polygons.length > 1 ? ++group : null;
      for (const polygon of geometry.polygons) shape(annotation.label, 'polygon', pairs(polygon.outer), groupId);
    } else {
      if (geometry.kind === 'polygon') dropped.add('polygons with holes written as mask shapes');
      const patch = patchOf(geometry, image.height, image.width);
      if (!patch) {
        dropped.add('empty masks');
        continue;
      }
      const png = encodePng(patch.pixels, patch.width, patch.height).toString('base64');
      shape(
        annotation.label,
        'mask',
        [
          [patch.left, patch.top],
          [patch.left + patch.width - 1, patch.top + patch.height - 1],
        ],
        null,
        png,
      );
    }
  }
  return shapes;
}
