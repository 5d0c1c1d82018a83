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

/**
 * Annotations of present images. NOT IN a (usually empty) list beats a join
 * with images: one lookup in a small ephemeral index per row, not a rowid seek.
 */
const PRESENT = 'a.image_id NOT IN (SELECT id FROM images WHERE missing = 1)';

/** 1, 2 or 5 times a power of ten, at least `minimum`, and at least `raw`. */
export function niceStep(raw: number, minimum = 1): number {
  if (!(raw > minimum)) return minimum;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const factor of [1, 2, 5, 10]) if (factor * power >= raw) return factor * power;
  return 10 * power;
}

/**
 * The last figures of each open database, with the state they were read at:
 * SQLite's data_version (raised by other connections' commits: the command
 * line, another app) and this connection's total_changes() (raised by every
 * row it writes). Both unchanged means nothing changed, so opening the view
 * again on an unchanged project answers at once.
 */
const lastStats = new WeakMap<Database.Database, { state: string; stats: Omit<DatasetStats, 'ms'> }>();

const databaseState = (db: Database.Database): string =>
  `${String(db.pragma('data_version', { simple: true }))}:${(db.prepare('SELECT total_changes() AS n').get() as { n: number }).n}`;

export function datasetStats(db: Database.Database): DatasetStats {
  const start = performance.now();
  const state = databaseState(db);
  const cached = lastStats.get(db);
  if (cached?.state === state) return { ...cached.stats, ms: performance.now() - start };
  const stats = countDatasetStats(db);
  lastStats.set(db, { state, stats });
  return { ...stats, ms: performance.now() - start };
}

/** The figures counted afresh (datasetStats without its memory; the benchmark times this). */
export function countDatasetStats(db: Database.Database): Omit<DatasetStats, 'ms'> {
  const read = db.transaction(() => {
    const statusRows = db.prepare('SELECT status, COUNT(*) AS n FROM images WHERE missing = 0 GROUP BY status').all() as {
      status: ImageStatus;
      n: number;
    }[];
    const statusCount = new Map(statusRows.map((row) => [row.status, row.n]));
    const sides = originsBySide(db);
    return {
      images: statusRows.reduce((sum, row) => sum + row.n, 0),
      annotations: sides.reduce((sum, row) => sum + row.n, 0),
      labels: labelCounts(db),
      statuses: IMAGE_STATUSES.map((status) => ({ status, images: statusCount.get(status) ?? 0 })),
      annotationsPerImage: annotationsPerImage(db),
      sizeClasses: sizeClasses(sides),
      sideHistogram: sideHistogram(sides),
      origins: originCounts(sides),
      proposals: db
        .prepare(
          'SELECT COUNT(*) AS proposals, COUNT(DISTINCT p.image_id) AS images FROM images i JOIN proposals p ON p.image_id = i.id WHERE i.missing = 0',
        )
        .get() as { proposals: number; images: number },
    };
  });
  return read();
}

/** Annotations counted by source (null: an accepted proposal) and whole side length floor(sqrt(area)). */
interface SideRow {
  source: string | null;
  side: number;
  n: number;
}

/**
 * The one query behind the origins, the size classes and the sqrt(area)
 * histogram: a single scan and a single sort into at most a few thousand
 * groups. Whole-pixel sides suffice for all three: COCO's bounds are whole
 * (area < 32² exactly when floor(sqrt(area)) < 32), and so are the
 * histogram's bar widths (niceStep's minimum is 1 px).
 */
function originsBySide(db: Database.Database): SideRow[] {
  return db
    .prepare(
      `SELECT CASE WHEN a.job_id IS NULL THEN a.source END AS source, CAST(sqrt(a.area) AS INTEGER) AS side, COUNT(*) AS n
       FROM annotations a WHERE ${PRESENT} GROUP BY 1, 2`,
    )
    .all() as SideRow[];
}

function sizeClasses(sides: readonly SideRow[]): DatasetStats['sizeClasses'] {
  return COCO_SIZE_CLASSES.map((range) => {
    const [from, to] = [Math.sqrt(range.minArea), range.maxArea === null ? Infinity : Math.sqrt(range.maxArea)];
    const annotations = sides.reduce((sum, row) => (row.side >= from && row.side < to ? sum + row.n : sum), 0);
    return { ...range, annotations };
  });
}

/** Bins of sqrt(area) of one "nice" whole width from 0 up to the bin holding the largest annotation. */
function sideHistogram(sides: readonly SideRow[]): DatasetStats['sideHistogram'] {
  if (sides.length === 0) return [];
  const largest = Math.max(...sides.map((row) => row.side));
  const width = niceStep(largest / HISTOGRAM_BARS);
  const bins = Array.from({ length: Math.floor(largest / width) + 1 }, (_, k) => ({
    minSide: k * width,
    maxSide: (k + 1) * width,
    annotations: 0,
  }));
  for (const row of sides) bins[Math.floor(row.side / width)]!.annotations += row.n;
  return bins;
}

function originCounts(sides: readonly SideRow[]): DatasetStats['origins'] {
  const counts = new Map<string | null, number>();
  for (const row of sides) counts.set(row.source, (counts.get(row.source) ?? 0) + row.n);
  return [...counts]
    .sort(([a, n], [b, m]) => m - n || (a === null ? -1 : b === null ? 1 : a < b ? -1 : a > b ? 1 : 0))
    .map(([source, annotations]) => {
      const origin: AnnotationOrigin = source === null ? { kind: 'accepted' } : { kind: 'source', source };
      return { origin, annotations };
    });
}

function labelCounts(db: Database.Database): DatasetStats['labels'] {
  // The inner grouping follows the index order (image_id, label_id): it streams, and the outer one sorts only its groups.
  const counts = db
    .prepare(
      `SELECT labelId, SUM(n) AS instances, COUNT(*) AS images
       FROM (SELECT a.image_id, a.label_id AS labelId, COUNT(*) AS n FROM annotations a WHERE ${PRESENT} GROUP BY a.image_id, a.label_id)
       GROUP BY labelId`,
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
