// Versioned schema: PRAGMA user_version counts the migration steps applied.
// Steps are append-only; each runs in its own transaction, so a crash mid-way
// leaves the database at the previous version, never half-migrated.
import type Database from 'better-sqlite3';

import { AppError, geometrySchema } from '../../common/contract/index.js';
import { measureGeometry } from '../../common/geometry/measure.js';
import { writeTransaction } from './writeTransaction.js';

export type Migration = (db: Database.Database) => void;

export const MIGRATIONS: readonly Migration[] = [
  // 1: the initial tables.
  (db) =>
    db.exec(`
      CREATE TABLE images (
        id INTEGER PRIMARY KEY,
        rel_path TEXT NOT NULL UNIQUE,
        sort_key TEXT NOT NULL,
        width INTEGER,
        height INTEGER,
        status TEXT NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'in_progress', 'done')),
        size INTEGER NOT NULL,
        mtime_ms REAL NOT NULL
      );
      CREATE INDEX images_sort ON images (sort_key);
      CREATE TABLE labels (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        colour TEXT NOT NULL,
        hotkey TEXT,
        sort INTEGER NOT NULL
      );
      CREATE TABLE annotations (
        id TEXT PRIMARY KEY,
        image_id INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
        label_id TEXT REFERENCES labels (id),
        kind TEXT NOT NULL CHECK (kind IN ('box', 'polygon', 'mask')),
        geometry TEXT NOT NULL,
        score REAL,
        source TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      -- No index on label_id: it would cost every insert (~5% of a bulk import)
      -- to speed up only label.delete, which is rare and fine as a table scan.
      CREATE INDEX annotations_image ON annotations (image_id);
      CREATE TABLE captions (
        id TEXT PRIMARY KEY,
        image_id INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
        text TEXT NOT NULL,
        words TEXT NOT NULL,
        source TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX captions_image ON captions (image_id);
    `),
  // 2: files that vanished from the folder are kept (with their annotations) but flagged;
  // cached measures let exports skip decoding every geometry; label order survives delete+undo.
  (db) => {
    db.exec(`
      ALTER TABLE images ADD COLUMN missing INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE annotations ADD COLUMN area REAL NOT NULL DEFAULT 0;
      ALTER TABLE annotations ADD COLUMN bbox_x REAL NOT NULL DEFAULT 0;
      ALTER TABLE annotations ADD COLUMN bbox_y REAL NOT NULL DEFAULT 0;
      ALTER TABLE annotations ADD COLUMN bbox_w REAL NOT NULL DEFAULT 0;
      ALTER TABLE annotations ADD COLUMN bbox_h REAL NOT NULL DEFAULT 0;
      CREATE TABLE label_order (id TEXT PRIMARY KEY, sort INTEGER NOT NULL);
      INSERT INTO label_order (id, sort) SELECT id, sort FROM labels;
    `);
    backfillMeasures(db);
  },
  // 3: revisions, so a write from a client that has not seen the latest change is refused
  // (two windows on one project). One project-wide counter, raised by every write batch:
  // existing annotations start at revision 1, the counter's current value.
  (db) =>
    db.exec(`
      ALTER TABLE annotations ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
      CREATE TABLE document_revision (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
      INSERT INTO document_revision (id, value) VALUES (1, 1);
    `),
  // 4: auto-labeling. A job (its sources, thresholds and image set) and its
  // progress per image live here so a killed app resumes it; its proposals
  // are not annotations until accepted. Accepted ones keep the job they came
  // from; "stuff" labels are merged into one region per image; examples are
  // accepted annotations the user marked for by-example jobs.
  (db) =>
    db.exec(`
      ALTER TABLE labels ADD COLUMN stuff INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE annotations ADD COLUMN job_id TEXT;
      ALTER TABLE annotations ADD COLUMN example INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL CHECK (source IN ('names', 'examples', 'detector', 'features')),
        model_id TEXT NOT NULL,
        params TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('running', 'paused', 'cancelled', 'done', 'failed')),
        message TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE job_images (
        job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        image_id INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
        proposals INTEGER NOT NULL DEFAULT 0,
        ms REAL,
        message TEXT,
        PRIMARY KEY (job_id, image_id)
      );
      CREATE INDEX job_images_pending ON job_images (job_id, state, seq);
      CREATE TABLE proposals (
        id TEXT PRIMARY KEY,
        job_id TEXT REFERENCES jobs (id) ON DELETE SET NULL,
        image_id INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
        label_id TEXT REFERENCES labels (id) ON DELETE SET NULL,
        kind TEXT NOT NULL CHECK (kind IN ('box', 'polygon', 'mask')),
        geometry TEXT NOT NULL,
        score REAL NOT NULL,
        source TEXT NOT NULL,
        run_key TEXT NOT NULL,
        area REAL NOT NULL,
        bbox_x REAL NOT NULL,
        bbox_y REAL NOT NULL,
        bbox_w REAL NOT NULL,
        bbox_h REAL NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX proposals_image ON proposals (image_id, score);
      CREATE INDEX proposals_run ON proposals (run_key, image_id);
    `),
  // 5: recorded narratives: a caption's whole mouse trace (JSON segments of {x, y, t})
  // and, for one imported from Localized Narratives, where it came from (JSON); NULL when absent.
  (db) =>
    db.exec(`
      ALTER TABLE captions ADD COLUMN trace TEXT;
      ALTER TABLE captions ADD COLUMN narrative TEXT;
    `),
  // Review: the dataset view's figures and the list's review filter read only these
  // columns, so they scan this index and never an annotation's geometry (10,000 images
  // × 20 annotations answer in tens of ms). It starts with image_id, so it also serves
  // every per-image lookup annotations_image did; that one goes, and an insert
  // still updates one index.
  (db) =>
    db.exec(`
      CREATE INDEX annotations_review ON annotations (image_id, label_id, source, job_id, score, area);
      DROP INDEX annotations_image;
    `),
  // COCO fidelity: what an imported file said that our own model does not hold, so an
  // export writes it back (see core/coco/kept.ts). Images keep their COCO id. Labels and
  // annotations keep theirs in side tables keyed by our id without a foreign key, so a
  // delete and its undo (which re-inserts the same id) or an edit (INSERT OR REPLACE)
  // keeps them; rows of ids that no longer exist are ignored.
  (db) =>
    db.exec(`
      ALTER TABLE images ADD COLUMN coco_id INTEGER;
      CREATE TABLE coco_categories (
        label_id TEXT PRIMARY KEY,
        coco_id INTEGER NOT NULL,
        supercategory TEXT,
        extra TEXT
      ) WITHOUT ROWID;
      CREATE TABLE coco_annotations (
        annotation_id TEXT PRIMARY KEY,
        iscrowd INTEGER NOT NULL DEFAULT 0,
        area REAL,
        measured_area REAL,
        extra TEXT
      ) WITHOUT ROWID;
    `),
];

