import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { readWireFrame, SMALL_FRAME_BYTES } from '../../../server/wireFrame.js';

const padded = (head: string, bytes: number) => `${head}${'x'.repeat(bytes)}"}}`;

describe('readWireFrame', () => {
  it('reads a well-formed frame', () => {
    assert.deepEqual(readWireFrame('{"seq":3,"channel":"labels.list","payload":{}}'), {
      ok: true,
      frame: { seq: 3, channel: 'labels.list', payload: {} },
    });
  });

  it('refuses a large prompt before parsing it, answering its seq', () => {
    const check = readWireFrame(padded('{"seq":7,"channel":"ai.segment","payload":{"pad":"', SMALL_FRAME_BYTES));
    assert.equal(check.ok, false);
    assert.ok(!check.ok && check.seq === 7 && /ai\.segment takes at most 1 MB/.test(check.message));
  });

  it('lets a large document change through, and refuses a large frame that hides its channel', () => {
    assert.equal(readWireFrame(padded('{"seq":8,"channel":"document.apply","payload":{"pad":"', SMALL_FRAME_BYTES)).ok, true);
    const hidden = readWireFrame(
      padded('{"payload":{"pad":"', SMALL_FRAME_BYTES).replace(/\}\}$/, '},"seq":9,"channel":"document.apply"}'),
    );
    assert.ok(!hidden.ok && hidden.seq === null);
  });

  it('refuses frames that are not requests', () => {
    for (const text of ['', 'null', '[]', '"x"', '{"seq":-1,"channel":"a"}', '{"seq":1.5,"channel":"a"}', '{"channel":"a"}']) {
      const check = readWireFrame(text);
      assert.ok(!check.ok && check.seq === null, text);
    }
    const extra = readWireFrame('{"seq":1,"channel":"a","payload":{},"more":1}');
    assert.ok(!extra.ok && extra.seq === 1);
  });
});
