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
