// IPC results are values, never thrown across the process boundary.
import { z } from 'zod';

export const ERROR_CODES = [
  'bad_request', // payload failed schema validation
  'not_found',
  'no_project', // a project must be opened first
  'invalid_file', // a file we read (COCO, project db, manifest) is malformed
  'conflict',
  'unsupported', // not available in this mode/platform
  'forbidden', // the desktop app uses only paths the user chose in a dialog this session
  'disk_full', // ENOSPC, EDQUOT, SQLITE_FULL: nothing half-written, free space and retry
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const ipcErrorSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  /** Where the problem is, e.g. "annotations[3].segmentation". */
  path: z.string().optional(),
});
export type IpcError = z.infer<typeof ipcErrorSchema>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: IpcError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: ErrorCode, message: string, path?: string): Result<never> => ({
  ok: false,
  error: path === undefined ? { code, message } : { code, message, path },
});

/** Thrown inside main-process handlers; the dispatcher turns it into a typed failure. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly path?: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}
