// Import of any dataset format: the converter reads and validates its files,
// then everything is checked against the project (images matched, sizes
// compared, every vertex inside its image) in ONE write transaction that a
// refusal rolls back, so a refused dataset changes nothing. Written the way the COCO import writes:
// labels through project.apply inside the transaction, annotations through
// store/bulkInsert.ts (one revision for the whole batch).
import { randomUUID } from 'node:crypto';
import { isAbsolute, relative, sep } from 'node:path';

import {
  AppError,
  type CocoDuplicateMode,
  type DatasetFormat,
  type DatasetImportSummary,
  type Geometry,
} from '../../common/contract/index.js';
import { type GeometryMeasure, measureGeometry } from '../../common/geometry/measure.js';
import { keptFieldsWriter } from '../coco/kept.js';
import { paletteColour } from '../coco/palette.js';
import { imageRowsByPath, type SizedImage, storeNewSizes, withSizes } from '../coco/projectImages.js';
import { importTransaction } from '../store/bulkInsert.js';
import type { Project } from '../store/project.js';
import { geometryJson } from '../store/rows.js';
import { attributeWhat } from './attributes.js';
import { Counter, type FormatConverter, type ImportedAnnotation, type ImportedImage, isProjectFormat } from './converter.js';
import { refuse } from './problems.js';
import { converterFor, FORMAT_CONVERTERS } from './registry.js';

export type ProgressCallback = (done: number, total: number) => void;

export interface DatasetImportOptions {
  /** Dataset label name → project label name. */
  labelMap?: Record<string, string>;
  /** COCO: annotations already in the project are skipped (default), replaced or added again. */
  duplicates?: CocoDuplicateMode;
}

/** Vertices this far outside the image are moved onto the border (float noise of other tools); farther ones are refused. */
const CLIP_TOLERANCE = 1;
const UNMATCHED_LISTED = 20;

export async function importDataset(
  project: Project,
  format: DatasetFormat,
  path: string,
  options: DatasetImportOptions = {},
  onProgress?: ProgressCallback,
): Promise<DatasetImportSummary> {
  const converter = converterFor(format);
  if (isProjectFormat(converter)) return converter.importInto(project, path, options, onProgress);
  const dataset = await readWithHint(converter, path);
  const total = dataset.images.length * 2;
  onProgress?.(0, total);

  const { matched, unmatched } = matchImages(project, dataset.images);
  const sized = await withSizes(
    project,
    matched.map((m) => m.row),
    (done) => onProgress?.(done, total),
  );
  const labelMap = options.labelMap ?? {};
  const projectLabelName = (name: string | null) => (name === null ? null : (labelMap[name] ?? name));

  const labelsInOrder = new Set(dataset.labels.map((name) => labelMap[name] ?? name));
  for (const { image } of matched)
    for (const { label } of image.annotations) if (label !== null) labelsInOrder.add(labelMap[label] ?? label);
  let labelsAdded = 0;
  let clipped = 0;
  let written = 0;
  const kept = new Counter();
  // Checked and written in one pass inside the transaction (as the COCO import):
  // a refusal anywhere rolls back everything, labels included, and no second
  // copy of every annotation is held.
  importTransaction(project.db, `${format}-import`, (insert) => {
    storeNewSizes(project, sized);
    const labelIds = ensureLabels(project, labelsInOrder, () => labelsAdded++);
    let keep: ReturnType<typeof keptFieldsWriter> | undefined;
    matched.forEach(({ image }, index) => {
      const actual = sized[index]!;
      if (image.width !== undefined && image.height !== undefined && (image.width !== actual.width || image.height !== actual.height)) {
        throw refuse(
          image.where,
          'size',
          `the image "${actual.relPath}" is ${actual.width}×${actual.height}, not ${image.width}×${image.height}.`,
        );
      }
      const placement = new Placement(actual, image.normalised === true);
      for (const annotation of image.annotations) {
        const geometry = placement.place(annotation);
        const { area, bbox } = placement.measure ?? measureGeometry(geometry);
        const label = projectLabelName(annotation.label);
        const id = insert(
          actual.id,
          label === null ? null : labelIds.get(label)!,
          geometry.kind,
          geometryJson(geometry),
          annotation.score ?? null,
          area,
          bbox,
        );
        if (annotation.attributes !== undefined) {
          (keep ??= keptFieldsWriter(project.db))(id, { attributes: annotation.attributes });
          for (const name in annotation.attributes) kept.add(attributeWhat(name));
        }
        written++;
      }
      clipped += placement.clipped;
      // Let the collector take an image's annotations once written (as the COCO import does): a smaller live heap to mark.
      image.annotations = [];
      if (index % 500 === 0) onProgress?.(dataset.images.length + index, total);
    });
  });
  onProgress?.(total, total);
  return {
    format,
    images: matched.length,
    annotations: written,
    labelsAdded,
    unmatchedImages: unmatched.slice(0, UNMATCHED_LISTED),
    unmatchedCount: unmatched.length,
    notImported: dataset.notImported.list(),
    clipped,
    kept: kept.list(),
  };
}

