// COCO export (instances, optional captions + Localized Narratives), streamed
// to a temp file and renamed into place.
//
// Conventions (documented choices):
// - Boxes become 4-point polygons; polygons without holes become COCO polygon
//   lists. COCO polygons cannot hold holes, so a polygon WITH holes is
//   rasterised and written as compressed RLE.
// - iscrowd is always 0: iscrowd=1 means "a crowd of objects" in COCO, which
//   our masks are not; pycocotools reads RLE segmentations with iscrowd=0 fine.
// - area/bbox come from the geometry (shoelace area for polygons, pixel count
//   for masks), not from anything imported.
// - Unlabeled annotations are skipped and counted; images whose file vanished
//   from the folder are left out with their annotations, and so are images
//   that cannot be read (listed in `skippedImages` with the reason).
// - Where it may write is decided in exportTarget.ts.
import { AppError, type CocoExportSummary, type Geometry } from '../../common/contract/index.js';
import { boxRing } from '../../common/geometry/measure.js';
import { rasterisePolygons } from '../../common/geometry/polygon.js';
import { areaOfCounts, bboxOfCounts, countsToString, encodeCounts } from '../../common/geometry/rle.js';
import { AtomicFileWriter } from '../../files/atomicWrite.js';
import { isDiskFull } from '../../files/fsErrors.js';
import type { Project } from '../store/project.js';
import { MASK_JSON_PREFIX, POLYGON_JSON_PREFIX } from '../store/rows.js';
import { writeTransaction } from '../store/writeTransaction.js';
import { companionPath, exportCaptionFiles } from './exportCaptions.js';
import { checkExportTarget, resolveExportPath } from './exportTarget.js';
import type { ProgressCallback } from './import.js';
import { type SizedImage, storeNewSizes, withSizes } from './projectImages.js';

export interface CocoExportOptions {
  /** Defaults to <project>/exports/coco-<timestamp>.json; a relative path is relative to the project folder. */
  outPath?: string;
  includeCaptions?: boolean;
  /** Replace files that exist already (the export and its captions files); refused otherwise. */
  overwrite?: boolean;
}

export interface CocoExportResult extends CocoExportSummary {
  /** Annotations left out because they have no label (COCO needs a category). */
  skippedUnlabeled: number;
  captionsPath?: string;
  narrativesPath?: string;
}

interface ExportRow {
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

export async function exportCoco(project: Project, options: CocoExportOptions, onProgress?: ProgressCallback): Promise<CocoExportResult> {
  const outPath = resolveExportPath(project, options.outPath);
  const companions = options.includeCaptions ? [companionPath(outPath, 'captions.json'), companionPath(outPath, 'narratives.jsonl')] : [];
  for (const path of [outPath, ...companions]) checkExportTarget(project, path, options.overwrite ?? false);
  const { images, skippedImages } = await presentImages(project);
  const labels = project.labels();
  const categoryOf = new Map(labels.map((label, index) => [label.id, index + 1]));
  const imageById = new Map(images.map((image) => [image.id, image]));
  const total = (project.db.prepare('SELECT COUNT(*) AS n FROM annotations').get() as { n: number }).n;

  const out = openOutput(outPath);
  let written = 0;
  let skippedUnlabeled = 0;
  try {
    const info = {
      description: `promptlabel export of ${project.summary().name}`,
      version: '1.0',
      year: new Date().getFullYear(),
      date_created: new Date().toISOString(),
    };
    out.write(`{"info":${JSON.stringify(info)},"licenses":[],"images":[`);
    images.forEach((image, index) => {
      out.write(
        `${index ? ',' : ''}${JSON.stringify({ id: image.id, file_name: image.relPath, width: image.width, height: image.height })}`,
      );
    });
    out.write('],"annotations":[');
    const rows = project.db
      .prepare(
        'SELECT image_id, label_id, kind, geometry, score, area, bbox_x, bbox_y, bbox_w, bbox_h FROM annotations ORDER BY image_id, created_at, id',
      )
      .iterate() as IterableIterator<ExportRow>;
    let seen = 0;
    for (const row of rows) {
      if (++seen % 10_000 === 0) onProgress?.(seen, total);
      const image = imageById.get(row.image_id);
      if (!image) continue;
      const categoryId = row.label_id === null ? undefined : categoryOf.get(row.label_id);
      if (categoryId === undefined) {
        skippedUnlabeled++;
        continue;
      }
      written++;
      out.write(`${written > 1 ? ',' : ''}${annotationJson(row, written, categoryId, image)}`);
    }
    out.write(
      `],"categories":${JSON.stringify(labels.map((label, index) => ({ id: index + 1, name: label.name, supercategory: 'none' })))}}`,
    );
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
  };
  if (options.includeCaptions) {
    try {
      result.captions = exportCaptionFiles(project, images, outPath);
    } catch (error) {
      throw exportError(error, `Writing the captions next to ${outPath} failed`);
    }
    result.captionsPath = companionPath(outPath, 'captions.json');
    result.narrativesPath = companionPath(outPath, 'narratives.jsonl');
  }
  onProgress?.(total, total);
  return result;
}

/** The segmentation/area/bbox part of one COCO annotation; masks and plain polygons never re-measure. */
function annotationJson(row: ExportRow, id: number, categoryId: number, image: SizedImage): string {
  let segmentation: string;
  let area = row.area;
  let bbox = [row.bbox_x, row.bbox_y, row.bbox_w, row.bbox_h];
  const copied = copySegmentation(row);
  if (copied !== null) {
    segmentation = copied;
  } else {
    const geometry = JSON.parse(row.geometry) as Geometry;
    if (geometry.kind === 'mask') {
      segmentation = JSON.stringify(geometry.rle);
    } else if (geometry.kind === 'box') {
      segmentation = JSON.stringify([boxRing(geometry.box)]);
    } else if (geometry.kind === 'polygon' && !geometry.polygons.some((polygon) => polygon.holes.length > 0)) {
      segmentation = JSON.stringify(geometry.polygons.map((polygon) => polygon.outer));
    } else {
      const counts = encodeCounts(rasterisePolygons(geometry.polygons, image.height, image.width), image.height, image.width);
      segmentation = JSON.stringify({ size: [image.height, image.width], counts: countsToString(counts) });
      area = areaOfCounts(counts);
      bbox = bboxOfCounts(counts, image.height);
    }
  }
  const score = row.score === null ? '' : `,"score":${row.score}`;
  return `{"id":${id},"image_id":${row.image_id},"category_id":${categoryId},"segmentation":${segmentation},"area":${area},"bbox":${JSON.stringify(bbox)},"iscrowd":0${score}}`;
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
