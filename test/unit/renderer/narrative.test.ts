// Recording a narrative in the renderer: the recorder's display-rate samples
// and trace segments (a new one when the pointer comes back over the image),
// and the caption store's record / re-record / edit / delete, each one
// caption.put or caption.delete batch (one undo step) sent to main.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it, mock } from 'node:test';

import type { Caption, DocOp } from '../../../common/contract/index.js';
import type { AppState, useAppStore as UseAppStore } from '../../../renderer/src/store/appStore.js';
import { NarrativeRecorder } from '../../../renderer/src/tools/narrativeRecorder.js';
import { IMAGE, LABELS, Script, scriptedBridge, settle } from './aiFixtures.js';

describe('NarrativeRecorder', () => {
  it('samples the pointer with its time, splits the trace when the pointer leaves the image, and times each word', () => {
    const rec = new NarrativeRecorder(1000, { width: 100, height: 80 });
    rec.sample(1016, { x: 10, y: 10 });
    rec.type(1100, 'r');
    rec.sample(1033, { x: 12, y: 11 });
    rec.type(1200, 're');
    rec.sample(1050, null); // off the canvas
    rec.sample(1066, { x: 150, y: 40 }); // beside the image, beyond its band
    rec.type(1300, 'red');
    rec.sample(1083, { x: 103, y: 40 }); // within the band: counts
    rec.type(1400, 'red ');
    rec.sample(1500, { x: 50, y: 40 });
    rec.type(1600, 'red s');
    rec.type(1700, 'red st');
    const { text, words, trace } = rec.finish();
    assert.equal(text, 'red st');
    assert.deepEqual(trace, [
      [
        { x: 10, y: 10, t: 0.016 },
        { x: 12, y: 11, t: 0.033 },
      ],
      [
        { x: 103, y: 40, t: 0.083 },
        { x: 50, y: 40, t: 0.5 },
      ],
    ]);
    assert.deepEqual(
      words.map((w) => [w.word, w.t, w.end]),
      [
        ['red', 0.1, 0.3],
        ['st', 0.6, 0.7],
      ],
    );
    assert.deepEqual([words[1]!.x, words[1]!.y], [50, 40], 'the sample nearest the middle of its span');
  });
});

