import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Annotation, Geometry } from '../../../common/contract/index.js';
import { buildBatches, oriented, type PathSink, traceVisible } from '../../../renderer/src/canvas/vectorBatch.js';

const annotation = (id: string, geometry: Geometry, labelId: string | null = 'a'): Annotation => ({
  id,
  imageId: 1,
  labelId,
  geometry,
  score: null,
  source: 'manual',
  createdAt: 0,
  updatedAt: 0,
  revision: 1,
});
const square = (x: number, y: number, s: number) => [x, y, x + s, y, x + s, y + s, x, y + s]; // clockwise on screen

function recorder(): PathSink & { rings: number[][] } {
  const rings: number[][] = [];
  return {
    rings,
    moveTo: (x, y) => void rings.push([x, y]),
    lineTo: (x, y) => void rings.at(-1)!.push(x, y),
    closePath: () => undefined,
  };
}

test('outer rings come out clockwise and holes counter-clockwise, whatever the input winding', () => {
  const ccw = [0, 0, 0, 10, 10, 10, 10, 0];
  assert.deepEqual(oriented(square(0, 0, 10), true), square(0, 0, 10));
  assert.deepEqual(oriented(ccw, true), [10, 0, 10, 10, 0, 10, 0, 0]);
  assert.deepEqual(oriented(square(0, 0, 10), false), [0, 10, 10, 10, 10, 0, 0, 0]);
  const [batch] = buildBatches(
    [annotation('p', { kind: 'polygon', polygons: [{ outer: ccw, holes: [square(2, 2, 4)] }] })],
    () => '#ff0000',
  );
  const sink = recorder();
  traceVisible(sink, batch!.items, { minX: -1, minY: -1, maxX: 100, maxY: 100 });
  const signed = (r: number[]) =>
    r.reduce((acc, _, i) => (i % 2 ? acc : acc + r[i]! * r[(i + 3) % r.length]! - r[(i + 2) % r.length]! * r[i + 1]!), 0);
  assert.ok(signed(sink.rings[0]!) > 0, 'outer clockwise');
  assert.ok(signed(sink.rings[1]!) < 0, 'hole counter-clockwise');
});

test('groups by colour, skips masks, and traces only what the view shows', () => {
  const annotations = [
    annotation('b1', { kind: 'box', box: { x: 0, y: 0, w: 10, h: 10 } }, 'red'),
    annotation('b2', { kind: 'box', box: { x: 500, y: 500, w: 10, h: 10 } }, 'red'),
    annotation('p1', { kind: 'polygon', polygons: [{ outer: square(20, 20, 5), holes: [] }] }, 'blue'),
    annotation('m1', { kind: 'mask', rle: { size: [4, 4], counts: '04' } }, 'blue'),
  ];
  const batches = buildBatches(annotations, (a) => (a.labelId === 'red' ? '#ff0000' : '#0000ff'));
  assert.deepEqual(
    batches.map((b) => [b.colour, b.items.length]),
    [
      ['#ff0000', 2],
      ['#0000ff', 1],
    ],
  );
  const sink = recorder();
  assert.equal(traceVisible(sink, batches[0]!.items, { minX: -5, minY: -5, maxX: 100, maxY: 100 }), 1, 'the far box is culled');
  assert.deepEqual(sink.rings, [[0, 0, 10, 0, 10, 10, 0, 10]]);
  assert.equal(
    traceVisible(recorder(), batches[0]!.items, { minX: 505, minY: 505, maxX: 600, maxY: 600 }),
    1,
    'a view touching a box traces it',
  );
});
