// Imports a Localized Narratives JSON-lines file as captions. Every line is
// parsed, matched to an image of the project and checked as a caption before
// anything is written; the first fault refuses the file with its line and
// field, and the project is left as it was. Images are matched by the ids of
// a COCO file when one is given, and by file stem (LN writes COCO's ids
// without their zero padding: "137576" is 000000137576.jpg).
import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

import { z } from 'zod';

import { AppError, type Caption, captionSchema, type NarrativeImportSummary } from '../../common/contract/index.js';
import type { ProgressCallback } from '../coco/import.js';
import { imageRowsByPath, storeNewSizes, withSizes } from '../coco/projectImages.js';
import { parseWith, readJsonFile } from '../coco/readJson.js';
import { formatIssuePath } from '../coco/schema.js';
import type { Project } from '../store/project.js';
import { captionParams, INSERT_CAPTION } from '../store/rows.js';
import { writeTransaction } from '../store/writeTransaction.js';
import { lineError, parseNarratives } from './lnFormat.js';
import { lnImageId, recordToCaption } from './narrativeRecords.js';

/** JSON-lines files larger than this are refused before reading (a string in V8 holds at most ~512 MB). */
const MAX_FILE_BYTES = 400 * 1024 * 1024;

export interface NarrativeImportOptions {
  /** A COCO file whose images (id, file_name) say which project image each image_id is. */
  cocoPath?: string;
  /** Leave out narratives of images the project does not have, instead of refusing the file. */
  skipUnmatched?: boolean;
}

const cocoImageIdsSchema = z.looseObject({
  images: z.array(z.looseObject({ id: z.number().int().nonnegative(), file_name: z.string().min(1) })),
});

export async function importNarratives(
  project: Project,
  path: string,
  options: NarrativeImportOptions = {},
  onProgress?: ProgressCallback,
): Promise<NarrativeImportSummary> {
  const lines = parseNarratives(readText(path), path);
  const byId = imageKeys(project, options.cocoPath);

  const matched: { line: number; record: (typeof lines)[number]['record']; row: ImageKeyRow }[] = [];
  let skipped = 0;
  for (const { line, record } of lines) {
    const rows = byId.get(record.image_id) ?? byId.get(lnImageId(record.image_id)) ?? [];
    if (rows.length > 1) {
      const names = rows
        .map((row) => row.rel_path)
        .sort()
        .join(', ');
      throw lineError(path, line, 'image_id', `"${record.image_id}" matches several images (${names}); give a COCO file to say which.`);
    }
    if (rows.length === 0) {
      if (options.skipUnmatched) {
        skipped++;
        continue;
      }
      const how = options.cocoPath ? "by the COCO file's ids or by file stem" : 'by file stem';
      throw lineError(path, line, 'image_id', `"${record.image_id}" is no image of this project (matched ${how}).`);
    }
    matched.push({ line, record, row: rows[0]! });
  }

  const uniqueRows = [...new Map(matched.map((m) => [m.row.id, m.row])).values()];
  const sized = new Map((await withSizes(project, uniqueRows)).map((image) => [image.id, image]));
  const now = Date.now();
  const batch = randomUUID();
  const captions: Caption[] = matched.map(({ line, record, row }, index) => {
    // Ids that sort in file order: an image's captions are listed by created_at, then id.
    const id = `${batch}-${index.toString().padStart(8, '0')}`;
    const caption = recordToCaption(record, row.id, sized.get(row.id)!, id, now);
    const checked = captionSchema.safeParse(caption);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      throw lineError(path, line, `(as a caption) ${formatIssuePath(issue.path)}`, issue.message);
    }
    return checked.data;
  });

  writeTransaction(project.db, () => {
    storeNewSizes(project, [...sized.values()]);
    const insert = project.db.prepare(INSERT_CAPTION);
    for (const caption of captions) insert.run(captionParams(caption));
  });
  onProgress?.(1, 1);
  return { narratives: lines.length, captions: captions.length, images: uniqueRows.length, skipped };
}

function readText(path: string): string {
  try {
    const size = statSync(path).size;
    if (size > MAX_FILE_BYTES)
      throw new AppError('invalid_file', `${path} is ${size} bytes; split it into files under 400 MB (LN shards are).`);
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('invalid_file', `Cannot read ${path}: ${(error as Error).message}`);
  }
}

interface ImageKeyRow {
  id: number;
  rel_path: string;
  width: number | null;
  height: number | null;
}

/** image_id → the project images it may name: a COCO file's ids first, then every image's LN id (its stem). */
function imageKeys(project: Project, cocoPath: string | undefined): Map<string, ImageKeyRow[]> {
  const byPath = imageRowsByPath(project);
  const keys = new Map<string, ImageKeyRow[]>();
  const add = (key: string, row: ImageKeyRow) => {
    const list = keys.get(key);
    if (!list) keys.set(key, [row]);
    else if (!list.includes(row)) list.push(row);
  };
  const fromCoco = new Set<string>();
  if (cocoPath !== undefined) {
    const coco = parseWith(cocoImageIdsSchema, readJsonFile(cocoPath), cocoPath);
    for (const image of coco.images) {
      const row = byPath.get(image.file_name.replace(/\\/g, '/').replace(/^\.\//, ''));
      if (!row) continue; // the COCO file may list more images than the project has
      keys.set(String(image.id), [row]);
      fromCoco.add(String(image.id));
    }
  }
  for (const row of byPath.values()) {
    const key = lnImageId(row.rel_path);
    if (!fromCoco.has(key)) add(key, row);
  }
  return keys;
}
