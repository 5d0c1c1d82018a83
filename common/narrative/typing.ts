// The typing half of a recorded narrative: the text as it was typed, each
// character with the time it was typed, and the words cut from it. Typing
// stands in for the speech of the Localized Narratives protocol, so a word's
// span is the time from its first to its last keystroke.

/** One character of the text being typed and when it was typed (seconds from the start of the recording). */
export interface TimedChar {
  char: string;
  t: number;
}

/** A word of a text: its characters [start, end) in the text. */
export interface WordToken {
  word: string;
  start: number;
  end: number;
}

/**
 * The characters after the text became `text` at time `t`: the unchanged
 * beginning and end keep their times, what was typed (or pasted) in between
 * gets `t`. One input event changes one place, so this is exact for typing,
 * deleting and pasting.
 */
export function applyTyping(chars: readonly TimedChar[], text: string, t: number): TimedChar[] {
  const old = chars.map((c) => c.char).join('');
  if (old === text) return [...chars];
  let prefix = 0;
  while (prefix < old.length && prefix < text.length && old[prefix] === text[prefix]) prefix++;
  let suffix = 0;
  while (suffix < old.length - prefix && suffix < text.length - prefix && old[old.length - 1 - suffix] === text[text.length - 1 - suffix])
    suffix++;
  // UTF-16 units, as the text's indices are.
  const typed = text
    .slice(prefix, text.length - suffix)
    .split('')
    .map((char) => ({ char, t }));
  return [...chars.slice(0, prefix), ...typed, ...chars.slice(chars.length - suffix)];
}

const EDGE_PUNCTUATION = /^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu;

/**
 * The words of a text: runs of non-space characters without the punctuation
 * at their ends ("star," → "star"; "don't" and "3.5" stay whole). A run of
 * punctuation alone is no word.
 */
export function tokenize(text: string): WordToken[] {
  const tokens: WordToken[] = [];
  for (const match of text.matchAll(/\S+/gu)) {
    const raw = match[0];
    const lead = raw.length - raw.replace(/^[\p{P}\p{S}]+/u, '').length;
    const word = raw.replace(EDGE_PUNCTUATION, '');
    if (word.length === 0) continue;
    const start = match.index + lead;
    tokens.push({ word: word.slice(0, 200), start, end: start + word.length });
  }
  return tokens;
}
