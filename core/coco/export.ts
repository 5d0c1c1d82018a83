// COCO export (instances, optional captions + Localized Narratives), streamed
// to a temp file and renamed into place.
//
// Conventions (documented choices; options in CocoExportOptions):
// - Ids: each label's and image's COCO id from cocoIds.ts (kept from an
//   import, else assigned), the same in every export.
// - Boxes become 4-point polygons, or with `boxes: 'bbox'` a bbox with an
//   empty segmentation; polygons without holes become COCO polygon lists.
//   COCO polygons cannot hold holes, so a polygon WITH holes is rasterised and
//   written as compressed RLE (counted in masksKeptAsRle). Masks are RLE, or
//   with `masks: 'polygons'` their outer pixel-edge rings unless they have
//   holes (then RLE, counted).
// - iscrowd, the file's own area (while the shape is unchanged) and unknown
//   fields of imported annotations are written back (kept.ts); otherwise
//   iscrowd is 0 and area/bbox come from the geometry (shoelace area for
//   polygons, pixel count for masks).
// - Sizes: the displayed size (EXIF orientation applied), as browsers and
//   this app show images; `imageSize: 'raw'` writes the stored pixel grid
//   and turns every shape into it, for loaders that ignore EXIF. `info` says which.
// - Unlabeled annotations are skipped and counted; images whose file vanished
//   from the folder are left out with their annotations, and so are images
//   that cannot be read (listed in `skippedImages` with the reason).
// - Where it may write is decided in exportTarget.ts.
import { AppError, type CocoExportSummary, type CocoImageSize, type Geometry } from '../../common/contract/index.js';
import { maskToPolygons } from '../../common/geometry/mask.js';
import { boxRing, measureGeometry } from '../../common/geometry/measure.js';
import { rasterisePolygons } from '../../common/geometry/polygon.js';
import { areaOfCounts, bboxOfCounts, countsToString, encodeCounts, rleToMask } from '../../common/geometry/rle.js';
import { AtomicFileWriter } from '../../files/atomicWrite.js';
import { isDiskFull } from '../../files/fsErrors.js';
import { containedFileOf } from '../store/containedPath.js';
import type { Project } from '../store/project.js';
import { MASK_JSON_PREFIX, POLYGON_JSON_PREFIX } from '../store/rows.js';
import { writeTransaction } from '../store/writeTransaction.js';
import { cocoIds } from './cocoIds.js';
import { companionPath, exportCaptionFiles } from './exportCaptions.js';
import { checkExportTarget, resolveExportPath } from './exportTarget.js';
import type { ProgressCallback } from './import.js';
import { categoryJson, type KeptAnnotationRow, keptAreaApplies } from './kept.js';
import { type ExifOrientation, orientGeometry, readOrientation, swapsAxes } from './orientation.js';
import { type SizedImage, storeNewSizes, withSizes } from './projectImages.js';

export interface CocoExportOptions {
  /** Defaults to <project>/exports/coco-<timestamp>.json; a relative path is relative to the project folder. */
  outPath?: string;
  includeCaptions?: boolean;
  /** Replace files that exist already (the export and its captions files); refused otherwise. */
  overwrite?: boolean;
  /** 'polygons': masks as their outer rings (a mask with holes stays RLE and is counted). Default 'rle'. */
  masks?: 'rle' | 'polygons';
  /** 'bbox': boxes as a bbox with an empty segmentation. Default 'polygon' (a 4-point polygon). */
  boxes?: 'polygon' | 'bbox';
  /** Round polygon coordinates, boxes and areas to this many decimals. */
  decimals?: number;
  /** Default 'display' (EXIF orientation applied). */
  imageSize?: CocoImageSize;
}

export interface CocoExportResult extends CocoExportSummary {
  captionsPath?: string;
  narrativesPath?: string;
}

interface ExportRow extends KeptAnnotationRow {
  image_id: number;
  label_id: string | null;
  kind: Geometry['kind'];
  geometry: string;
  score: number | null;
  area: number;
  bbox_x: number;
  bbox_y: number;
  bbox_w: number;
  bbox_h: number;
}

type Bbox = [number, number, number, number];

