import assert from 'node:assert/strict';
import { test } from 'node:test';

import { applyOpsLocally } from '../../../renderer/src/store/docReducer.js';
import { deleteVertex, insertVertex, translateMask } from '../../../renderer/src/tools/geometryEdits.js';
import { edgeAt, pointInPolygon, vertexAt } from '../../../renderer/src/tools/hitTesting.js';
import { rasteriseStroke } from '../../../renderer/src/tools/strokeRaster.js';
import { annotation } from './fakeToolContext.js';

const ring = { outer: [0, 0, 10, 0, 10, 10, 0, 10], holes: [[3, 3, 7, 3, 7, 7, 3, 7]] };

test('hit testing: even-odd polygons, vertices, edges', () => {
  assert.equal(pointInPolygon(ring, 1, 1), true);
  assert.equal(pointInPolygon(ring, 5, 5), false);
  assert.deepEqual(vertexAt([ring], 7.5, 7.2, 1), { polygon: 0, ring: 1, vertex: 2 });
  assert.deepEqual(edgeAt([ring], 5, 0.5, 1), { ref: { polygon: 0, ring: 0, vertex: 0 }, point: { x: 5, y: 0 } });
});

test('vertex insert/delete keep other rings', () => {
  const inserted = insertVertex([ring], { polygon: 0, ring: 1, vertex: 0 }, 5, 3);
  assert.deepEqual(inserted[0]!.holes[0], [3, 3, 5, 3, 7, 3, 7, 7, 3, 7]);
  assert.equal(inserted[0]!.outer, ring.outer);
  assert.deepEqual(deleteVertex([ring], { polygon: 0, ring: 0, vertex: 1 })?.[0]?.outer, [0, 0, 10, 10, 0, 10]);
});

test('translateMask drops what leaves the image', () => {
  const data = new Uint8Array([1, 0, 0, 0, 0, 1]);
  assert.deepEqual([...translateMask({ width: 3, height: 2, data }, 1, 0).data], [0, 1, 0, 0, 0, 0]);
});

test('rasteriseStroke covers the segment with round caps', () => {
  const mask = { width: 20, height: 10, data: new Uint8Array(200) };
  rasteriseStroke(mask, [2, 5, 17, 5], 2, 1);
  assert.equal(mask.data[5 * 20 + 10], 1);
  assert.equal(mask.data[5 * 20 + 19], 0);
  assert.equal(mask.data[0], 0);
});

test('local document ops: label delete unlabels, other images are ignored', () => {
  const a = annotation('a', { kind: 'box', box: { x: 0, y: 0, w: 1, h: 1 } }, 'cat');
  const { document, statuses } = applyOpsLocally(
    { imageId: 1, labels: [{ id: 'cat', name: 'cat', colour: '#ff0000', hotkey: '1' }], annotations: [a], captions: [] },
    [
      { type: 'label.delete', id: 'cat' },
      { type: 'annotation.put', annotation: { ...a, id: 'other', imageId: 2 } },
      { type: 'image.status', imageId: 1, status: 'done' },
    ],
  );
  assert.deepEqual(document.labels, []);
  assert.deepEqual(
    document.annotations.map((x) => [x.id, x.labelId]),
    [['a', null]],
  );
  assert.equal(statuses.get(1), 'done');
});
