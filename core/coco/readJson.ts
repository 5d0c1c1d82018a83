// Reads a JSON file and checks it against a schema; every failure becomes
// AppError('invalid_file') naming the field, e.g. "annotations[12].segmentation",
// or for a syntax error the line and column, never the file's own text.
import { readFileSync } from 'node:fs';

import type { z } from 'zod';

import { AppError } from '../../common/contract/index.js';
import { parseJsonText } from '../../files/jsonSyntax.js';
import { formatIssuePath } from './schema.js';

export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AppError('invalid_file', `Cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return parseJsonText(text, path);
  } catch (error) {
    throw new AppError('invalid_file', (error as Error).message);
  }
}

/** `prefix` is where `value` sits in the file, e.g. "annotations[3]". */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown, what: string, prefix = ''): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const inner = issue ? formatIssuePath(issue.path) : '(root)';
  const path = prefix === '' ? inner : inner === '(root)' ? prefix : inner.startsWith('[') ? `${prefix}${inner}` : `${prefix}.${inner}`;
  throw new AppError('invalid_file', `${what}: ${path}: ${issue?.message ?? 'invalid'}`, path);
}

/** Refuses a file where two entries of a list share an id. */
export function assertUniqueIds(items: readonly { id: number }[], listName: string): void {
  const seen = new Map<number, number>();
  items.forEach((item, index) => {
    const first = seen.get(item.id);
    if (first !== undefined) {
      const path = `${listName}[${index}].id`;
      throw new AppError('invalid_file', `${path}: id ${item.id} is already used by ${listName}[${first}].`, path);
    }
    seen.set(item.id, index);
  });
}
