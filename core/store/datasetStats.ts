// The dataset view's figures, computed in SQL in one read transaction (one
// consistent snapshot). The annotation queries read only the columns of the
// annotations_review index (image_id, label_id, source, job_id, score, area),
// so they scan that index and never a geometry; images whose file vanished
// are left out with their annotations, as the image list leaves them out.
import type Database from 'better-sqlite3';

import {
  type AnnotationOrigin,
  COCO_SIZE_CLASSES,
  type DatasetStats,
  IMAGE_STATUSES,
  type ImageStatus,
} from '../../common/contract/index.js';

/** About this many bars in a histogram (fewer when the data is narrower). */
const HISTOGRAM_BARS = 20;

/** The annotations of present images (the FROM of every annotation query). */
const PRESENT_ANNOTATIONS = 'images i JOIN annotations a ON a.image_id = i.id WHERE i.missing = 0';

/** 1, 2 or 5 times a power of ten, at least `minimum`, and at least `raw`. */
export function niceStep(raw: number, minimum = 1): number {
  if (!(raw > minimum)) return minimum;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const factor of [1, 2, 5, 10]) if (factor * power >= raw) return factor * power;
  return 10 * power;
}

export function datasetStats(db: Database.Database): DatasetStats {
  const start = performance.now();
  const read = db.transaction(() => {
    const statusRows = db.prepare('SELECT status, COUNT(*) AS n FROM images WHERE missing = 0 GROUP BY status').all() as {
      status: ImageStatus;
      n: number;
    }[];
    const statusCount = new Map(statusRows.map((row) => [row.status, row.n]));
    const images = statusRows.reduce((sum, row) => sum + row.n, 0);

    const sizes = db
      .prepare(
        `SELECT COUNT(*) AS total, COALESCE(MAX(a.area), 0) AS maxArea,
           COALESCE(SUM(a.area < ?), 0) AS small, COALESCE(SUM(a.area >= ? AND a.area < ?), 0) AS medium, COALESCE(SUM(a.area >= ?), 0) AS large
         FROM ${PRESENT_ANNOTATIONS}`,
      )
      .get(COCO_SIZE_CLASSES[1].minArea, COCO_SIZE_CLASSES[1].minArea, COCO_SIZE_CLASSES[2].minArea, COCO_SIZE_CLASSES[2].minArea) as {
      total: number;
      maxArea: number;
      small: number;
      medium: number;
      large: number;
    };

    return {
      images,
      annotations: sizes.total,
      labels: labelCounts(db),
      statuses: IMAGE_STATUSES.map((status) => ({ status, images: statusCount.get(status) ?? 0 })),
      annotationsPerImage: annotationsPerImage(db),
      sizeClasses: COCO_SIZE_CLASSES.map((range) => ({ ...range, annotations: sizes[range.size] })),
      sideHistogram: sideHistogram(db, sizes.total === 0 ? null : sizes.maxArea),
      origins: originCounts(db),
      proposals: db
        .prepare(
          'SELECT COUNT(*) AS proposals, COUNT(DISTINCT p.image_id) AS images FROM images i JOIN proposals p ON p.image_id = i.id WHERE i.missing = 0',
        )
        .get() as { proposals: number; images: number },
    };
  });
  const stats = read();
  return { ...stats, ms: performance.now() - start };
}

function labelCounts(db: Database.Database): DatasetStats['labels'] {
  const counts = db
    .prepare(
      `SELECT a.label_id AS labelId, COUNT(*) AS instances, COUNT(DISTINCT a.image_id) AS images FROM ${PRESENT_ANNOTATIONS} GROUP BY a.label_id`,
    )
    .all() as { labelId: string | null; instances: number; images: number }[];
  const byLabel = new Map(counts.map((row) => [row.labelId, row]));
  const labels = db.prepare('SELECT id, name, colour FROM labels ORDER BY sort, id').all() as {
    id: string;
    name: string;
    colour: string;
  }[];
  const rows: DatasetStats['labels'] = labels.map((label) => ({
    labelId: label.id,
    name: label.name,
    colour: label.colour,
    instances: byLabel.get(label.id)?.instances ?? 0,
    images: byLabel.get(label.id)?.images ?? 0,
  }));
  const unlabeled = byLabel.get(null);
  if (unlabeled)
    rows.push({ labelId: null, name: '(unlabeled)', colour: '#9ca3af', instances: unlabeled.instances, images: unlabeled.images });
  return rows;
}

/** Whole-count bins from 0 to the largest count: one count per bar up to HISTOGRAM_BARS, else wider bars of equal width. */
function annotationsPerImage(db: Database.Database): DatasetStats['annotationsPerImage'] {
  const rows = db
    .prepare(
      `SELECT n, COUNT(*) AS images FROM (SELECT (SELECT COUNT(*) FROM annotations a WHERE a.image_id = i.id) AS n FROM images i WHERE i.missing = 0)
       GROUP BY n ORDER BY n`,
    )
    .all() as { n: number; images: number }[];
  if (rows.length === 0) return [];
  const largest = rows.at(-1)!.n;
  const width = largest < HISTOGRAM_BARS ? 1 : niceStep((largest + 1) / HISTOGRAM_BARS);
  const bins = Array.from({ length: Math.floor(largest / width) + 1 }, (_, k) => ({
    min: k * width,
    max: k * width + width - 1,
    images: 0,
  }));
  for (const row of rows) bins[Math.floor(row.n / width)]!.images += row.images;
  return bins;
}

/** Bins of sqrt(area) of one "nice" width (at least 1 px) from 0 up to the bin holding the largest annotation. */
function sideHistogram(db: Database.Database, maxArea: number | null): DatasetStats['sideHistogram'] {
  if (maxArea === null) return [];
  const width = niceStep(Math.sqrt(maxArea) / HISTOGRAM_BARS);
  const rows = db
    .prepare(`SELECT CAST(sqrt(a.area) / ? AS INTEGER) AS bin, COUNT(*) AS n FROM ${PRESENT_ANNOTATIONS} GROUP BY bin`)
    .all(width) as { bin: number; n: number }[];
  const bins = Array.from({ length: Math.floor(Math.sqrt(maxArea) / width) + 1 }, (_, k) => ({
    minSide: k * width,
    maxSide: (k + 1) * width,
    annotations: 0,
  }));
  for (const row of rows) bins[row.bin]!.annotations += row.n;
  return bins;
}

function originCounts(db: Database.Database): DatasetStats['origins'] {
  const rows = db
    .prepare(
      `SELECT a.job_id IS NOT NULL AS accepted, CASE WHEN a.job_id IS NULL THEN a.source END AS source, COUNT(*) AS n
       FROM ${PRESENT_ANNOTATIONS} GROUP BY 1, 2 ORDER BY n DESC, source`,
    )
    .all() as { accepted: 0 | 1; source: string | null; n: number }[];
  return rows.map((row) => {
    const origin: AnnotationOrigin = row.accepted ? { kind: 'accepted' } : { kind: 'source', source: row.source! };
    return { origin, annotations: row.n };
  });
}