interface ImageRow {
  id: number;
  rel_path: string;
  width: number | null;
  height: number | null;
}

/**
 * Dataset image → project image: by its path relative to the project folder
 * when it lies inside it, else by its path relative to the dataset's root,
 * else by file name when exactly one project image has that name and no
 * other dataset image took it. Two dataset images with the same path are refused.
 */
function matchImages(
  project: Project,
  images: readonly ImportedImage[],
): { matched: { image: ImportedImage; row: ImageRow }[]; unmatched: string[] } {
  const byPath = imageRowsByPath(project);
  const byName = new Map<string, ImageRow | null>();
  const byStem = new Map<string, ImageRow | null>();
  const byStemName = new Map<string, ImageRow | null>();
  const unique = (map: Map<string, ImageRow | null>, key: string, row: ImageRow) => map.set(key, map.has(key) ? null : row);
  for (const row of byPath.values()) {
    const name = row.rel_path.slice(row.rel_path.lastIndexOf('/') + 1);
    unique(byName, name, row);
    byStem.set(stemOf(row.rel_path), row);
    unique(byStemName, stemOf(name), row);
  }
  // Paths first; then file names, for images no path matched, onto project images nothing else took.
  const taken = new Map<number, string>();
  const byImage = new Map<ImportedImage, ImageRow>();
  const pending: ImportedImage[] = [];
  for (const image of images) {
    const inProject = relative(project.dir, image.file);
    const projectRel = inProject.startsWith('..') || isAbsolute(inProject) ? null : inProject.split(sep).join('/');
    const paths = image.anyExtension ? byStem : byPath;
    const row = (projectRel !== null ? paths.get(projectRel) : undefined) ?? paths.get(image.relPath) ?? undefined;
    if (!row) {
      pending.push(image);
      continue;
    }
    const earlier = taken.get(row.id);
    if (earlier !== undefined)
      throw refuse(image.where, 'image', `it describes "${row.rel_path}" again (already described by ${earlier}).`);
    taken.set(row.id, image.where);
    byImage.set(image, row);
  }
  const unmatched: string[] = [];
  for (const image of pending) {
    const name = image.relPath.slice(image.relPath.lastIndexOf('/') + 1);
    const row = (image.anyExtension ? byStemName : byName).get(name);
    if (!row || taken.has(row.id)) {
      unmatched.push(image.relPath);
      continue;
    }
    taken.set(row.id, image.where);
    byImage.set(image, row);
  }
  const matched = images.flatMap((image) => {
    const row = byImage.get(image);
    return row ? [{ image, row }] : [];
  });
  return { matched, unmatched };
}

/** The converter's read; when the input itself is wrong (not the file's content), says what the format takes and which format it looks like. */
async function readWithHint(converter: FormatConverter, path: string) {
  try {
    return await converter.read(path);
  } catch (error) {
    if (!(error instanceof AppError) || error.path !== 'path') throw error;
    const other = FORMAT_CONVERTERS.find((c) => c !== converter && c.detect?.(path));
    const hint = other ? ` It looks like ${other.title}: import it as that.` : '';
    throw new AppError(error.code, `${error.message} ${converter.title} takes ${converter.input}.${hint}`, error.path);
  }
}

const stemOf = (path: string) => {
  const dot = path.lastIndexOf('.');
  return dot > path.lastIndexOf('/') ? path.slice(0, dot) : path;
};

/**
 * Scales one image's normalised geometry to pixels and checks it against the
 * image: vertices within 1 px outside are clipped (and counted), farther ones
 * refused. Rings are rewritten in place: the dataset was read for this import
 * only, and a copy of every ring was most of the import's garbage.
 */
class Placement {
  clipped = 0;
  /** The measures of the geometry last placed when placing already computed them (a mask's); else null. */
  measure: GeometryMeasure | null = null;
  private readonly sx: number;
  private readonly sy: number;
  private where = '';

