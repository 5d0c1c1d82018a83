// The dataset-figures thread: counts the dataset view's figures on its own
// read-only connection, so the host's thread (every other call, every edit)
// never waits for a scan of all annotations. WAL lets it read a consistent
// snapshot while the host writes. A failure (the file gone, a damaged
// database) is answered as an error for that count; the thread stays up
// and opens the file afresh for the next one.
import { parentPort, workerData } from 'node:worker_threads';

import Database from 'better-sqlite3';

import { AppError, fail, ok } from '../../common/contract/index.js';
import { countDatasetStats } from '../store/datasetStats.js';
import type { CountAnswer, CountRequest, StatsWorkerData } from './protocol.js';

const { file } = workerData as StatsWorkerData;
let db: Database.Database | null = null;

function connection(): Database.Database {
  if (db?.open) return db;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    db.pragma('cache_size = -32768'); // 32 MB: the review index of a 10,000-image project fits
    return db;
  } catch (error) {
    db = null;
    throw new AppError(
      'invalid_file',
      `Cannot read the project database ${file} to count the dataset figures: ${(error as Error).message}`,
    );
  }
}

function count(): CountAnswer['result'] {
  try {
    const start = performance.now();
    const stats = countDatasetStats(connection());
    return ok({ ...stats, ms: performance.now() - start });
  } catch (error) {
    // A failed read may have left the connection unusable: the next count opens a new one.
    db?.close();
    db = null;
    if (error instanceof AppError) return fail(error.code, error.message);
    return fail('internal', `Counting the dataset figures in ${file} failed: ${(error as Error).message}`);
  }
}

parentPort?.on('message', (request: CountRequest) => {
  const answer: CountAnswer = { seq: request.seq, result: count() };
  parentPort?.postMessage(answer);
});
