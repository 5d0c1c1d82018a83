import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { phraseAt } from '../../../renderer/src/lib/phraseAt.js';

describe('phraseAt: the phrase a caption word belongs to (phrase -> box)', () => {
  const words = 'there are a small red circle , a big blue square and a tiny green star with sky and grass'.split(' ');
  const at = (w: string, from = 0) => phraseAt(words, words.indexOf(w, from));

  it('takes the run of words around the word, without its article', () => {
    assert.equal(at('red'), 'small red circle');
    assert.equal(at('small'), 'small red circle');
    assert.equal(at('circle'), 'small red circle');
    assert.equal(at('square'), 'big blue square');
    assert.equal(at('star'), 'tiny green star');
    assert.equal(at('sky'), 'sky');
    assert.equal(at('grass'), 'grass');
  });

  it('gives nothing for linking words, punctuation and out-of-range indices', () => {
    assert.equal(at('and'), '');
    assert.equal(at(','), '');
    assert.equal(at('there'), '');
    assert.equal(phraseAt(words, -1), '');
    assert.equal(phraseAt(words, words.length), '');
  });

  it('stops at punctuation attached to a word and cleans it off', () => {
    const typed = 'A cat, asleep on the red sofa.'.split(' ');
    assert.equal(phraseAt(typed, 1), 'cat');
    assert.equal(phraseAt(typed, 2), 'asleep');
    assert.equal(phraseAt(typed, 5), 'red sofa');
    // the article alone is kept when nothing else is there
    assert.equal(phraseAt(['the'], 0), 'the');
  });
});
