// Another process writing the same project (the app and a `promptlabel serve`
// tab, or a CLI import) commits through its own database connection, so this
// host's clients hear nothing from its handlers. SQLite's `data_version`
// changes on this connection exactly when another connection has committed;
// polling it costs one pragma, and a change tells every client to reload.
import type Database from 'better-sqlite3';

export const EXTERNAL_POLL_MS = 500;

/** Calls `onChange` (at most once per poll) after another connection commits to `db`; answers the stop function. */
export function watchExternalChanges(db: Database.Database, onChange: () => void, intervalMs = EXTERNAL_POLL_MS): () => void {
  const version = (): number | null => {
    try {
      return db.open ? Number(db.pragma('data_version', { simple: true })) : null;
    } catch {
      return null; // busy or closing: the next poll sees the change
    }
  };
  let last = version();
  const timer = setInterval(() => {
    const now = version();
    if (now === null || now === last) return;
    last = now;
    onChange();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
