// Exports the project's captions as Localized Narratives JSON lines (one
// record per caption with words, in image then creation order), written
// atomically to a target checked like every export's.

import { AppError, type NarrativeExportSummary } from '../../common/contract/index.js';
import { writeFileAtomic } from '../../files/atomicWrite.js';
import { isDiskFull } from '../../files/fsErrors.js';
import { checkExportTarget, resolveExportPath } from '../coco/exportTarget.js';
import { type SizedImage, withSizes } from '../coco/projectImages.js';
import type { Project } from '../store/project.js';
import { CAPTION_COLUMNS, captionFromRow, type CaptionRow } from '../store/rows.js';
import { serializeNarrative } from './lnFormat.js';
import { captionToRecord } from './narrativeRecords.js';

export interface NarrativeExportOptions {
  /** Defaults to <project>/exports/narratives-<timestamp>.jsonl; a relative path is relative to the project folder. */
  outPath?: string;
  overwrite?: boolean;
}

/** The JSON lines of every caption with words, and how many captions had none. */
export async function narrativeLines(project: Project): Promise<{ lines: string[]; skippedWithoutWords: number }> {
  const rows = project.db.prepare(`SELECT ${CAPTION_COLUMNS} FROM captions ORDER BY image_id, created_at, id`).all() as CaptionRow[];
  const captions = rows.map(captionFromRow);
  const withWords = captions.filter((caption) => caption.words.length > 0);
  const imageIds = [...new Set(withWords.map((caption) => caption.imageId))];
  const imageRows = imageIds.length
    ? (project.db
        .prepare(`SELECT id, rel_path, width, height FROM images WHERE id IN (${imageIds.map(() => '?').join(',')})`)
        .all(...imageIds) as { id: number; rel_path: string; width: number | null; height: number | null }[])
    : [];
  const images = new Map<number, SizedImage>((await withSizes(project, imageRows)).map((image) => [image.id, image]));
  const lines = withWords.map((caption) => serializeNarrative(captionToRecord(caption, images.get(caption.imageId)!)));
  return { lines, skippedWithoutWords: captions.length - withWords.length };
}

export async function exportNarratives(project: Project, options: NarrativeExportOptions = {}): Promise<NarrativeExportSummary> {
  const path = resolveExportPath(project, options.outPath, 'narratives', '.jsonl');
  checkExportTarget(project, path, options.overwrite ?? false);
  const { lines, skippedWithoutWords } = await narrativeLines(project);
  try {
    writeFileAtomic(path, lines.length ? `${lines.join('\n')}\n` : '');
  } catch (error) {
    throw new AppError(isDiskFull(error) ? 'disk_full' : 'internal', `Writing ${path} failed: ${(error as Error).message}`);
  }
  return { path, narratives: lines.length, skippedWithoutWords };
}