/** An image as the export writes it: its COCO id, and for a raw-size export its orientation and stored size. */
interface ExportImage extends SizedImage {
  cocoId: number;
  /** Not 1 only in a raw-size export: shapes are turned into the stored pixel grid. */
  orientation: ExifOrientation;
  fileWidth: number;
  fileHeight: number;
}

export async function exportCoco(project: Project, options: CocoExportOptions, onProgress?: ProgressCallback): Promise<CocoExportResult> {
  const outPath = resolveExportPath(project, options.outPath);
  const companions = options.includeCaptions ? [companionPath(outPath, 'captions.json'), companionPath(outPath, 'narratives.jsonl')] : [];
  for (const path of [outPath, ...companions]) checkExportTarget(project, path, options.overwrite ?? false);
  const imageSize = options.imageSize ?? 'display';
  const { images: present, skippedImages } = await presentImages(project);
  const ids = cocoIds(project);
  const images = await exportImages(project, present, ids.imageOf, imageSize);
  const labels = project.labels();
  const keptCategories = new Map(
    (
      project.db.prepare('SELECT label_id, supercategory, extra FROM coco_categories').all() as {
        label_id: string;
        supercategory: string | null;
        extra: string | null;
      }[]
    ).map((row) => [row.label_id, row]),
  );
  const imageById = new Map(images.map((image) => [image.id, image]));
  const total = (project.db.prepare('SELECT COUNT(*) AS n FROM annotations').get() as { n: number }).n;
  const writer = new AnnotationWriter(options);

  const out = openOutput(outPath);
  let written = 0;
  let skippedUnlabeled = 0;
  try {
    const info = {
      description: `promptlabel export of ${project.summary().name}`,
      version: '1.0',
      year: new Date().getFullYear(),
      date_created: new Date().toISOString(),
      image_size: IMAGE_SIZE_NOTE[imageSize],
    };
    out.write(`{"info":${JSON.stringify(info)},"licenses":[],"images":[`);
    images.forEach((image, index) => {
      const json = JSON.stringify({ id: image.cocoId, file_name: image.relPath, width: image.fileWidth, height: image.fileHeight });
      out.write(`${index ? ',' : ''}${json}`);
    });
    out.write('],"annotations":[');
    const rows = project.db
      .prepare(
        `SELECT a.image_id, a.label_id, a.kind, a.geometry, a.score, a.area, a.bbox_x, a.bbox_y, a.bbox_w, a.bbox_h,
           c.iscrowd, c.area AS kept_area, c.measured_area, c.extra
         FROM annotations a LEFT JOIN coco_annotations c ON c.annotation_id = a.id
         ORDER BY a.image_id, a.created_at, a.id`,
      )
      .iterate() as IterableIterator<ExportRow>;
    let seen = 0;
    for (const row of rows) {
      if (++seen % 10_000 === 0) onProgress?.(seen, total);
      const image = imageById.get(row.image_id);
      if (!image) continue;
      const categoryId = row.label_id === null ? undefined : ids.categoryOf.get(row.label_id);
      if (categoryId === undefined) {
        skippedUnlabeled++;
        continue;
      }
      written++;
      out.write(`${written > 1 ? ',' : ''}${writer.annotationJson(row, written, categoryId, image)}`);
    }
    const categories = labels.map((label) => categoryJson(ids.categoryOf.get(label.id)!, label.name, keptCategories.get(label.id)));
    out.write(`],"categories":[${categories.join(',')}]}`);
    out.commit();
  } catch (error) {
    out.abort();
    throw exportError(error, `Export to ${outPath} failed`);
  }

  const result: CocoExportResult = {
    path: outPath,
    images: images.length,
    annotations: written,
    categories: labels.length,
    captions: 0,
    skippedUnlabeled,
    skippedImages,
    masksKeptAsRle: writer.keptAsRle,
    imageSize,
  };
  if (options.includeCaptions) {
    try {
      result.captions = exportCaptionFiles(project, present, outPath, ids.imageOf);
    } catch (error) {
      throw exportError(error, `Writing the captions next to ${outPath} failed`);
    }
    result.captionsPath = companionPath(outPath, 'captions.json');
    result.narrativesPath = companionPath(outPath, 'narratives.jsonl');
  }
  onProgress?.(total, total);
  return result;
}

