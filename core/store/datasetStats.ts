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
 * Left out altogether when no image is missing (the usual case): a third of a
 * scan's cost on 200,000 annotations.
 */
const PRESENT = 'a.image_id NOT IN (SELECT id FROM images WHERE missing = 1)';
const presentAnnotations = (db: Database.Database): string =>
  db.prepare('SELECT EXISTS (SELECT 1 FROM images WHERE missing = 1)').pluck().get() ? PRESENT : '1';

/** 1, 2 or 5 times a power of ten, at least `minimum`, and at least `raw`. */
export function niceStep(raw: number, minimum = 1): number {
  if (!(raw > minimum)) return minimum;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const factor of [1, 2, 5, 10]) if (factor * power >= raw) return factor * power;
  return 10 * power;
}

/**
 * The state figures are read at: SQLite's data_version (raised by other
 * connections' commits: the command line, another app) and this
 * connection's total_changes() (raised by every row it writes), less the
 * `uncounted` rows the caller knows no figure depends on (Project's
 * sizeOnlyChanges). Both unchanged means nothing changed, so figures counted
 * at this state are still the project's (core/host/datasetStatsService.ts).
 */
export const databaseState = (db: Database.Database, uncounted = 0): string =>
  `${String(db.pragma('data_version', { simple: true }))}:${(db.prepare('SELECT total_changes() AS n').get() as { n: number }).n - uncounted}`;

/** The figures counted afresh in one read transaction (the dataset-figures thread runs this on its own connection). */
export function countDatasetStats(db: Database.Database): Omit<DatasetStats, 'ms' | 'current'> {
  const read = db.transaction(() => {
    const statusRows = db.prepare('SELECT status, COUNT(*) AS n FROM images WHERE missing = 0 GROUP BY status').all() as {
      status: ImageStatus;
      n: number;
    }[];
    const statusCount = new Map(statusRows.map((row) => [row.status, row.n]));
    const present = presentAnnotations(db);
    const sides = originsBySide(db, present);
    return {
      images: statusRows.reduce((sum, row) => sum + row.n, 0),
      annotations: sides.reduce((sum, row) => sum + row.n, 0),
      labels: labelCounts(db, present),
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
 * histogram: a single scan of the review index into at most a few thousand
 * (source, side) groups. Whole-pixel sides suffice for all three: COCO's
 * bounds are whole (area < 32² exactly when floor(sqrt(area)) < 32), and so
 * are the histogram's bar widths (niceStep's minimum is 1 px). The groups are
 * counted by an aggregate function of ours rather than GROUP BY, whose sort
 * of every row cost three times the scan (10,000 images × 20: ~250 -> ~70 ms).
 */
function originsBySide(db: Database.Database, present: string): SideRow[] {
  addOriginSides(db);
  const groups = db
    .prepare(
      `SELECT ${ORIGIN_SIDES}(CASE WHEN a.job_id IS NULL THEN a.source END, CAST(sqrt(a.area) AS INTEGER)) FROM annotations a WHERE ${present}`,
    )
    .pluck()
    .get() as string | null;
  return groups === null ? [] : (JSON.parse(groups) as SideRow[]);
}

const ORIGIN_SIDES = 'promptlabel_origin_sides';
const withOriginSides = new WeakSet<Database.Database>();

/** Registers ORIGIN_SIDES on a connection once: (source, side) per row in, the SideRow groups out as JSON. */
function addOriginSides(db: Database.Database): void {
  if (withOriginSides.has(db)) return;
  type Groups = Map<string | null, Map<number, number>>;
  db.aggregate(ORIGIN_SIDES, {
    start: (): Groups => new Map(),
    // Two arguments per row: @types/better-sqlite3 declares one, hence the rest parameter, and better-sqlite3
    // counts declared parameters, hence varargs.
    varargs: true,
    step: (groups: Groups, ...row: unknown[]) => {
      const [source, side] = row as [string | null, number];
      let sides = groups.get(source);
      if (!sides) groups.set(source, (sides = new Map()));
      sides.set(side, (sides.get(side) ?? 0) + 1);
      return groups;
    },
    result: (groups: Groups) =>
      JSON.stringify([...groups].flatMap(([source, sides]) => [...sides].map(([side, n]): SideRow => ({ source, side, n })))),
  });
  withOriginSides.add(db);
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

function labelCounts(db: Database.Database, present: string): DatasetStats['labels'] {
  // The inner grouping follows the index order (image_id, label_id): it streams, and the outer one sorts only its groups.
  const counts = db
    .prepare(
      `SELECT labelId, SUM(n) AS instances, COUNT(*) AS images
       FROM (SELECT a.image_id, a.label_id AS labelId, COUNT(*) AS n FROM annotations a WHERE ${present} GROUP BY a.image_id, a.label_id)
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
