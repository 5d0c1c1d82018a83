// Class names a user gives beside a YOLO model whose graph has none: an
// Ultralytics dataset YAML (`names:` as a list or as {index: name}), an
// X-AnyLabeling model YAML (`classes:` list), or a text file with one name
// per line. Read with the `yaml` package, bounded, and validated the same way
// as the names in a graph's metadata (indexes 0..n-1, each once).
import { readFile, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';

import { parse as parseYaml } from 'yaml';

import { AppError } from '../../common/contract/result.js';

const MAX_BYTES = 1024 * 1024;

function fromYamlValue(value: unknown, where: string): string[] {
  if (Array.isArray(value)) {
    return value.map((name, i) => {
      if ((typeof name !== 'string' && typeof name !== 'number') || !String(name).trim())
        throw new Error(`${where}: class ${i} is not a non-empty name`);
      return String(name);
    });
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>);
    const names: string[] = [];
    for (const [key, name] of entries) {
      const index = /^\d+$/.test(key) ? Number(key) : NaN;
      if (!(index >= 0 && index < entries.length)) throw new Error(`${where}: class index "${key}" is not one of 0..${entries.length - 1}`);
      if ((typeof name !== 'string' && typeof name !== 'number') || !String(name).trim())
        throw new Error(`${where}: class ${index} is not a non-empty name`);
      names[index] = String(name);
    }
    return names;
  }
  throw new Error(`${where}: expected a list of names or a map of class index to name`);
}

/** Class names from a parsed YAML document: `names` (Ultralytics data.yaml) or `classes` (X-AnyLabeling). */
export function classNamesFromYaml(doc: unknown, where: string): string[] {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    if (Array.isArray(doc)) return fromYamlValue(doc, where);
    throw new Error(`${where} holds no "names" list`);
  }
  const record = doc as Record<string, unknown>;
  const value = record.names ?? record.classes;
  if (value === undefined) throw new Error(`${where} has no "names" (or "classes") entry`);
  const names = fromYamlValue(value, `${where} "${record.names !== undefined ? 'names' : 'classes'}"`);
  if (typeof record.nc === 'number' && record.nc !== names.length)
    throw new Error(`${where} says nc: ${record.nc} but lists ${names.length} names`);
  if (!names.length) throw new Error(`${where} lists no class names`);
  return names;
}

/** Reads class names from a .yaml / .yml file or a text file with one name per line. */
export async function readNamesFile(path: string): Promise<string[]> {
  const name = basename(path);
  let text: string;
  try {
    const info = await stat(path);
    if (info.size > MAX_BYTES)
      throw new AppError('invalid_file', `${name} is ${info.size} bytes; a names file is at most ${MAX_BYTES}`, path);
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError(
      'not_found',
      `Cannot read the names file ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
      path,
    );
  }
  try {
    if (/^\.ya?ml$/i.test(extname(path))) {
      let doc: unknown;
      try {
        doc = parseYaml(text, { maxAliasCount: 16 });
      } catch (error) {
        throw new Error(`${name} is not valid YAML: ${(error as Error).message.split('\n')[0]}`, { cause: error });
      }
      return classNamesFromYaml(doc, name);
    }
    const names = text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean);
    if (!names.length) throw new Error(`${name} lists no class names (one per line)`);
    return names;
  } catch (error) {
    throw new AppError('invalid_file', (error as Error).message, path);
  }
}