/** What `info.image_size` says. */
export const IMAGE_SIZE_NOTE: Record<CocoImageSize, string> = {
  display:
    'display: width, height and coordinates with the EXIF orientation applied, as browsers show the image (code that reads pixels with PIL should apply ImageOps.exif_transpose)',
  raw: 'raw: width, height and coordinates in the stored pixel grid, EXIF orientation ignored (as cv2.imread reads the file)',
};

/** Each present image with its COCO id and, for a raw-size export, its orientation and stored size. */
async function exportImages(
  project: Project,
  present: readonly SizedImage[],
  imageOf: ReadonlyMap<number, number>,
  imageSize: CocoImageSize,
): Promise<ExportImage[]> {
  const result: ExportImage[] = present.map((image) => ({
    ...image,
    cocoId: imageOf.get(image.id)!,
    orientation: 1,
    fileWidth: image.width,
    fileHeight: image.height,
  }));
  if (imageSize === 'raw') {
    const contained = containedFileOf(project.dir);
    let next = 0;
    const worker = async () => {
      while (next < result.length) {
        const image = result[next++]!;
        const orientation = await readOrientation(contained(image.relPath)).catch(() => 1 as const);
        image.orientation = orientation;
        if (swapsAxes(orientation)) [image.fileWidth, image.fileHeight] = [image.height, image.width];
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
  }
  return result;
}

/** One annotation's JSON; the options decide the shape of its segmentation. */
class AnnotationWriter {
  keptAsRle = 0;
  private readonly masksAsPolygons: boolean;
  private readonly boxesAsBbox: boolean;
  private readonly round: ((value: number) => number) | null;

  constructor(options: CocoExportOptions) {
    this.masksAsPolygons = options.masks === 'polygons';
    this.boxesAsBbox = options.boxes === 'bbox';
    const decimals = options.decimals;
    if (decimals === undefined) {
      this.round = null;
    } else {
      const factor = 10 ** decimals;
      this.round = (value) => Math.round(value * factor) / factor + 0; // + 0: never "-0"
    }
  }

  annotationJson(row: ExportRow, id: number, categoryId: number, image: ExportImage): string {
    const shape = this.shape(row, image);
    let { segmentation, area, bbox } = shape;
    if (row.kept_area !== null && row.measured_area !== null && keptAreaApplies(row.area, row.measured_area)) area = row.kept_area;
    const round = this.round;
    if (round) {
      area = round(area);
      bbox = bbox.map(round) as Bbox;
      if (segmentation.startsWith('[[')) {
        segmentation = JSON.stringify((JSON.parse(segmentation) as number[][]).map((ring) => ring.map(round)));
      }
    }
    const score = row.score === null ? '' : `,"score":${row.score}`;
    const extra = row.extra ? `,${row.extra.slice(1, -1)}` : '';
    return `{"id":${id},"image_id":${image.cocoId},"category_id":${categoryId},"segmentation":${segmentation},"area":${area},"bbox":${JSON.stringify(bbox)},"iscrowd":${row.iscrowd ?? 0}${score}${extra}}`;
  }

  /** Segmentation text, area and bbox; stored masks and plain polygons are copied, not re-measured. */
  private shape(row: ExportRow, image: ExportImage): { segmentation: string; area: number; bbox: Bbox } {
    if (image.orientation !== 1) {
      const turned = orientGeometry(JSON.parse(row.geometry) as Geometry, image.orientation, image.fileWidth, image.fileHeight, false);
      return this.fromGeometry(turned, image, measureGeometry(turned));
    }
    const bbox: Bbox = [row.bbox_x, row.bbox_y, row.bbox_w, row.bbox_h];
    if (row.kind === 'polygon' || (row.kind === 'mask' && !this.masksAsPolygons)) {
      const copied = copySegmentation(row);
      if (copied !== null) return { segmentation: copied, area: row.area, bbox };
    }
    return this.fromGeometry(JSON.parse(row.geometry) as Geometry, image, { area: row.area, bbox });
  }

  private fromGeometry(
    geometry: Geometry,
    image: ExportImage,
    measured: { area: number; bbox: Bbox },
  ): { segmentation: string; area: number; bbox: Bbox } {
    const { area, bbox } = measured;
    switch (geometry.kind) {
      case 'box':
        return { segmentation: this.boxesAsBbox ? '[]' : JSON.stringify([boxRing(geometry.box)]), area, bbox };
      case 'mask': {
        if (this.masksAsPolygons) {
          const [h, w] = geometry.rle.size;
          const polygons = maskToPolygons(rleToMask(geometry.rle), h, w);
          if (polygons.length > 0 && polygons.every((polygon) => polygon.holes.length === 0)) {
            return { segmentation: JSON.stringify(polygons.map((polygon) => polygon.outer)), area, bbox };
          }
          if (polygons.length > 0) this.keptAsRle++;
        }
        return { segmentation: JSON.stringify({ size: geometry.rle.size, counts: geometry.rle.counts }), area, bbox };
      }
      case 'polygon': {
        if (!geometry.polygons.some((polygon) => polygon.holes.length > 0)) {
          return { segmentation: JSON.stringify(geometry.polygons.map((polygon) => polygon.outer)), area, bbox };
        }
        // COCO polygons cannot hold holes.
        this.keptAsRle++;
        const h = image.fileHeight;
        const w = image.fileWidth;
        const counts = encodeCounts(rasterisePolygons(geometry.polygons, h, w), h, w);
        return {
          segmentation: JSON.stringify({ size: [h, w], counts: countsToString(counts) }),
          area: areaOfCounts(counts),
          bbox: bboxOfCounts(counts, h),
        };
      }
    }
  }
}

function openOutput(outPath: string): AtomicFileWriter {
  try {
    return new AtomicFileWriter(outPath);
  } catch (error) {
    throw error instanceof AppError ? error : new AppError('bad_request', `Cannot write ${outPath}: ${(error as Error).message}`);
  }
}

function exportError(error: unknown, what: string): AppError {
  if (error instanceof AppError) return error;
  const message = `${what}: ${(error as Error).message}`;
  return new AppError(isDiskFull(error) ? 'disk_full' : 'internal', message);
}

/**
 * COCO segmentation text cut straight out of the canonical stored JSON (see
 * geometryJson) for masks and hole-free polygons, the bulk of any export;
 * null when the geometry needs parsing.
 */
function copySegmentation(row: ExportRow): string | null {
  const json = row.geometry;
  if (row.kind === 'mask' && json.startsWith(MASK_JSON_PREFIX)) {
    // The RLE object ends at its first '}': COCO counts use the characters 48–111 only.
    const end = json.indexOf('}', MASK_JSON_PREFIX.length);
    if (end > 0) return json.slice(MASK_JSON_PREFIX.length, end + 1);
  }
  if (row.kind === 'polygon' && json.startsWith(POLYGON_JSON_PREFIX) && !json.includes(HOLES_PRESENT)) {
    // {"kind":"polygon","polygons":[{"outer":[..],"holes":[]},…]} → [[..],…]
    return `[${json.slice(POLYGON_JSON_PREFIX.length, -2).replaceAll('{"outer":', '').replaceAll(',"holes":[]}', '')}]`;
  }
  return null;
}

const HOLES_PRESENT = '"holes":[[';

/**
 * Images whose files are present, in natural order, with sizes (headers read
 * and stored where unknown); an image whose header cannot be read is skipped
 * with the reason rather than failing the whole export.
 */
async function presentImages(project: Project): Promise<{ images: SizedImage[]; skippedImages: CocoExportSummary['skippedImages'] }> {
  const rows = project.db.prepare('SELECT id, rel_path, width, height FROM images WHERE missing = 0 ORDER BY sort_key, rel_path').all() as {
    id: number;
    rel_path: string;
    width: number | null;
    height: number | null;
  }[];
  const unreadable = new Map<string, string>();
  const images = await withSizes(project, rows, undefined, (row, reason) => unreadable.set(row.rel_path, reason));
  if (images.some((image) => image.sizeIsNew)) writeTransaction(project.db, () => storeNewSizes(project, images));
  const skippedImages = rows.flatMap((row) => {
    const reason = unreadable.get(row.rel_path);
    return reason === undefined ? [] : [{ file: row.rel_path, reason }];
  });
  return { images, skippedImages };
}
