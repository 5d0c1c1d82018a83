// The one way imports write many annotations (COCO, every dataset format):
// one write transaction, the batch's one revision and timestamp, short ids
// that sort in input order, positional binding, and no per-row foreign-key
// lookups. An import's time is this loop and the garbage it makes, so a row
// goes straight from the importer's values to the statement.
import { randomBytes } from 'node:crypto';

import type Database from 'better-sqlite3';

import type { Geometry } from '../../common/contract/index.js';
import type { BboxXywh } from '../../common/geometry/rle.js';
import { revisionCounter } from './revisions.js';
import { type AnnotationValues, INSERT_ANNOTATION } from './rows.js';
import { writeTransaction } from './writeTransaction.js';

/**
 * Short ids that sort in input order (rows are listed by created_at, then id,
 * and an import's rows share one timestamp): 64 random bits, then a counter.
 * Short keys keep the primary-key index of a 200,000-row import small.
 */
export function batchIds(): () => string {
  const batch = randomBytes(8).toString('base64url');
  let next = 0;
  return () => `${batch}-${(next++).toString(36).padStart(7, '0')}`;
}

/** Inserts one imported annotation (geometry as geometryJson wrote it, measures from the same geometry) and answers its new id. */
export type InsertImported = (
  imageId: number,
  labelId: string | null,
  kind: Geometry['kind'],
  geometryJson: string,
  score: number | null,
  area: number,
  bbox: BboxXywh,
) => string;

/**
 * Runs `work` in one write transaction (a refusal thrown from it rolls back
 * everything, labels included) with an insert for annotations from `source`.
 * The caller has checked every image and label a row refers to (images
 * matched, labels made inside this transaction), so foreign-key checks are
 * off meanwhile: they were a third of the insert time. The pragma is a no-op
 * inside a transaction, so it is set around it and restored whatever happens.
 */
export function importTransaction<T>(db: Database.Database, source: string, work: (insert: InsertImported) => T): T {
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) === 1;
  const switchOff = foreignKeys && !db.inTransaction;
  if (switchOff) db.pragma('foreign_keys = OFF');
  try {
    return writeTransaction(db, () => {
      const statement = db.prepare<AnnotationValues>(INSERT_ANNOTATION);
      const now = Date.now();
      const newId = batchIds();
      // The import is one write batch: its annotations share the next document revision.
      const revision = revisionCounter(db)();
      return work((imageId, labelId, kind, geometryJson, score, area, bbox) => {
        const id = newId();
        statement.run(
          id,
          imageId,
          labelId,
          kind,
          geometryJson,
          score,
          source,
          now,
          now,
          area,
          bbox[0],
          bbox[1],
          bbox[2],
          bbox[3],
          revision,
          null,
          0,
        );
        return id;
      });
    });
  } finally {
    if (switchOff) db.pragma('foreign_keys = ON');
  }
}