describe('caption store', () => {
  const script = new Script();
  const bridge = scriptedBridge(script);
  let store: typeof UseAppStore;
  const s = (): AppState => store.getState();

  before(async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    Object.assign(globalThis, { window: { promptlabel: bridge, confirm: () => true } });
    ({ useAppStore: store } = await import('../../../renderer/src/store/appStore.js'));
  });
  after(() => mock.timers.reset());

  beforeEach(() => {
    s().cancelRecording();
    s().clearHistory();
    script.invocations.length = 0;
    store.setState({
      labels: LABELS,
      currentImage: IMAGE,
      documentImageId: IMAGE.id,
      annotations: [],
      captions: [],
      toasts: [],
      activeCaptionId: null,
      hoveredWord: null,
      viewport: { width: 400, height: 300 },
      view: { scale: 2, offsetX: 0, offsetY: 0 },
    });
  });

  /** The ops of the next document.apply, answered with `inverse`. */
  const applied = async (inverse: DocOp[] | ((ops: DocOp[]) => DocOp[])): Promise<DocOp[]> => {
    await settle();
    const [request] = script.pending('document.apply');
    assert.ok(request, 'a document.apply was sent');
    const ops = (request.request as { ops: DocOp[] }).ops;
    await script.answer('document.apply', { inverse: typeof inverse === 'function' ? inverse(ops) : inverse, revision: 1, revisions: [] });
    return ops;
  };

  it('records: frames sample the pointer, typing times the words, stopping stores one caption.put that undo deletes', async () => {
    s().startRecording();
    assert.ok(s().recording);
    store.setState({ cursor: { x: 20, y: 30 } });
    mock.timers.tick(17);
    mock.timers.tick(17);
    s().typeNarrative('a star');
    store.setState({ cursor: { x: 60, y: 40 } });
    mock.timers.tick(17);
    assert.equal(s().recording!.frames, 3);
    const stopping = s().stopRecording();
    const [op] = await applied((ops) => [{ type: 'caption.delete', id: (ops[0] as { caption: Caption }).caption.id }]);
    await stopping;
    assert.equal(s().recording, null);
    assert.equal(op!.type, 'caption.put');
    const caption = (op as { caption: Caption }).caption;
    assert.equal(caption.imageId, IMAGE.id);
    assert.equal(caption.text, 'a star');
    assert.deepEqual(
      caption.words.map((w) => w.word),
      ['a', 'star'],
    );
    assert.equal(caption.trace!.flat().length, 3);
    assert.deepEqual(caption.trace![0]![0]!.x, 20);
    assert.equal(s().captions[0]!.id, caption.id, 'shown at once');
    assert.equal(s().activeCaptionId, caption.id);
    assert.ok(s().canUndo);
    const undoing = s().undo();
    const undone = await applied([{ type: 'caption.put', caption }]);
    await undoing;
    assert.deepEqual(undone, [{ type: 'caption.delete', id: caption.id }]);
    assert.deepEqual(s().captions, []);
  });

  it('stores nothing when nothing was typed, and a discarded recording sends nothing', async () => {
    s().startRecording();
    mock.timers.tick(17);
    await s().stopRecording();
    s().startRecording();
    s().typeNarrative('gone');
    s().cancelRecording();
    await settle();
    assert.equal(script.pending('document.apply').length, 0);
    assert.match(s().toasts.at(-1)!.message, /Nothing was typed/);
  });

  const recorded: Caption = {
    id: 'c1',
    imageId: IMAGE.id,
    text: 'a red star',
    words: [
      { word: 'a', x: 1, y: 1, t: 0.1, end: 0.1 },
      { word: 'red', x: 10, y: 20, t: 0.3, end: 0.5 },
      { word: 'star', x: 30, y: 40, t: 0.7, end: 0.9 },
    ],
    source: 'manual',
    createdAt: 5,
    updatedAt: 5,
    trace: [[{ x: 30, y: 40, t: 0.8 }]],
  };

  it('edits keep unchanged words aligned; re-record replaces the same caption; delete sends caption.delete', async () => {
    store.setState({ captions: [recorded] });
    const editing = s().editCaptionText('c1', 'a big red star');
    const [put] = await applied([{ type: 'caption.put', caption: recorded }]);
    await editing;
    const edited = (put as { caption: Caption }).caption;
    assert.equal(edited.id, 'c1');
    assert.deepEqual(edited.words[2], recorded.words[1]);
    assert.deepEqual(edited.words[1], { word: 'big', x: 0, y: 0, t: null, end: null, aligned: false });
    assert.deepEqual(edited.trace, recorded.trace);

    s().startRecording('c1');
    s().typeNarrative('one circle');
    const stopping = s().stopRecording();
    const [again] = await applied([{ type: 'caption.put', caption: edited }]);
    await stopping;
    const rerecorded = (again as { caption: Caption }).caption;
    assert.equal(rerecorded.id, 'c1');
    assert.equal(rerecorded.createdAt, 5);
    assert.equal(rerecorded.text, 'one circle');

    const deleting = s().deleteCaption('c1');
    assert.deepEqual(await applied([{ type: 'caption.put', caption: rerecorded }]), [{ type: 'caption.delete', id: 'c1' }]);
    await deleting;
  });

  it('centres the view on a word’s point, and says so when a word has none', () => {
    store.setState({ captions: [{ ...recorded, words: [...recorded.words, { word: 'new', x: 0, y: 0, t: null, aligned: false }] }] });
    s().centreOnWord({ captionId: 'c1', index: 2 });
    assert.deepEqual(s().view, { scale: 2, offsetX: 200 - 30 * 2, offsetY: 150 - 40 * 2 });
    assert.deepEqual(s().hoveredWord, { captionId: 'c1', index: 2 });
    s().centreOnWord({ captionId: 'c1', index: 3 });
    assert.match(s().toasts.at(-1)!.message, /"new" was edited in/);
  });
});
