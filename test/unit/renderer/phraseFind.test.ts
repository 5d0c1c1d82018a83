// Find in the caption panel (captionProposalSlice.groundPhrase) against a
// scripted bridge: the caption head's point for the phrase becomes a click
// and its mask's box is shown; of several masks with pixels, the one whose
// box the phrase describes best (ai.phraseScores); the text prompt answers
// when no mask has pixels or the head does not know a word; a model without
// a text prompt says why.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it, mock } from 'node:test';

import type { GeneratedCaption, ModelInfo } from '../../../common/contract/index.js';
import type { useAppStore as UseAppStore } from '../../../renderer/src/store/appStore.js';
import { candidateSet, IMAGE, LABELS, maskCandidate, MODEL, Script, scriptedBridge, settle, STATUS, storeOnBridge } from './aiFixtures.js';

const script = new Script();
const bridge = scriptedBridge(script);
const CAPTIONER: ModelInfo = { ...MODEL, capabilities: { ...MODEL.capabilities, caption: true, text: true } };
const EMPTY = { x: 0, y: 0, w: 0, h: 0 };

const located = (words: string[], x: number, y: number): GeneratedCaption => ({
  modelId: 'tiny',
  imageId: IMAGE.id,
  text: words.join(' '),
  words: words.map((word) => ({ word, x, y, t: null })),
  region: null,
  timing: { featureSource: 'memory', encodeMs: 0, captionMs: 1 },
});

describe('Find: phrase -> box through the caption head, the text prompt as fallback', () => {
  let store: typeof UseAppStore;

  before(async () => {
    store = await storeOnBridge(bridge);
  });
  after(() => mock.timers.reset());

  beforeEach(() => {
    script.invocations.length = 0;
    store.setState({
      aiModels: [CAPTIONER],
      aiStatus: STATUS,
      labels: LABELS,
      activeLabelId: 'blue',
      currentImage: IMAGE,
      groundedPhrase: null,
      toasts: [],
    });
  });

  it("clicks at the head's point and shows that mask's box with the point", async () => {
    const finding = store.getState().groundPhrase('medium red square');
    const caption = await script.answer('ai.caption', located(['medium', 'red', 'square'], 30, 40));
    assert.deepEqual(caption.request, { imageId: IMAGE.id, phrase: 'medium red square' });
    const segment = await script.answer('ai.segment', candidateSet([maskCandidate(0, 0.9, { x: 10, y: 20, w: 50, h: 40 })]));
    assert.deepEqual((segment.request as { prompts: unknown }).prompts, { clicks: [{ x: 30, y: 40, positive: true }], scribbles: [] });
    await finding;
    const grounded = store.getState().groundedPhrase;
    assert.deepEqual(grounded && { point: grounded.point, box: grounded.box }, {
      point: { x: 30, y: 40 },
      box: { x: 10, y: 20, w: 50, h: 40 },
    });
  });

  it('ranks the masks with pixels by how well the phrase describes their boxes, not by the mask score', async () => {
    const finding = store.getState().groundPhrase('red square');
    await script.answer('ai.caption', located(['red', 'square'], 30, 40));
    await script.answer(
      'ai.segment',
      candidateSet([
        maskCandidate(0, 0.95, EMPTY),
        maskCandidate(1, 0.5, { x: 1, y: 1, w: 5, h: 5 }),
        maskCandidate(2, 0.7, { x: 2, y: 2, w: 8, h: 8 }),
      ]),
    );
    const scores = await script.answer('ai.phraseScores', { modelId: 'tiny', imageId: IMAGE.id, scores: [-1.5, -6] });
    assert.deepEqual(scores.request, {
      imageId: IMAGE.id,
      phrase: 'red square',
      boxes: [
        [1, 1, 6, 6],
        [2, 2, 10, 10],
      ],
    });
    await finding;
    assert.deepEqual(store.getState().groundedPhrase?.box, { x: 1, y: 1, w: 5, h: 5 });
  });

  it('asks the text prompt when no mask under the point has pixels', async () => {
    const finding = store.getState().groundPhrase('red square');
    await script.answer('ai.caption', located(['red', 'square'], 30, 40));
    await script.answer('ai.segment', candidateSet([maskCandidate(0, 0.9, EMPTY)]));
    const text = await script.answer('ai.segment', candidateSet([maskCandidate(0, 0.6, { x: 5, y: 6, w: 7, h: 8 })]));
    assert.deepEqual((text.request as { prompts: unknown }).prompts, { clicks: [], scribbles: [], text: 'red square' });
    await finding;
    const grounded = store.getState().groundedPhrase;
    assert.deepEqual(grounded && { point: grounded.point, box: grounded.box }, { point: null, box: { x: 5, y: 6, w: 7, h: 8 } });
  });

  it('asks the text prompt when the head does not know a word; without a text prompt, says why', async () => {
    let finding = store.getState().groundPhrase('red dragon');
    await script.fail('ai.caption', 'The caption head does not know "dragon".', 'bad_request');
    await script.answer('ai.segment', candidateSet([maskCandidate(0, 0.6, { x: 5, y: 6, w: 7, h: 8 })]));
    await finding;
    assert.equal(store.getState().groundedPhrase?.point, null);

    store.setState({ aiModels: [{ ...CAPTIONER, capabilities: { ...CAPTIONER.capabilities, text: false } }], groundedPhrase: null });
    finding = store.getState().groundPhrase('red dragon');
    await script.fail('ai.caption', 'The caption head does not know "dragon".', 'bad_request');
    await finding;
    await settle();
    assert.equal(script.pending('ai.segment').length, 0);
    assert.equal(store.getState().groundedPhrase, null);
    assert.ok(
      store.getState().toasts.some((t) => /does not know "dragon"/.test(t.message)),
      'the refusal is shown',
    );
  });
});
