// Small pieces every COCO importer shares: the source it records, its row ids, its refusals.
import { randomBytes } from 'node:crypto';

import { AppError } from '../../common/contract/index.js';

/** Source recorded on imported annotations and captions. */
export const IMPORT_SOURCE = 'coco-import';

/**
 * Short ids that sort in file order (rows are listed by created_at, then id,
 * and share one timestamp): 64 random bits, then a counter. Short keys keep
 * the primary-key index of a 200,000-row import small.
 */
export function batchIds(): () => string {
  const batch = randomBytes(8).toString('base64url');
  let next = 0;
  return () => `${batch}-${(next++).toString(36).padStart(7, '0')}`;
}

export const refuse = (path: string, message: string) => new AppError('invalid_file', `${path}: ${message}`, path);