  constructor(
    private readonly image: SizedImage,
    private readonly normalised: boolean,
  ) {
    this.sx = normalised ? image.width : 1;
    this.sy = normalised ? image.height : 1;
  }

  place(annotation: ImportedAnnotation): Geometry {
    this.where = annotation.where;
    this.measure = null;
    const geometry = annotation.geometry;
    switch (geometry.kind) {
      case 'box': {
        const { x, y, w, h } = geometry.box;
        const corners = [x, y, x + w, y + h];
        this.ring(corners);
        const [x0, y0, x1, y1] = corners as [number, number, number, number];
        // Width and height scaled directly unless clipped, so no corner subtraction adds float noise.
        const bw = x0 === this.scale(x, this.sx) && x1 === this.scale(x + w, this.sx) ? this.scale(w, this.sx) : x1 - x0;
        const bh = y0 === this.scale(y, this.sy) && y1 === this.scale(y + h, this.sy) ? this.scale(h, this.sy) : y1 - y0;
        return { kind: 'box', box: { x: x0, y: y0, w: bw, h: bh } };
      }
      case 'polygon':
        for (const polygon of geometry.polygons) {
          this.ring(polygon.outer);
          for (const hole of polygon.holes) this.ring(hole);
        }
        return geometry;
      case 'mask': {
        const { width, height, relPath } = this.image;
        const [h, w] = geometry.rle.size;
        if (h !== height || w !== width) {
          throw refuse(annotation.where, 'mask', `the mask is ${w}×${h} but the image "${relPath}" is ${width}×${height}.`);
        }
        this.measure = measureGeometry(geometry); // a converter builds masks itself; this also guards against a wrong run total
        return geometry;
      }
    }
  }

  /** Normalised values carry about 6 significant digits: pixels are rounded to 1e-6 so 0.35 − 0.15 gives 0.2, not 0.19999999999999998. */
  private scale(value: number, by: number): number {
    return this.normalised ? Math.round(value * by * 1e6) / 1e6 : value;
  }

  /** The hot loop of an import (every vertex of every polygon): scaled and checked in place, no call for a vertex inside the image. */
  private ring(r: number[]): void {
    const { width, height } = this.image;
    const { sx, sy, normalised } = this;
    for (let i = 0; i < r.length; i += 2) {
      const x = normalised ? Math.round(r[i]! * sx * 1e6) / 1e6 : r[i]!;
      const y = normalised ? Math.round(r[i + 1]! * sy * 1e6) / 1e6 : r[i + 1]!;
      r[i] = x >= 0 && x <= width ? x : this.clamp(x, width, 'x');
      r[i + 1] = y >= 0 && y <= height ? y : this.clamp(y, height, 'y');
    }
  }

  private clamp(value: number, limit: number, axis: 'x' | 'y'): number {
    if (value < -CLIP_TOLERANCE || value > limit + CLIP_TOLERANCE) {
      const { width, height, relPath } = this.image;
      const by = axis === 'x' ? this.sx : this.sy;
      const shown = this.normalised ? `${value / by} (×${axis === 'x' ? width : height})` : `${value}`;
      throw refuse(this.where, axis, `${axis} = ${shown} lies outside the ${width}×${height} image "${relPath}".`);
    }
    this.clipped++;
    return Math.min(Math.max(value, 0), limit);
  }
}

/** Label name → label id, creating labels the project lacks (inside the import transaction: a savepoint). */
function ensureLabels(project: Project, names: Iterable<string>, onAdded: () => void): Map<string, string> {
  const ids = new Map(project.labels().map((label) => [label.name, label.id]));
  const ops = [];
  for (const name of names) {
    if (ids.has(name)) continue;
    const id = randomUUID();
    ids.set(name, id);
    ops.push({ type: 'label.put' as const, label: { id, name, colour: paletteColour(ids.size - 1), hotkey: null } });
    onAdded();
  }
  if (ops.length > 0) project.apply(ops);
  return ids;
}

/** Reads a --label-map file: a JSON object of dataset label → project label. */
export function parseLabelMap(text: string, where: string): Record<string, string> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new AppError('invalid_file', `${where}: not JSON (${(error as Error).message}).`, where);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new AppError('invalid_file', `${where}: expected an object of "dataset label": "project label".`, where);
  }
  const map: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'string' || value.trim() === '') throw refuse(where, key, 'the project label must be a non-empty string.');
    map[key] = value.trim();
  }
  return map;
}