/** Fills the cached area/bbox columns of annotations written before they existed. */
function backfillMeasures(db: Database.Database): void {
  const update = db.prepare('UPDATE annotations SET area = ?, bbox_x = ?, bbox_y = ?, bbox_w = ?, bbox_h = ? WHERE id = ?');
  const rows = db.prepare('SELECT id, geometry FROM annotations').all() as { id: string; geometry: string }[];
  for (const row of rows) {
    const parsed = geometrySchema.safeParse(JSON.parse(row.geometry));
    if (!parsed.success) throw new AppError('invalid_file', `Annotation ${row.id} in the project database has invalid geometry.`);
    const { area, bbox } = measureGeometry(parsed.data);
    update.run(area, bbox[0], bbox[1], bbox[2], bbox[3], row.id);
  }
}

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the database up to `target` (default: the newest); refuses a database from a newer app. */
export function migrate(db: Database.Database, target: number = SCHEMA_VERSION): number {
  const current = db.pragma('user_version', { simple: true });
  if (typeof current !== 'number') throw new AppError('invalid_file', 'The project database has no readable schema version.');
  if (current > SCHEMA_VERSION) {
    throw new AppError(
      'invalid_file',
      `This project was saved by a newer version of promptlabel (schema ${current}; this app knows up to ${SCHEMA_VERSION}). Update the app to open it.`,
    );
  }
  for (let version = current; version < target; version++) {
    const step = MIGRATIONS[version]!;
    writeTransaction(db, () => {
      if (Number(db.pragma('user_version', { simple: true })) > version) return; // another process migrated meanwhile
      step(db);
      db.pragma(`user_version = ${version + 1}`);
    });
  }
  return Math.max(current, target);
}
