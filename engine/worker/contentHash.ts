// Which image content a file holds: every cache (features, decoded pixels,
// crop outputs) is keyed by it, so an edited file is never served stale.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

import { AppError } from '../../common/contract/index.js';

/** Content hashes memoised by path, size and mtime: hashing a large photo on every click would cost more than the decoder. */
const contentHashes = new Map<string, { stamp: string; hash: string }>();

export function contentHash(path: string): string {
  let stamp: string;
  try {
    const stats = statSync(path);
    stamp = `${stats.size}:${stats.mtimeMs}`;
  } catch {
    throw new AppError('not_found', `Image file not found: ${path}`);
  }
  const known = contentHashes.get(path);
  if (known?.stamp === stamp) return known.hash;
  const hash = createHash('sha256').update(readFileSync(path)).digest('hex');
  contentHashes.set(path, { stamp, hash });
  return hash;
}
