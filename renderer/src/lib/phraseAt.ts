// The phrase a caption word belongs to, for phrase -> box: the run of words
// around it up to punctuation or a linking word ("and", "with", "left of"...),
// without its leading article. "there are a small red circle and a big blue
// square" at "red" gives "small red circle".
const LINKS = new Set([
  'and',
  'or',
  'with',
  'without',
  'there',
  'is',
  'are',
  'was',
  'were',
  'of',
  'in',
  'on',
  'at',
  'to',
  'from',
  'by',
  'left',
  'right',
  'above',
  'below',
  'under',
  'over',
  'next',
  'near',
  'behind',
  'beside',
  'between',
  'which',
  'that',
]);
const ARTICLES = new Set(['a', 'an', 'the', 'some']);

/** The words' phrase around `index` (words as the caption lists them, punctuation possibly attached); '' when the word is itself a linking word. */
export function phraseAt(words: readonly string[], index: number): string {
  const clean = words.map((w) => w.toLowerCase().replace(/[^\p{L}\p{N}'-]+/gu, ''));
  const breaksAfter = (i: number) => /[,.;:!?]$/.test(words[i] ?? '');
  const isStop = (i: number) => clean[i] === '' || LINKS.has(clean[i]!);
  if (index < 0 || index >= words.length || isStop(index)) return '';
  let start = index;
  while (start > 0 && !isStop(start - 1) && !breaksAfter(start - 1)) start--;
  let end = index;
  while (end < words.length - 1 && !breaksAfter(end) && !isStop(end + 1)) end++;
  while (start < end && ARTICLES.has(clean[start]!)) start++;
  return clean
    .slice(start, end + 1)
    .filter(Boolean)
    .join(' ');
}
