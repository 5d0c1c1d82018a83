// Typing timeline → words with spans and points, and edits that keep the
// unchanged words' spans: the pure half of recording a narrative.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { TracePoint } from '../../../../common/contract/domain.js';
import { realignWords, wordAtTracePoint, wordSegment, wordsFromTyping } from '../../../../common/narrative/alignment.js';
import { applyTyping, type TimedChar, tokenize } from '../../../../common/narrative/typing.js';

/** Types `text` one key every `step` seconds from `t0`. */
function typeText(chars: TimedChar[], text: string, t0: number, step: number): TimedChar[] {
  let current = chars;
  const base = current.map((c) => c.char).join('');
  for (let i = 1; i <= text.length; i++) current = applyTyping(current, base + text.slice(0, i), t0 + (i - 1) * step);
  return current;
}

/** A trace moving right 10 px per 0.1 s along y = 50, from t = 0 to 3 s. */
const trace: TracePoint[][] = [Array.from({ length: 31 }, (_, i) => ({ x: i * 10, y: 50, t: i / 10 }))];

describe('typing timeline', () => {
  it('gives typed characters their key time and keeps the times of the unchanged text around an edit', () => {
    let chars = applyTyping([], 'a ca', 1);
    chars = applyTyping(chars, 'a cat', 2);
    chars = applyTyping(chars, 'a  cat', 3); // a space typed in the middle
    chars = applyTyping(chars, 'a cat', 4); // and deleted again
    assert.deepEqual(
      chars.map((c) => [c.char, c.t]),
      [
        ['a', 1],
        [' ', 1],
        ['c', 1],
        ['a', 1],
        ['t', 2],
      ],
    );
    chars = applyTyping(chars, 'a big cat', 5); // pasted
    assert.deepEqual(
      chars.map((c) => c.t),
      [1, 1, 5, 5, 5, 5, 1, 1, 2],
    );
  });

  it('cuts words at spaces and strips punctuation at their ends only', () => {
    assert.deepEqual(
      tokenize('A star, "don\'t" 3.5 -- end.').map((t) => t.word),
      ['A', 'star', "don't", '3.5', 'end'],
    );
    const [star] = tokenize('  star,').slice(0);
    assert.deepEqual(star, { word: 'star', start: 2, end: 6 });
  });
});

describe('words from typing', () => {
  it('gives each word the span of its keystrokes and the trace point nearest the middle of it', () => {
    let chars = typeText([], 'red ', 0.2, 0.1); // r 0.2, e 0.3, d 0.4, space 0.5
    chars = typeText(chars, 'star', 1.5, 0.2); // s 1.5 … r 2.1
    const words = wordsFromTyping(chars, trace);
    assert.equal(words.length, 2);
    assert.equal(words[0]!.word, 'red');
    assert.equal(words[0]!.t, 0.2);
    assert.ok(Math.abs(words[0]!.end! - 0.4) < 1e-9);
    assert.deepEqual([words[0]!.x, words[0]!.y], [30, 50]); // sample at t = 0.3
    assert.equal(words[1]!.t, 1.5);
    assert.ok(Math.abs(words[1]!.end! - 2.1) < 1e-9);
    assert.deepEqual([words[1]!.x, words[1]!.y], [180, 50]); // t = 1.8
    // Its segment: the samples typed during it.
    const segment = wordSegment(trace, words[1]!);
    assert.equal(segment.length, 1);
    assert.deepEqual(
      segment[0]!.map((p) => p.x),
      [150, 160, 170, 180, 190, 200, 210],
    );
  });

  it('marks words unaligned when there is no trace, and a one-key word owns the nearest sample', () => {
    const chars = applyTyping([], 'a', 0.25);
    const [word] = wordsFromTyping(chars, []);
    assert.equal(word!.aligned, false);
    const [withTrace] = wordsFromTyping(chars, trace);
    assert.deepEqual(wordSegment(trace, withTrace!), [[{ x: 20, y: 50, t: 0.2 }]]);
  });

  it('finds the word that owns the sample under the pointer, and none between spans or far from the trace', () => {
    let chars = typeText([], 'red ', 0.2, 0.1);
    chars = typeText(chars, 'star', 1.5, 0.2);
    const words = wordsFromTyping(chars, trace);
    assert.equal(wordAtTracePoint(trace, words, 181, 52, 5), 1);
    assert.equal(wordAtTracePoint(trace, words, 29, 49, 5), 0);
    assert.equal(wordAtTracePoint(trace, words, 100, 50, 5), -1, 't = 1.0 is between the words');
    assert.equal(wordAtTracePoint(trace, words, 180, 90, 5), -1, 'too far from the trace');
  });

  it('finds the word when the pointer rested on one spot through the word and the pause after it', () => {
    const resting: TracePoint[][] = [Array.from({ length: 20 }, (_, i) => ({ x: 50, y: 50, t: i / 10 }))];
    const words = wordsFromTyping(typeText([], 'star', 0.2, 0.1), resting); // s 0.2 … r 0.5
    assert.equal(wordAtTracePoint(resting, words, 50, 50, 3), 0, 'the samples after the word (t up to 1.9) sit on the same spot');
  });
});

