// The dataset import dialog's label map: "dataset label = project label" lines.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseLabelMapLines } from '../../../renderer/src/panels/labelMapLines.js';

test('label map lines become the request map; a bad line is named', () => {
  assert.deepEqual(parseLabelMapLines(''), {});
  assert.deepEqual(parseLabelMapLines('person = human\n\n  traffic light=signal  \n'), { person: 'human', 'traffic light': 'signal' });
  assert.deepEqual(parseLabelMapLines('a = b = c'), { a: 'b = c' });
  assert.equal(parseLabelMapLines('person = human\ncar'), 'Label map line 2: write "dataset label = project label".');
  assert.equal(parseLabelMapLines(' = human'), 'Label map line 1: write "dataset label = project label".');
});
