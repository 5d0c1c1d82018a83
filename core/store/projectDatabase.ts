// Opens a project's SQLite file, refusing the ones that would silently lose
// work: a missing file (and only that) means a new project; an empty (0-byte)
// file, a file that is not a database, or one that fails `PRAGMA quick_check`
// is refused with its name and a way out, instead of opening as an empty
// project or failing on later reads while writes still succeed. A new
// database is built under a temporary name and linked into place, so a crash
// while creating it never leaves the 0-byte file that the next start would
// refuse.
import { accessSync, constants, linkSync, lstatSync, renameSync, rmSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';

import Database from 'better-sqlite3';

import { AppError } from '../../common/contract/index.js';
import { errorCode, isNotWritable, notWritableError, plainWriteError } from '../../files/fsErrors.js';
import { migrate } from './schema.js';

export function openProjectDatabase(file: string): Database.Database {
  const folder = dirname(file);
  try {
    accessSync(folder, constants.W_OK);
  } catch (error) {
    if (isNotWritable(error)) throw notWritableError(folder, 'the project database cannot be saved there');
    throw error;
  }
  const stats = lstatOrNull(file);
  if (!stats) createDatabase(file);
  else if (!stats.isFile()) throw damaged(file, 'it is not a file');
  else if (stats.size === 0) throw damaged(file, 'it is empty (0 bytes)');

  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: true });
  } catch (error) {
    throw openError(error, file);
  }
  try {
    db.pragma('busy_timeout = 5000'); // first: switching to WAL may wait for another process
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('cache_size = -65536'); // 64 MB: bulk imports stay in memory until commit
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw damaged(file, String(check));
    return db;
  } catch (error) {
    db.close();
    throw openError(error, file);
  }
}

/** Builds a complete new database beside `file`, then links it in unless another process made one first. */
function createDatabase(file: string): void {
  const temp = `${file}.new-${process.pid}-${Date.now()}`;
  try {
    const db = new Database(temp);
    try {
      migrate(db);
    } finally {
      db.close();
    }
    try {
      linkSync(temp, file);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'EEXIST') return; // another process created it meanwhile: use theirs
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
      if (!lstatOrNull(file)) renameSync(temp, file); // no hard links on this file system (FAT, some network shares)
    }
  } catch (error) {
    throw openError(error, file);
  } finally {
    for (const path of [temp, `${temp}-journal`]) rmSync(path, { force: true });
  }
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
}

const damaged = (file: string, detail: string) =>
  new AppError(
    'invalid_file',
    `The project database ${file} is damaged (${detail}). Restore it from a backup, or move it (with any -wal and -shm files beside it) out of the folder to start the project afresh.`,
  );

function openError(error: unknown, file: string): unknown {
  if (error instanceof AppError) return error;
  const code = errorCode(error) ?? '';
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) return damaged(file, (error as Error).message);
  if (code.startsWith('SQLITE_CANTOPEN')) return notWritableError(dirname(file), `cannot open the project database ${file}`);
  const plain = plainWriteError(error, `cannot write the project database ${file}`, dirname(file));
  if (plain instanceof AppError) return plain;
  return new AppError('invalid_file', `Cannot open the project database ${file}: ${(error as Error).message}`);
}