describe('editing a recorded text', () => {
  const typed = () => {
    let chars = typeText([], 'a red star and ', 0, 0.1);
    chars = typeText(chars, 'a blue sqare', 1.6, 0.1);
    return wordsFromTyping(chars, trace);
  };

  it('keeps every word as it was when the words did not change', () => {
    const words = typed();
    assert.deepEqual(realignWords(words, 'a red star, and a blue sqare.'), words, 'punctuation is no word');
    assert.deepEqual(realignWords(words, 'a red star and a blue sqare'), words);
  });

  it('keeps unchanged words, gives a corrected word the span of the one it replaced, and leaves added words unaligned', () => {
    const words = typed();
    const edited = realignWords(words, 'a red star and a small blue square');
    assert.deepEqual(
      edited.map((w) => w.word),
      ['a', 'red', 'star', 'and', 'a', 'small', 'blue', 'square'],
    );
    for (const [i, j] of [
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
      [5, 6],
    ] as const)
      assert.deepEqual(edited[j], words[i], `word ${edited[j]!.word} kept`);
    assert.deepEqual(edited[5], { word: 'small', x: 0, y: 0, t: null, end: null, aligned: false });
    // "sqare" → "square": one word replaced by one, so it keeps its span and point (re-aligned).
    assert.deepEqual({ ...edited[7], word: 'sqare' }, words[6]);
    assert.equal(edited[7]!.aligned, undefined);
  });

  it('drops deleted words and marks a run replaced by a different number of words unaligned', () => {
    const words = typed();
    const edited = realignWords(words, 'a star and one big blue sqare');
    assert.deepEqual(
      edited.map((w) => [w.word, w.aligned !== false]),
      [
        ['a', true],
        ['star', true],
        ['and', true],
        ['one', false],
        ['big', false],
        ['blue', true],
        ['sqare', true],
      ],
    );
    assert.equal(edited[1]!.t, words[2]!.t);
  });

  it('splits an utterance of several words into words sharing its span when the text around it changes', () => {
    const words = [
      { word: 'In this', x: 1, y: 2, t: 0, end: 0.4 },
      { word: 'image', x: 3, y: 4, t: 0.5, end: 0.9 },
    ];
    assert.deepEqual(realignWords(words, 'In this image'), words, 'unchanged: the utterance stays whole');
    const edited = realignWords(words, 'In this photo');
    assert.deepEqual(edited.slice(0, 2), [
      { word: 'In', x: 1, y: 2, t: 0, end: 0.4 },
      { word: 'this', x: 1, y: 2, t: 0, end: 0.4 },
    ]);
    assert.deepEqual(edited[2], { word: 'photo', x: 3, y: 4, t: 0.5, end: 0.9 });
  });

  it('keeps a model caption (a point per word, no times) aligned where its words are unchanged', () => {
    const words = [
      { word: 'red', x: 5, y: 6, t: null },
      { word: 'star', x: 7, y: 8, t: null },
    ];
    const edited = realignWords(words, 'a red star');
    assert.deepEqual(edited, [{ word: 'a', x: 0, y: 0, t: null, end: null, aligned: false }, ...words]);
  });
});
