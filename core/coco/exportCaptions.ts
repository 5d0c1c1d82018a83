// Captions as a COCO captions file, and captions with word traces as
// Localized Narratives JSON lines (core/narratives writes each record).
import { writeFileAtomic } from '../../files/atomicWrite.js';
import { serializeNarrative } from '../narratives/lnFormat.js';
import { captionToRecord } from '../narratives/narrativeRecords.js';
import type { Project } from '../store/project.js';
import { CAPTION_COLUMNS, captionFromRow, type CaptionRow } from '../store/rows.js';
import type { SizedImage } from './projectImages.js';

/** "<dir>/foo.json" → "<dir>/foo.<suffix>". */
export function companionPath(outPath: string, suffix: string): string {
  return `${outPath.replace(/\.json$/i, '')}.${suffix}`;
}

/** Writes both files; answers the number of captions exported. `imageIdOf`: the COCO image ids the instances file uses (cocoIds). */
export function exportCaptionFiles(
  project: Project,
  images: readonly SizedImage[],
  outPath: string,
  imageIdOf?: ReadonlyMap<number, number>,
): number {
  const cocoId = (id: number) => imageIdOf?.get(id) ?? id;
  const imageById = new Map(images.map((image) => [image.id, image]));
  const rows = project.db.prepare(`SELECT ${CAPTION_COLUMNS} FROM captions ORDER BY image_id, created_at, id`).all() as CaptionRow[];
  const captions = rows.map(captionFromRow).filter((caption) => imageById.has(caption.imageId));
  const coco = {
    info: { description: `promptlabel captions of ${project.summary().name}` },
    licenses: [],
    images: images.map((image) => ({ id: cocoId(image.id), file_name: image.relPath, width: image.width, height: image.height })),
    annotations: captions.map((caption, index) => ({ id: index + 1, image_id: cocoId(caption.imageId), caption: caption.text })),
  };
  writeFileAtomic(companionPath(outPath, 'captions.json'), JSON.stringify(coco));
  const lines = captions
    .filter((caption) => caption.words.length > 0)
    .map((caption) => serializeNarrative(captionToRecord(caption, imageById.get(caption.imageId)!)));
  writeFileAtomic(companionPath(outPath, 'narratives.jsonl'), lines.length ? `${lines.join('\n')}\n` : '');
  return captions.length;
}
