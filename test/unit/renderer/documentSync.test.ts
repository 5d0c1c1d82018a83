// The renderer store as one client among several: it sends base revisions and
// its origin, takes the revisions main answers, applies other clients'
// 'document.changed' (not its own), and on a stale-revision refusal shows a
// toast and reloads; an undo refused so leaves the history.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it, mock } from 'node:test';

import type { Annotation, Bridge, ChannelName, DocumentChange, ImageRecord, Label, Result } from '../../../common/contract/index.js';
import type { useAppStore as UseAppStore } from '../../../renderer/src/store/appStore.js';
import { storeOnBridge } from './aiFixtures.js';

interface Invocation {
  channel: ChannelName;
  request: unknown;
  resolve: (result: Result<unknown>) => void;
}

const invocations: Invocation[] = [];
const bridge: Bridge = {
  invoke: (channel, request) =>
    new Promise((resolve) => invocations.push({ channel, request, resolve: resolve as (result: Result<unknown>) => void })),
  on: () => () => undefined,
  imageUrl: () => '',
};

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};
/** Takes the oldest waiting request on `channel` and answers it. */
async function answer(channel: ChannelName, result: Result<unknown>): Promise<Invocation> {
  await settle();
  const index = invocations.findIndex((i) => i.channel === channel);
  assert.ok(index >= 0, `no ${channel} request is waiting (waiting: ${invocations.map((i) => i.channel).join(', ') || 'none'})`);
  const [invocation] = invocations.splice(index, 1);
  invocation!.resolve(result);
  await settle();
  return invocation!;
}
const ok = (value: unknown): Result<unknown> => ({ ok: true, value });

const LABELS: Label[] = [
  { id: 'cat', name: 'cat', colour: '#ff0000', hotkey: '1' },
  { id: 'dog', name: 'dog', colour: '#00ff00', hotkey: '2' },
];
const IMAGE: ImageRecord = { id: 7, relPath: 'a.png', width: 20, height: 10, status: 'in_progress', annotationCount: 1, proposalCount: 0 };
const box = (id: string, revision: number, labelId: string | null = 'cat'): Annotation => ({
  id,
  imageId: IMAGE.id,
  labelId,
  geometry: { kind: 'box', box: { x: 1, y: 1, w: 2, h: 2 } },
  score: null,
  source: 'manual',
  createdAt: 1,
  updatedAt: 1,
  revision,
});
const STALE = {
  code: 'conflict',
  message: 'ops[0]: annotation a was changed in another window.',
  path: 'ops[0].annotation.revision',
} as const;

describe('document store with other clients', () => {
  let store: typeof UseAppStore;
  let origin: string;

  before(async () => {
    store = await storeOnBridge(bridge);
    ({ CLIENT_ORIGIN: origin } = await import('../../../renderer/src/store/historySlice.js'));
  });
  after(() => mock.timers.reset());

  beforeEach(() => {
    invocations.length = 0;
    store.getState().clearHistory();
    store.setState({
      labels: LABELS,
      activeLabelId: 'cat',
      currentImage: IMAGE,
      currentIndex: 0,
      imagePages: { 0: [IMAGE] },
      documentImageId: IMAGE.id,
      annotations: [box('a', 3)],
      selection: ['a'],
      toasts: [],
    });
  });

  const s = () => store.getState();

  it("shows another client's change at once, with the list count, and skips its own", () => {
    const change: DocumentChange = {
      revision: 8,
      origin: 'another-tab',
      annotations: [box('a', 8, 'dog'), box('b', 8)],
      revisions: [
        { id: 'a', imageId: 7, previous: 3, revision: 8 },
        { id: 'b', imageId: 7, previous: 0, revision: 8 },
      ],
      captions: [],
      deletedCaptionIds: [],
      labels: [],
      deletedLabelIds: [],
      images: [{ imageId: 7, status: 'done', annotationCount: 2, proposalCount: 0 }],
      proposalImageIds: [],
    };
    s().applyDocumentChange(change);
    assert.deepEqual(s().annotations, [box('a', 8, 'dog'), box('b', 8)]);
    assert.equal(s().imagePages[0]?.[0]?.annotationCount, 2);
    assert.equal(s().currentImage?.status, 'done');
    assert.deepEqual(s().selection, ['a']);

    const own: DocumentChange = { ...change, origin, annotations: [], revisions: [{ id: 'a', imageId: 7, previous: 8, revision: 0 }] };
    s().applyDocumentChange(own);
    assert.equal(s().annotations.length, 2, 'its own change came with its answer');
  });

  it('sends the base revision and its origin, and takes the revision main wrote', async () => {
    void s().commit([{ type: 'annotation.put', annotation: { ...box('a', 3), labelId: 'dog' } }]);
    // A second edit made before the answer: based on the same revision, sent as the new one.
    void s().commit([{ type: 'annotation.put', annotation: { ...s().annotations[0]!, labelId: null } }]);
    const first = await answer(
      'document.apply',
      ok({ inverse: [], revision: 10, revisions: [{ id: 'a', imageId: 7, previous: 3, revision: 10 }] }),
    );
    assert.deepEqual(first.request, { ops: [{ type: 'annotation.put', annotation: { ...box('a', 3), labelId: 'dog' } }], origin });
    const second = await answer(
      'document.apply',
      ok({ inverse: [], revision: 11, revisions: [{ id: 'a', imageId: 7, previous: 10, revision: 11 }] }),
    );
    assert.deepEqual(second.request, { ops: [{ type: 'annotation.put', annotation: { ...box('a', 10), labelId: null } }], origin });
    assert.equal(s().annotations[0]?.revision, 11);
    assert.equal(s().saving, false);
  });

  it('a stale edit is refused: a toast, then the image is reloaded from main', async () => {
    void s().commit([{ type: 'annotation.put', annotation: { ...box('a', 3), labelId: 'dog' } }]);
    await answer('document.apply', { ok: false, error: STALE });
    assert.match(s().toasts.at(-1)?.message ?? '', /changed in another window/);
    await answer('labels.list', ok(LABELS));
    await answer('annotations.list', ok([box('a', 9, null)]));
    await answer('captions.list', ok([]));
    assert.deepEqual(s().annotations, [box('a', 9, null)]);
    assert.equal(s().canUndo, false);
  });

  it('an undo refused because another client changed its target leaves the history with a toast', async () => {
    void s().commit([{ type: 'annotation.put', annotation: { ...box('a', 3), labelId: 'dog' } }]);
    await answer(
      'document.apply',
      ok({
        inverse: [{ type: 'annotation.put', annotation: box('a', 10) }],
        revision: 10,
        revisions: [{ id: 'a', imageId: 7, previous: 3, revision: 10 }],
      }),
    );
    assert.equal(s().canUndo, true);
    void s().undo();
    const undo = await answer('document.apply', { ok: false, error: STALE });
    assert.deepEqual(undo.request, { ops: [{ type: 'annotation.put', annotation: box('a', 10) }], origin });
    assert.match(s().toasts.at(-1)?.message ?? '', /^Undo skipped: .*removed from this window's history/);
    assert.equal(s().canUndo, false, 'dropped, not retried');
    assert.equal(s().canRedo, false);
    await answer('labels.list', ok(LABELS));
    await answer('annotations.list', ok([box('a', 12, null)]));
    await answer('captions.list', ok([]));
    assert.deepEqual(s().annotations, [box('a', 12, null)]);
  });
});
