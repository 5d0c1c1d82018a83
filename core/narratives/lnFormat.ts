// The Localized Narratives JSON-lines record (google/localized-narratives,
// localized_narratives.py: LocalizedNarrative). Its loader builds each record
// with LocalizedNarrative(**json.loads(line)), so every field must be there
// and no other; times are seconds from the start of the recording, x and y
// are fractions of the image (LN traces keep a small band around the image,
// so they may be a little below 0 or above 1).
import { z } from 'zod';

import { AppError } from '../../common/contract/index.js';
import { formatIssuePath } from '../coco/schema.js';

const time = z.number().finite().nonnegative();
/** LN traces include a band around the image; a point further out than one image side is no trace point. */
const coordinate = z.number().finite().min(-1).max(2);

const pointSchema = z.strictObject({ x: coordinate, y: coordinate, t: time });
const utteranceSchema = z.strictObject({ utterance: z.string().max(200), start_time: time, end_time: time });

export const lnRecordSchema = z.strictObject({
  dataset_id: z.string().max(200),
  image_id: z.string().min(1).max(200),
  annotator_id: z.number().int(),
  caption: z.string().max(20_000),
  timed_caption: z.array(utteranceSchema).max(5_000),
  traces: z.array(z.array(pointSchema).max(200_000)).max(10_000),
  voice_recording: z.string().max(1000),
});
export type LnRecord = z.infer<typeof lnRecordSchema>;
export type LnPoint = LnRecord['traces'][number][number];
export type LnUtterance = LnRecord['timed_caption'][number];

/** The fields in the order Google's files write them. */
export const LN_FIELDS = ['dataset_id', 'image_id', 'annotator_id', 'caption', 'timed_caption', 'traces', 'voice_recording'] as const;

/** One record with its line number (1-based) in the file. */
export interface LnLine {
  line: number;
  record: LnRecord;
}

/** A refusal naming the file, the line and the field at fault. */
export function lineError(file: string, line: number, field: string, message: string): AppError {
  const where = field === '' ? `line ${line}` : `line ${line}, ${field}`;
  return new AppError('invalid_file', `${file}: ${where}: ${message}`, field === '' ? `line ${line}` : `line ${line}.${field}`);
}

/**
 * Every record of a JSON-lines text, checked whole before any is used: JSON,
 * every field present with its type, times never decreasing (utterance starts,
 * each utterance ending at or after its start, trace times across segments).
 * Blank lines are skipped. The first fault is thrown with its line and field.
 */
export function parseNarratives(text: string, file: string): LnLine[] {
  const records: LnLine[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const line = index + 1;
    const source = raw.replace(/\r$/, '');
    if (source.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (error) {
      throw lineError(file, line, '', `not a JSON object (${(error as Error).message})`);
    }
    records.push({ line, record: checkRecord(value, file, line) });
  });
  return records;
}

function checkRecord(value: unknown, file: string, line: number): LnRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw lineError(file, line, '', 'not a JSON object');
  for (const field of LN_FIELDS) {
    if (!(field in value)) throw lineError(file, line, field, 'missing (every field of a Localized Narrative must be present)');
  }
  const parsed = lnRecordSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const message = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message;
    const path = issue.code === 'unrecognized_keys' ? formatIssuePath([...issue.path, issue.keys[0]!]) : formatIssuePath(issue.path);
    throw lineError(file, line, path, message);
  }
  const record = parsed.data;
  if (record.caption.trim() === '') throw lineError(file, line, 'caption', 'empty');
  let lastStart = 0;
  record.timed_caption.forEach((utterance, i) => {
    if (utterance.end_time < utterance.start_time)
      throw lineError(file, line, `timed_caption[${i}].end_time`, `${utterance.end_time} is before its start_time ${utterance.start_time}`);
    if (utterance.start_time < lastStart)
      throw lineError(
        file,
        line,
        `timed_caption[${i}].start_time`,
        `${utterance.start_time} is before the previous utterance's start ${lastStart} (times must not run backwards)`,
      );
    lastStart = utterance.start_time;
  });
  let lastT = 0;
  record.traces.forEach((segment, s) =>
    segment.forEach((point, p) => {
      if (point.t < lastT)
        throw lineError(
          file,
          line,
          `traces[${s}][${p}].t`,
          `${point.t} is before the previous point's ${lastT} (times must not run backwards)`,
        );
      lastT = point.t;
    }),
  );
  return record;
}

/** One line of the file, fields in the official order, no spaces (as JSON.stringify writes numbers: shortest round-trip form). */
export function serializeNarrative(record: LnRecord): string {
  return JSON.stringify({
    dataset_id: record.dataset_id,
    image_id: record.image_id,
    annotator_id: record.annotator_id,
    caption: record.caption,
    timed_caption: record.timed_caption.map((u) => ({ utterance: u.utterance, start_time: u.start_time, end_time: u.end_time })),
    traces: record.traces.map((segment) => segment.map((p) => ({ x: p.x, y: p.y, t: p.t }))),
    voice_recording: record.voice_recording,
  });
}
