// The project-wide document revision (schema migration 3). Every write batch
// takes the next number inside its own transaction, so revisions are unique
// across processes and never reused: a stale client cannot match a newer row.
import type Database from 'better-sqlite3';

const NEXT = 'UPDATE document_revision SET value = value + 1 WHERE id = 1 RETURNING value';

/** A statement that raises the counter and answers the new revision; run it inside the write transaction. */
export function revisionCounter(db: Database.Database): () => number {
  const next = db.prepare<[], { value: number }>(NEXT);
  return () => {
    const row = next.get();
    if (!row) throw new Error('The project database has no document revision counter.');
    return row.value;
  };
}
