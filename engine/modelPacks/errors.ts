// Why fetching a model pack failed, as a value the CLI and the UI can act on
// (offer a retry when offline, say "cancelled" without alarm) while the
// message stays readable on its own.
import { AppError, type ErrorCode } from '../../common/contract/result.js';

export type ModelPackFailure =
  /** DNS or connection refused: no network, or the registry address is wrong. */
  | 'offline'
  /** The server stopped answering for longer than the timeout. */
  | 'timeout'
  /** The connection broke or the body ended early. */
  | 'interrupted'
  /** The user (or the app) aborted. */
  | 'cancelled'
  /** The server answered with an unexpected HTTP status. */
  | 'http'
  /** No such package, version or model in the package. */
  | 'not-found'
  /** The tarball is not the one the registry (or this app) vouches for. */
  | 'integrity'
  /** The package's content is malformed: bad tarball, chunk hash or size mismatch, missing chunk. */
  | 'corrupt'
  /** The model is already installed (or being installed) and `force` was not given. */
  | 'exists';

const ERROR_CODE: Record<ModelPackFailure, ErrorCode> = {
  offline: 'unsupported',
  timeout: 'unsupported',
  interrupted: 'unsupported',
  cancelled: 'conflict',
  http: 'unsupported',
  'not-found': 'not_found',
  integrity: 'invalid_file',
  corrupt: 'invalid_file',
  exists: 'conflict',
};

export class ModelPackError extends AppError {
  constructor(
    readonly failure: ModelPackFailure,
    message: string,
    path?: string,
  ) {
    super(ERROR_CODE[failure], message, path);
    this.name = 'ModelPackError';
  }
}

export function isModelPackError(error: unknown, failure?: ModelPackFailure): error is ModelPackError {
  return error instanceof ModelPackError && (failure === undefined || error.failure === failure);
}
