// Caption words as the worker's shared code reads and writes them: the display
// text, and a phrase as the caption head reads it for phrase -> point.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { captionText, phraseReadings, phraseWords } from '../../../engine/worker/captionWords.js';

test('display text: commas attached, first letter upper-cased, one full stop', () => {
  assert.equal(captionText(['there', 'is', 'a', 'red', 'circle', ',', 'a', 'blue', 'ring']), 'There is a red circle, a blue ring.');
  assert.equal(captionText([',', 'sky']), 'Sky.');
  assert.equal(captionText([]), '');
});

test('a phrase becomes lower-case caption words without its leading article', () => {
  assert.deepEqual(phraseWords('A small red circle'), ['small', 'red', 'circle']);
  assert.deepEqual(phraseWords('  the   Sky. '), ['sky']);
  assert.deepEqual(phraseWords('an a tiny, green star'), ['tiny', ',', 'green', 'star']);
  assert.deepEqual(phraseWords('red-ish circle 2'), ['red', 'ish', 'circle']);
  assert.deepEqual(phraseWords('the'), []);
  assert.deepEqual(phraseWords('a circle in the middle'), ['circle', 'in', 'the', 'middle'], 'only the leading article goes');
});

test("a phrase's readings for ai.phraseScores: its words alone, then after each article", () => {
  assert.deepEqual(phraseReadings('The small red circle'), [
    ['small', 'red', 'circle'],
    ['a', 'small', 'red', 'circle'],
    ['an', 'small', 'red', 'circle'],
    ['the', 'small', 'red', 'circle'],
  ]);
  assert.deepEqual(phraseReadings('a'), []);
});
