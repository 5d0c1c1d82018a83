// Caption ↔ Localized Narratives record. The project keeps traces and word
// points in image pixels; LN keeps fractions of the image. Times are written
// in milliseconds' precision and coordinates in LN's four decimals, so a
// record exported, imported and exported again is the same line.
import type { Caption, TracePoint, TraceWord } from '../../common/contract/index.js';
import { timedWord } from '../../common/narrative/alignment.js';
import type { LnRecord, LnUtterance } from './lnFormat.js';

/** dataset_id of narratives made in promptlabel. */
export const LN_DATASET_ID = 'promptlabel';
/** Source of imported narratives. */
export const LN_IMPORT_SOURCE = 'ln-import';
/** Seconds per word for a caption with no timing at all (a model's caption): LN needs times. */
const UNTIMED_WORD_SECONDS = 0.4;

export interface SizedImageRef {
  relPath: string;
  width: number;
  height: number;
}

/**
 * The image_id a narrative recorded here is exported with: the file's stem,
 * without the zero padding of a numeric stem, as LN writes COCO's ids
 * ("000000137576.jpg" → "137576") and Open Images' stems.
 */
export function lnImageId(relPath: string): string {
  const name = relPath.slice(relPath.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  return /^\d+$/.test(stem) ? stem.replace(/^0+(?=\d)/, '') : stem;
}

export function captionToRecord(caption: Caption, image: SizedImageRef): LnRecord {
  const spans = exportSpans(caption.words);
  const nx = (x: number) => round(x / image.width, 4);
  const ny = (y: number) => round(y / image.height, 4);
  const traces = caption.trace
    ? caption.trace.map((segment) => segment.map((p) => ({ x: nx(p.x), y: ny(p.y), t: round(p.t, 3) })))
    : // No mouse trace (a model's caption): its one point per word, each when its word starts.
      caption.words.length > 0
      ? [caption.words.map((word, i) => ({ x: nx(word.x), y: ny(word.y), t: spans[i]!.start }))]
      : [];
  return {
    dataset_id: caption.narrative?.datasetId ?? LN_DATASET_ID,
    image_id: caption.narrative?.imageId ?? lnImageId(image.relPath),
    annotator_id: caption.narrative?.annotatorId ?? 0,
    caption: caption.text,
    timed_caption: caption.words.map((word, i) => ({ utterance: word.word, start_time: spans[i]!.start, end_time: spans[i]!.end })),
    traces,
    voice_recording: caption.narrative?.voiceRecording ?? '',
  };
}

/**
 * Monotonic spans for export: a word's own span where it has one (a start
 * before the previous word's is moved up to it: LN times never run
 * backwards; a start without an end lasts until the next word's start), an untimed word in a timed caption gets an empty span where the
 * previous word ended, and a caption with no times at all one word per
 * UNTIMED_WORD_SECONDS.
 */
export function exportSpans(words: readonly TraceWord[]): { start: number; end: number }[] {
  const anyTimed = words.some((word) => word.t !== null);
  let lastStart = 0;
  let lastEnd = 0;
  return words.map((word, i) => {
    let start: number;
    let end: number;
    if (!anyTimed) {
      start = i * UNTIMED_WORD_SECONDS;
      end = (i + 1) * UNTIMED_WORD_SECONDS;
    } else if (word.t === null) {
      start = Math.max(lastEnd, lastStart);
      end = start;
    } else {
      start = Math.max(word.t, lastStart);
      // A word with a start only (an older recording, a model's timed caption) lasts until the next one starts.
      end = Math.max(word.end ?? words[i + 1]?.t ?? word.t + UNTIMED_WORD_SECONDS, start);
    }
    start = round(start, 3);
    end = round(end, 3);
    lastStart = start;
    lastEnd = end;
    return { start, end };
  });
}

/**
 * A caption from a checked record on an image of the project: one word per
 * non-empty utterance with its span, the trace in pixels, the record's
 * origin kept for export.
 */
export function recordToCaption(record: LnRecord, imageId: number, image: SizedImageRef, id: string, now: number): Caption {
  const trace: TracePoint[][] = record.traces
    .filter((segment) => segment.length > 0)
    .map((segment) => segment.map((p) => ({ x: p.x * image.width, y: p.y * image.height, t: p.t })));
  const words = record.timed_caption
    .filter((u: LnUtterance) => u.utterance.trim() !== '')
    .map((u) => timedWord(u.utterance.trim(), u.start_time, u.end_time, trace));
  return {
    id,
    imageId,
    text: record.caption,
    words,
    source: LN_IMPORT_SOURCE,
    createdAt: now,
    updatedAt: now,
    trace,
    narrative: {
      datasetId: record.dataset_id,
      imageId: record.image_id,
      annotatorId: record.annotator_id,
      voiceRecording: record.voice_recording,
    },
  };
}

function round(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  const rounded = Math.round(value * scale) / scale;
  return Object.is(rounded, -0) ? 0 : rounded;
}
