// Refusals and reads shared by the converters: every message names the file
// (with its line or XML element) and the field at fault.
import { readdirSync, readFileSync, statSync } from 'node:fs';

import { AppError } from '../../common/contract/index.js';

/** `where`: the file and its line or element; `field`: the value at fault. */
export const refuse = (where: string, field: string, message: string) =>
  new AppError('invalid_file', `${where}: ${field}: ${message}`, `${where}#${field}`);

export function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new AppError('not_found', `Cannot read the ${what} ${path}: ${(error as Error).message}`, 'path');
  }
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function requireExists(path: string, what: string): void {
  try {
    statSync(path);
  } catch {
    throw new AppError('not_found', `There is no ${what} at ${path}.`, 'path');
  }
}

/** A finite number from text, or a refusal naming the field. */
export function numberField(text: string | undefined, where: string, field: string): number {
  const value = text === undefined || text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(value))
    throw refuse(where, field, `expected a number, found ${text === undefined ? 'nothing' : JSON.stringify(text)}.`);
  return value;
}

/** Files under `dir` (recursive, dot-folders skipped) whose names pass `keep`, sorted, as '/' paths relative to `dir`. */
export function listFiles(dir: string, keep: (name: string) => boolean): string[] {
  const found: string[] = [];
  const walk = (rel: string) => {
    const entries = readdirSync(rel === '' ? dir : `${dir}/${rel}`, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (keep(entry.name)) found.push(child);
    }
  };
  walk('');
  return found.sort();
}
