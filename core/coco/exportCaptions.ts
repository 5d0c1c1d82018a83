// Captions as a COCO captions file, and captions with word traces as
// Localized Narratives JSON lines (points normalised to 0..1 of the image).
import type { Caption, TraceWord } from '../../common/contract/index.js';
import { writeFileAtomic } from '../../files/atomicWrite.js';
import type { Project } from '../store/project.js';
import { CAPTION_COLUMNS, captionFromRow, type CaptionRow } from '../store/rows.js';
import type { SizedImage } from './projectImages.js';

/** Seconds per word when a caption has no timing (model captions): LN needs times. */
const SYNTHETIC_WORD_SECONDS = 0.4;

/** "<dir>/foo.json" → "<dir>/foo.<suffix>". */
export function companionPath(outPath: string, suffix: string): string {
  return `${outPath.replace(/\.json$/i, '')}.${suffix}`;
}

/** Writes both files; answers the number of captions exported. */
export function exportCaptionFiles(project: Project, images: readonly SizedImage[], outPath: string): number {
  const imageById = new Map(images.map((image) => [image.id, image]));
  const rows = project.db.prepare(`SELECT ${CAPTION_COLUMNS} FROM captions ORDER BY image_id, created_at, id`).all() as CaptionRow[];
  const captions = rows.map(captionFromRow).filter((caption) => imageById.has(caption.imageId));
  const coco = {
    info: { description: `promptlabel captions of ${project.summary().name}` },
    licenses: [],
    images: images.map((image) => ({ id: image.id, file_name: image.relPath, width: image.width, height: image.height })),
    annotations: captions.map((caption, index) => ({ id: index + 1, image_id: caption.imageId, caption: caption.text })),
  };
  writeFileAtomic(companionPath(outPath, 'captions.json'), JSON.stringify(coco));
  const lines = captions
    .filter((caption) => caption.words.length > 0)
    .map((caption) => JSON.stringify(narrative(caption, imageById.get(caption.imageId)!)));
  writeFileAtomic(companionPath(outPath, 'narratives.jsonl'), lines.length ? `${lines.join('\n')}\n` : '');
  return captions.length;
}

function narrative(caption: Caption, image: SizedImage) {
  const times = wordTimes(caption.words);
  return {
    dataset_id: 'promptlabel',
    image_id: String(image.id),
    annotator_id: 0,
    caption: caption.text,
    timed_caption: caption.words.map((word, i) => ({ utterance: word.word, start_time: times[i]!.start, end_time: times[i]!.end })),
    traces: [
      caption.words.map((word, i) => ({
        x: round4(clamp01(word.x / image.width)),
        y: round4(clamp01(word.y / image.height)),
        t: times[i]!.start,
      })),
    ],
  };
}

function wordTimes(words: readonly TraceWord[]): { start: number; end: number }[] {
  return words.map((word, i) => {
    const start = word.t ?? i * SYNTHETIC_WORD_SECONDS;
    const next = words[i + 1]?.t;
    const end = next ?? start + SYNTHETIC_WORD_SECONDS;
    return { start, end: Math.max(start, end) };
  });
}

const clamp01 = (value: number) => Math.min(1, Math.max(0, value));
const round4 = (value: number) => Math.round(value * 10_000) / 10_000;
