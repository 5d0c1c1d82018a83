// The file-system failures a user can act on, said plainly: a full disk or
// quota, a read-only or unwritable folder. Node reports them as errno codes
// (ENOSPC, EROFS…) and better-sqlite3 as SQLite codes (SQLITE_FULL…); both
// would otherwise reach the user as 'internal' errors with a raw message.
import { AppError } from '../common/contract/index.js';

const DISK_FULL = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);
const NOT_WRITABLE = new Set(['EACCES', 'EPERM', 'EROFS']);

/** The errno (or SQLite) code of an error, if it has one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const { code } = error;
  return typeof code === 'string' ? code : undefined;
}

export const isDiskFull = (error: unknown): boolean => DISK_FULL.has(errorCode(error) ?? '');

/** True for EACCES/EPERM/EROFS and every SQLITE_READONLY variant. */
export const isNotWritable = (error: unknown): boolean => {
  const code = errorCode(error) ?? '';
  return NOT_WRITABLE.has(code) || code.startsWith('SQLITE_READONLY');
};

export const diskFullError = (what: string): AppError =>
  new AppError('disk_full', `The disk is full: ${what}. Free some space and try again; nothing was half-written.`);

export const notWritableError = (folder: string, what: string): AppError =>
  new AppError('bad_request', `${folder} is read-only or not writable: ${what}.`);

/**
 * A plain AppError for a full disk or an unwritable place, else the error as
 * it was. `what` says what failed ("cannot write /x/y.json"); `folder` is the
 * place named when it is not writable.
 */
export function plainWriteError(error: unknown, what: string, folder: string): unknown {
  if (error instanceof AppError) return error;
  if (isDiskFull(error)) return diskFullError(what);
  if (isNotWritable(error)) return notWritableError(folder, what);
  return error;
}
