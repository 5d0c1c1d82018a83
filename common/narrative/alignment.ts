// Words ↔ mouse trace of a narrative. A word owns the trace points recorded
// during its time span [t, end]; its one point (the caption's point per word,
// as a model gives it) is the trace sample nearest the middle of that span.
// Editing the text keeps every unchanged word's span and point.
import type { TracePoint, TraceWord } from '../contract/domain.js';
import { type TimedChar, tokenize } from './typing.js';

export type Trace = readonly (readonly TracePoint[])[];

/** The words of a typed narrative, each with the span from its first to its last keystroke. */
export function wordsFromTyping(chars: readonly TimedChar[], trace: Trace): TraceWord[] {
  const text = chars.map((c) => c.char).join('');
  return tokenize(text).map((token) => {
    let start = Infinity;
    let end = -Infinity;
    for (let i = token.start; i < token.end; i++) {
      const t = chars[i]!.t;
      if (t < start) start = t;
      if (t > end) end = t;
    }
    return timedWord(token.word, start, end, trace);
  });
}

/** A word with its span; its point is the trace sample nearest the span's middle (unaligned when the trace is empty). */
export function timedWord(word: string, start: number, end: number, trace: Trace): TraceWord {
  const point = nearestInTime(trace, (start + end) / 2);
  if (!point) return { word, x: 0, y: 0, t: start, end, aligned: false };
  return { word, x: point.x, y: point.y, t: start, end };
}

/** The trace sample closest in time to `t` (the earlier one on a tie); null for an empty trace. */
export function nearestInTime(trace: Trace, t: number): TracePoint | null {
  let best: TracePoint | null = null;
  for (const segment of trace) for (const point of segment) if (!best || Math.abs(point.t - t) < Math.abs(best.t - t)) best = point;
  return best;
}

/** Whether a word has a point of its own (an edited-in word has none). */
export const hasPoint = (word: TraceWord): boolean => word.aligned !== false;

/**
 * The trace a word owns: the samples of its span, split where the trace's
 * segments split; the nearest sample when none fell inside (a one-key word
 * typed between two samples). Empty for a word without a span.
 */
export function wordSegment(trace: Trace, word: TraceWord): TracePoint[][] {
  if (word.t === null || !hasPoint(word)) return [];
  const start = word.t;
  const end = word.end ?? word.t;
  const parts = trace.map((segment) => segment.filter((p) => p.t >= start && p.t <= end)).filter((part) => part.length > 0);
  if (parts.length > 0) return parts;
  const nearest = nearestInTime(trace, (start + end) / 2);
  return nearest ? [[nearest]] : [];
}

/**
 * The word that owns the trace sample nearest (x, y) within `radius` (image
 * pixels): of the samples that close, the nearest one a word's span holds
 * (the pointer often rests on one spot across words and pauses). -1 when no
 * sample is that close or none of them falls in a word's span.
 */
export function wordAtTracePoint(trace: Trace, words: readonly TraceWord[], x: number, y: number, radius: number): number {
  const near: { d: number; t: number }[] = [];
  const limit = radius * radius;
  for (const segment of trace)
    for (const p of segment) {
      const d = (p.x - x) ** 2 + (p.y - y) ** 2;
      if (d <= limit) near.push({ d, t: p.t });
    }
  near.sort((a, b) => a.d - b.d || a.t - b.t);
  for (const { t } of near) {
    const index = words.findIndex((word) => word.t !== null && hasPoint(word) && t >= word.t && t <= (word.end ?? word.t));
    if (index >= 0) return index;
  }
  return -1;
}

/** Longest common subsequence tables above this many cells fall back to matching the common beginning and end only. */
const MAX_DIFF_CELLS = 4_000_000;

/**
 * The words of an edited text. Words left as they were keep their span and
 * point; where the edit replaced as many words as it removed (a typo fixed,
 * a word swapped), each new word takes the span and point of the one it
 * replaced; words added beyond that are unaligned (no span, no point). An
 * unchanged text keeps its words exactly, utterances of several words included.
 */
export function realignWords(oldWords: readonly TraceWord[], newText: string): TraceWord[] {
  // Old words split into tokens sharing their span, so "In this" matches "In" "this".
  const old = oldWords.flatMap((word) => tokenize(word.word).map((token) => ({ ...word, word: token.word })));
  const tokens = tokenize(newText).map((token) => token.word);
  if (tokens.length === old.length && tokens.every((word, i) => word === old[i]!.word)) return [...oldWords];

  const pairs = matchWords(
    old.map((word) => word.word),
    tokens,
  );
  const result: TraceWord[] = [];
  let oi = 0;
  let ni = 0;
  const fillGap = (oldEnd: number, newEnd: number) => {
    const sameCount = oldEnd - oi === newEnd - ni;
    for (; ni < newEnd; ni++, oi += sameCount ? 1 : 0) {
      result.push(sameCount ? { ...old[oi]!, word: tokens[ni]! } : { word: tokens[ni]!, x: 0, y: 0, t: null, end: null, aligned: false });
    }
    oi = oldEnd;
  };
  for (const [o, n] of pairs) {
    fillGap(o, n);
    result.push(old[o]!);
    oi = o + 1;
    ni = n + 1;
  }
  fillGap(old.length, tokens.length);
  return result;
}

/** Index pairs (old, new) of a longest common subsequence of two word lists, in order. */
function matchWords(a: readonly string[], b: readonly string[]): [number, number][] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const pairs: [number, number][] = [];
  for (let i = 0; i < head; i++) pairs.push([i, i]);
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  if (am.length > 0 && bm.length > 0 && am.length * bm.length <= MAX_DIFF_CELLS) {
    // lengths[i][j]: LCS length of am[i:] and bm[j:].
    const width = bm.length + 1;
    const lengths = new Uint32Array((am.length + 1) * width);
    for (let i = am.length - 1; i >= 0; i--)
      for (let j = bm.length - 1; j >= 0; j--)
        lengths[i * width + j] =
          am[i] === bm[j] ? lengths[(i + 1) * width + j + 1]! + 1 : Math.max(lengths[(i + 1) * width + j]!, lengths[i * width + j + 1]!);
    let i = 0;
    let j = 0;
    while (i < am.length && j < bm.length) {
      if (am[i] === bm[j]) {
        pairs.push([head + i, head + j]);
        i++;
        j++;
      } else if (lengths[(i + 1) * width + j]! >= lengths[i * width + j + 1]!) i++;
      else j++;
    }
  }
  for (let k = tail; k > 0; k--) pairs.push([a.length - k, b.length - k]);
  return pairs;
}
