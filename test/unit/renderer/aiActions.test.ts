// The AI keys as actions, as the app runs them: a key press goes through dispatchKey
// (the window's handler does the same), which finds the AI key where it
// applies (the AI tool active and idle, the session in the right state) and
// otherwise leaves the key to the app's own meaning of it. A real store and
// AI session, with the main process played by a script.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it, mock } from 'node:test';

import type { KeyInput } from '../../../renderer/src/actions/actionTypes.js';
import type { dispatchKey as DispatchKey } from '../../../renderer/src/actions/dispatchKey.js';
import type { useAppStore as UseAppStore } from '../../../renderer/src/store/appStore.js';
import {
  candidateSet,
  CLASSICAL,
  IMAGE,
  keyInput as key,
  LABELS,
  maskCandidate,
  MODEL,
  Script,
  scriptedBridge,
  settle,
  STATUS,
  storeOnBridge,
} from './aiFixtures.js';
import { at } from './fakeToolContext.js';

const script = new Script();
const bridge = scriptedBridge(script);

describe('AI keys', () => {
  let store: typeof UseAppStore;
  let dispatchKey: typeof DispatchKey;

  before(async () => {
    store = await storeOnBridge(bridge);
    ({ dispatchKey } = await import('../../../renderer/src/actions/dispatchKey.js'));
  });
  after(() => mock.timers.reset());

  beforeEach(async () => {
    store.getState().aiSession.discard();
    store.getState().setActiveTool('select');
    await settle();
    script.invocations.length = 0;
    store.setState({
      aiModels: [MODEL, CLASSICAL],
      aiStatus: STATUS,
      labels: LABELS,
      activeLabelId: 'blue',
      currentImage: IMAGE,
      documentImageId: IMAGE.id,
      annotations: [],
      toasts: [],
    });
    store.getState().setActiveTool('ai');
  });

  const s = () => store.getState();
  /** Presses the key; returns the name of the action that took it ('tool', or null for none). */
  const press = (input: KeyInput): string | null => {
    const taken = dispatchKey(input, s());
    return taken === null || taken === 'tool' ? taken : taken.name;
  };
  /** `count` candidates on screen, from a click. */
  const showCandidates = async (count: number) => {
    s().aiSession.addClick({ x: 10, y: 10, positive: true });
    const candidates = Array.from({ length: count }, (_, index) =>
      maskCandidate(index, 0.9 - index / 10, { x: 0, y: 0, w: 10 + index, h: 10 }),
    );
    await script.answer('ai.segment', candidateSet(candidates));
    assert.equal(s().ai.state, 'candidates');
  };
  const useClassical = () =>
    store.setState({ aiStatus: { ...STATUS, settings: { ...STATUS.settings, modelId: CLASSICAL.id }, modelId: CLASSICAL.id } });

  it('Esc drops the prompts only when there are some, otherwise it is left to the app', async () => {
    assert.equal(press(key('Escape')), 'tool.cancel', 'nothing to drop: the app clears the selection');
    s().aiSession.addClick({ x: 10, y: 10, positive: true });
    assert.equal(press(key('Escape')), 'ai.discard');
    assert.equal(s().ai.state, 'idle');
    assert.equal(s().ai.prompts.clicks.length, 0);
    await settle();
  });

  it('Esc during a drag cancels the drag and keeps the prompts', async () => {
    await showCandidates(1);
    s().tool.onPointerDown(at(50, 50));
    s().tool.onPointerMove(at(70, 70));
    assert.equal(s().tool.state(), 'boxing');
    assert.deepEqual(s().ai.prompts.box, [50, 50, 70, 70]);
    assert.equal(press(key('Escape')), 'ai.discard', 'Esc during a drag cancels the drag');
    assert.equal(s().tool.state(), 'idle');
    assert.equal(s().ai.prompts.box, null, 'the box before the drag is back');
    assert.equal(s().ai.prompts.clicks.length, 1, 'cancelling a drag keeps the prompts');
    s().tool.onPointerUp(at(70, 70));
    assert.equal(s().ai.prompts.box, null);
    await settle();
  });

  it('Enter, Tab, Shift+Tab and label digits act on candidates only when there are some', async () => {
    assert.equal(press(key('Enter')), null);
    assert.equal(press(key('Tab')), null);
    assert.equal(press(key('2', { code: 'Digit2' })), 'labels.hotkey', 'the app’s label key');
    await showCandidates(3);
    assert.equal(press(key('Tab')), 'ai.cycle');
    assert.equal(s().ai.selected, 1);
    assert.equal(press(key('Tab', { shiftKey: true })), 'ai.cycle');
    assert.equal(s().ai.selected, 0, 'cycled forwards, then back');
    // The physical key decides (AZERTY types 'é' on Digit2).
    assert.equal(press(key('é', { code: 'Digit2' })), 'ai.label');
    assert.equal(s().ai.labelId, 'blue');
    assert.equal(press(key('5', { code: 'Digit5' })), 'labels.hotkey', 'no label has that hotkey: not the candidate’s key');
    assert.equal(press(key('x')), null);
    assert.equal(press(key('Enter')), 'ai.accept');
    await settle();
    assert.equal(script.pending('ai.materialize').length, 1, 'Enter accepts');
  });

  it('keys wait while a gesture is in progress', async () => {
    await showCandidates(2);
    s().tool.onPointerDown(at(50, 50));
    s().tool.onPointerMove(at(80, 80));
    assert.equal(press(key('Enter')), null);
    await settle();
    assert.equal(script.pending('ai.materialize').length, 0);
    s().tool.cancel();
    assert.equal(s().tool.state(), 'idle');
  });

  it('Shift+1–4 choose the scribble region when the provider has regions, by physical key; otherwise they stay label keys', async () => {
    await showCandidates(2);
    // No regions: Shift+2 is the label key it always was.
    assert.equal(press(key('@', { shiftKey: true, code: 'Digit2' })), 'ai.label');
    assert.equal(s().ai.labelId, 'blue');
    assert.equal(s().ai.settings.region, 0);

    useClassical();
    s().aiSession.chooseLabel('red');
    assert.equal(press(key('!', { shiftKey: true, code: 'Digit1' })), 'ai.region');
    assert.equal(s().ai.settings.region, 0);
    assert.equal(press(key('$', { shiftKey: true, code: 'Digit4' })), 'ai.region');
    assert.equal(s().ai.settings.region, 3);
    assert.equal(s().ai.labelId, 'red', 'a region key is not also a label key');
    // Shift+5 is no region; plain digits are labels even with regions offered.
    assert.notEqual(press(key('%', { shiftKey: true, code: 'Digit5' })), 'ai.region');
    assert.equal(press(key('2', { code: 'Digit2' })), 'ai.label');
    assert.equal(s().ai.labelId, 'blue');
    assert.equal(s().ai.settings.region, 3);
    // Regions can be chosen before any candidate exists (before the first scribble).
    s().aiSession.discard();
    assert.equal(press(key('#', { shiftKey: true, code: 'Digit3' })), 'ai.region');
    assert.equal(s().ai.settings.region, 2);
    store.setState({ aiStatus: STATUS });
    s().aiSession.providerChanged(MODEL);
  });

  it('the AI keys belong to the AI tool: with another tool, Enter and Tab are not taken and digits are label keys', async () => {
    await showCandidates(2);
    s().setActiveTool('select');
    assert.equal(press(key('Enter')), null);
    assert.equal(press(key('Tab')), null);
    assert.equal(press(key('2', { code: 'Digit2' })), 'labels.hotkey');
    assert.equal(s().activeLabelId, 'blue');
  });
});
