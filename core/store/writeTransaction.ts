// Every write to a project database goes through here. BEGIN IMMEDIATE takes
// the write lock up front, so busy_timeout applies: a deferred transaction
// that reads first and then upgrades to a write fails at once with "database
// is locked" when another process (the app and a CLI import) wrote meanwhile.
// Failures a user can act on (disk full, read-only, still locked after the
// timeout) come back as plain AppErrors instead of 'internal'.
import { dirname } from 'node:path';

import type Database from 'better-sqlite3';

import { AppError } from '../../common/contract/index.js';
import { errorCode, plainWriteError } from '../../files/fsErrors.js';

/** Runs `work` in one IMMEDIATE transaction (a savepoint when already inside one) and answers its value. */
export function writeTransaction<T>(db: Database.Database, work: () => T): T {
  try {
    return db.transaction(work).immediate();
  } catch (error) {
    throw databaseWriteError(error, db.name);
  }
}

export function databaseWriteError(error: unknown, file: string): unknown {
  if (errorCode(error)?.startsWith('SQLITE_BUSY')) {
    return new AppError('conflict', `The project database ${file} is busy: another program kept it locked for more than 5 s. Try again.`);
  }
  return plainWriteError(error, `cannot save to the project database ${file}`, dirname(file));
}
