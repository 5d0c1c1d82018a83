// A caption as the worker's shared code sees it, whichever model kind wrote
// it: words with the image pixel each refers to, and the display text.

/** One generated word and the image pixel it refers to. */
export interface CaptionWord {
  word: string;
  x: number;
  y: number;
}

/** Display text: ',' attached to the previous word, first letter upper-cased, a full stop at the end (the manifest's rule). */
export function captionText(words: readonly string[]): string {
  let text = '';
  for (const w of words) text += w === ',' || text === '' ? w : ` ${w}`;
  text = text.replace(/^,+\s*/, '').trim();
  if (text === '') return '';
  return `${text[0]!.toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? '' : '.'}`;
}

const ARTICLES = new Set(['a', 'an', 'the']);

/**
 * A typed or caption phrase as a caption head reads it for phrase -> point:
 * lower-case words and commas (the captions' word rule), the leading article
 * dropped, since the head learnt to find "small red circle", not "a small red circle".
 */
export function phraseWords(phrase: string): string[] {
  const words = phrase.toLowerCase().match(/[a-z]+|,/g) ?? [];
  let start = 0;
  while (start < words.length && ARTICLES.has(words[start]!)) start++;
  return words.slice(start);
}

/**
 * The ways a caption head may say a phrase of a region: its words alone
 * ("sky") or after an article ("a small red circle"); phraseScores takes
 * the likeliest. Empty when the phrase has no words.
 */
export function phraseReadings(phrase: string): string[][] {
  const words = phraseWords(phrase);
  return words.length === 0 ? [] : [words, ...[...ARTICLES].map((article) => [article, ...words])];
}
