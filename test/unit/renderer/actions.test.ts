// The action list is the one list: every action with a key is in the `?`
// overlay's data and a synthetic key press runs it through the same
// dispatchKey the window uses; the overlay lists nothing else but the
// display-only mouse gestures; actions say truly how they enter the undo
// history; toolbar buttons keep the test ids the end-to-end tests use.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it, mock } from 'node:test';

import type * as ActionList from '../../../renderer/src/actions/actionList.js';
import type { Action, KeyInput } from '../../../renderer/src/actions/actionTypes.js';
import type { dispatchKey as DispatchKey } from '../../../renderer/src/actions/dispatchKey.js';
import { MOUSE_GESTURES_DISPLAY_ONLY } from '../../../renderer/src/actions/mouseGestures.js';
import type { overlaySections as OverlaySections } from '../../../renderer/src/actions/overlayRows.js';
import type { AppState, useAppStore as UseAppStore } from '../../../renderer/src/store/appStore.js';
import {
  candidateSet,
  CLASSICAL,
  IMAGE,
  keyInput,
  LABELS,
  maskCandidate,
  MATERIALIZED,
  MODEL,
  Script,
  scriptedBridge,
  settle,
  STATUS,
  storeOnBridge,
} from './aiFixtures.js';

const script = new Script();
const bridge = scriptedBridge(script);

/** For each action with a key: a key press that means it, and what the app must hold for it to apply. */
interface Sample {
  press: KeyInput;
  setup?: (s: () => AppState) => Promise<void> | void;
}

describe('actions', () => {
  let store: typeof UseAppStore;
  let actions: typeof ActionList;
  let dispatchKey: typeof DispatchKey;
  let overlaySections: typeof OverlaySections;

  before(async () => {
    store = await storeOnBridge(bridge);
    actions = await import('../../../renderer/src/actions/actionList.js');
    ({ dispatchKey } = await import('../../../renderer/src/actions/dispatchKey.js'));
    ({ overlaySections } = await import('../../../renderer/src/actions/overlayRows.js'));
  });
  after(() => mock.timers.reset());

  const s = () => store.getState();

  beforeEach(async () => {
    s().aiSession.discard();
    s().setActiveTool('select');
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
      selection: [],
      toasts: [],
      shortcutsOpen: false,
      proposals: [],
      proposalsImageId: null,
      selectedProposalId: null,
    });
    s().aiSession.providerChanged(MODEL);
  });

  /** The AI tool with `count` candidates on screen. */
  const aiCandidates = async (count: number) => {
    s().setActiveTool('ai');
    s().aiSession.addClick({ x: 10, y: 10, positive: true });
    const candidates = Array.from({ length: count }, (_, index) => maskCandidate(index, 0.9, { x: 0, y: 0, w: 10 + index, h: 10 }));
    await script.answer('ai.segment', candidateSet(candidates));
  };
  /** A proposal under review on the open image, selected. */
  const reviewing = () => {
    const proposal = {
      id: 'p1',
      imageId: IMAGE.id,
      labelId: 'red',
      geometry: { kind: 'box' as const, box: { x: 1, y: 1, w: 5, h: 5 } },
      score: 0.9,
      source: 'tiny',
      jobId: 'job1',
      runKey: 'names|tiny|*',
      createdAt: 1,
      box: { x: 1, y: 1, w: 5, h: 5 },
      area: 25,
    };
    store.setState({ proposals: [proposal], proposalsImageId: IMAGE.id, selectedProposalId: 'p1', proposalThreshold: 0.5 });
  };
  /** The loaded model writes captions, and no caption is being made. */
  const captioning = () => {
    store.setState({ aiModels: [{ ...MODEL, capabilities: { ...MODEL.capabilities, caption: true } }, CLASSICAL], captionWork: null });
  };
  const SAMPLES: Record<string, Sample> = {
    'ai.everything': { press: keyInput('g') },
    'ai.detect': { press: keyInput('O') },
    'ai.wand': { press: keyInput('W') },
    'ai.cycle': { press: keyInput('Tab', { shiftKey: true }), setup: () => aiCandidates(2) },
    'ai.accept': { press: keyInput('Enter'), setup: () => aiCandidates(1) },
    'ai.discard': { press: keyInput('Escape'), setup: () => aiCandidates(1) },
    'ai.region': {
      press: keyInput('@', { shiftKey: true, code: 'Digit2' }),
      setup: () => {
        store.setState({ aiStatus: { ...STATUS, settings: { ...STATUS.settings, modelId: CLASSICAL.id }, modelId: CLASSICAL.id } });
        s().setActiveTool('ai');
      },
    },
    'ai.label': { press: keyInput('1', { code: 'Digit1' }), setup: () => aiCandidates(1) },
    'review.cycle': { press: keyInput('Tab'), setup: reviewing },
    'review.accept': { press: keyInput('y'), setup: reviewing },
    'review.reject': { press: keyInput('X'), setup: reviewing },
    'review.acceptAll': { press: keyInput('Y', { shiftKey: true }), setup: reviewing },
    'review.label': { press: keyInput('2', { code: 'Digit2' }), setup: reviewing },
    'review.nextImage': { press: keyInput('j') },
    'review.previousImage': { press: keyInput('J', { shiftKey: true }) },
    'tool.select': { press: keyInput('v') },
    'tool.vertex': { press: keyInput('N') },
    'tool.box': { press: keyInput('r') },
    'tool.polygon': { press: keyInput('p') },
    'tool.liveWire': { press: keyInput('l') },
    'tool.brush': { press: keyInput('b') },
    'tool.eraser': { press: keyInput('e') },
    'tool.ai': { press: keyInput('i') },
    'tool.brushSize': { press: keyInput(']') },
    'tool.cancel': { press: keyInput('Escape') },
    'labels.hotkey': { press: keyInput('2', { code: 'Digit2' }) },
    'edit.delete': { press: keyInput('Backspace') },
    'edit.undo': { press: keyInput('z', { ctrlKey: true }) },
    'edit.redo': { press: keyInput('y', { metaKey: true }) },
    'edit.selectAll': { press: keyInput('a', { ctrlKey: true }) },
    'view.fit': { press: keyInput('0', { ctrlKey: true, code: 'Digit0' }) },
    'view.actualSize': { press: keyInput('1', { ctrlKey: true, code: 'Digit1' }) },
    'view.zoomIn': { press: keyInput('=') },
    'view.zoomOut': { press: keyInput('-') },
    'images.next': { press: keyInput('ArrowRight') },
    'images.previous': { press: keyInput('a') },
    'images.nextMatching': { press: keyInput('f') },
    'images.previousMatching': { press: keyInput('F', { shiftKey: true }) },
    'view.dataset': { press: keyInput('s') },
    'help.shortcuts': { press: keyInput('?', { shiftKey: true, code: 'Slash' }) },
    'caption.record': { press: keyInput('t') },
    'caption.generate': { press: keyInput('c'), setup: captioning },
    'caption.describe': {
      press: keyInput('C', { shiftKey: true }),
      setup: () => {
        captioning();
        const box = { kind: 'box' as const, box: { x: 1, y: 1, w: 5, h: 5 } };
        store.setState({
          annotations: [
            {
              id: 'b1',
              imageId: IMAGE.id,
              labelId: 'red',
              geometry: box,
              score: null,
              source: 'manual',
              createdAt: 1,
              updatedAt: 1,
              revision: 1,
            },
          ],
          selection: ['b1'],
        });
      },
    },
  };
  const keyed = (): Action[] => actions.ACTIONS.filter((a) => a.keys !== undefined);

  it('names every action once', () => {
    const names = actions.ACTIONS.map((a) => a.name);
    assert.equal(new Set(names).size, names.length);
  });

  it('the overlay lists every action with a key, in its section, and besides them only the display-only mouse gestures', () => {
    const sections = overlaySections();
    const rows = sections.flatMap(({ group, rows }) => rows.map((row) => ({ group, ...row })));
    for (const a of keyed()) {
      assert.ok(
        rows.some((row) => row.group === a.group && row.keys === a.keys!.display && row.description === a.label),
        `${a.name} (${a.keys!.display}) is in the ${a.group} section`,
      );
    }
    const gestures = MOUSE_GESTURES_DISPLAY_ONLY.map((g) => `${g.group}|${g.keys}|${g.description}`);
    const fromActions = keyed().map((a) => `${a.group}|${a.keys!.display}|${a.label}`);
    assert.deepEqual(rows.map((row) => `${row.group}|${row.keys}|${row.description}`).sort(), [...fromActions, ...gestures].sort());
    for (const { rows: sectionRows } of sections) {
      assert.equal(new Set(sectionRows.map((row) => row.keys)).size, sectionRows.length, 'a key once per section');
    }
  });

  it('a synthetic key press runs each action with a key, through the handler the window uses', async () => {
    assert.deepEqual(
      Object.keys(SAMPLES).sort(),
      keyed()
        .map((a) => a.name)
        .sort(),
      'a sample key for every action with one',
    );
    for (const a of keyed()) {
      const sample = SAMPLES[a.name]!;
      await sample.setup?.(s);
      assert.ok(a.keys!.test(sample.press), `${a.name} reads ${sample.press.key} as its key`);
      const taken = dispatchKey(sample.press, s());
      assert.equal(taken === null || taken === 'tool' ? taken : taken.name, a.name, `${sample.press.key} runs ${a.name}`);
      await settle();
      s().aiSession.discard();
      s().cancelRecording();
      s().setActiveTool('select');
      store.setState({ aiStatus: STATUS, shortcutsOpen: false, proposals: [], selectedProposalId: null });
      await settle();
      // A change left unanswered would hold up every later one (the history applies them in order).
      for (const call of script.invocations.filter((i) => i.channel === 'document.apply' || i.channel === 'proposals.acceptAll'))
        call.answer({ inverse: [], revision: 1, revisions: [] });
      await settle();
      script.invocations.length = 0;
    }
  });

  it('keys do what they say: a tool, the list (Esc closes it first), the brush size; a key no action has is left alone', () => {
    assert.equal(dispatchKey(keyInput('r'), s()) !== null, true);
    assert.equal(s().activeTool, 'box');
    dispatchKey(keyInput('?'), s());
    assert.equal(s().shortcutsOpen, true);
    dispatchKey(keyInput('Escape'), s());
    assert.equal(s().shortcutsOpen, false, 'Esc closes the list first');
    const radius = s().brushRadius;
    dispatchKey(keyInput('['), s());
    assert.ok(s().brushRadius < radius);
    assert.equal(dispatchKey(keyInput('q'), s()), null, 'a key no action has is left to the browser');
  });

  it('actions that say they change no document send no document change', async () => {
    for (const a of keyed().filter((candidate) => candidate.history === 'none')) {
      await SAMPLES[a.name]!.setup?.(s);
      dispatchKey(SAMPLES[a.name]!.press, s());
      await settle();
      assert.equal(script.pending('document.apply').length, 0, `${a.name} changed the document`);
      s().aiSession.discard();
      s().setActiveTool('select');
      store.setState({ aiStatus: STATUS, shortcutsOpen: false, proposals: [], selectedProposalId: null });
      await settle();
      script.invocations.length = 0;
    }
  });

  it('one-step actions send one document change: a relabel, a delete, an accepted AI mask', async () => {
    const box = {
      id: 'b1',
      imageId: IMAGE.id,
      labelId: 'red',
      geometry: { kind: 'box' as const, box: { x: 1, y: 1, w: 5, h: 5 } },
      score: null,
      source: 'manual',
      createdAt: 1,
      updatedAt: 1,
      revision: 1,
    };
    store.setState({ annotations: [box], selection: ['b1'] });
    assert.equal(actions.actionNamed('labels.hotkey').history, 'step');
    dispatchKey(keyInput('2', { code: 'Digit2' }), s());
    await settle();
    assert.equal(script.pending('document.apply').length, 1, 'relabel');
    await script.answer('document.apply', { inverse: [], revision: 2, revisions: [] });

    assert.equal(actions.actionNamed('edit.delete').history, 'step');
    dispatchKey(keyInput('Delete'), s());
    await settle();
    assert.equal(script.pending('document.apply').length, 1, 'delete');
    await script.answer('document.apply', { inverse: [], revision: 3, revisions: [] });

    assert.equal(actions.actionNamed('ai.accept').history, 'step');
    await aiCandidates(1);
    dispatchKey(keyInput('Enter'), s());
    await script.answer('ai.materialize', MATERIALIZED);
    assert.equal(script.pending('document.apply').length, 1, 'accept');
    await script.answer('document.apply', { inverse: [], revision: 4, revisions: [] });
  });

  it('toolbar buttons come from actions, with the test ids the end-to-end tests use, and show their key in the tooltip', () => {
    const buttons = actions.ACTIONS.filter((a) => a.button);
    assert.deepEqual(
      buttons.map((a) => a.button!.testId ?? a.button!.text).sort(),
      [
        '+',
        '−',
        'caption-describe',
        'caption-generate',
        'caption-record',
        'dataset-toggle',
        'redo',
        'shortcuts-toggle',
        'tool-ai',
        'tool-box',
        'tool-brush',
        'tool-eraser',
        'tool-polygon',
        'tool-select',
        'tool-vertex',
        'undo',
        'zoom-actual',
        'zoom-fit',
      ].sort(),
    );
    for (const a of buttons) assert.ok(a.keys, `${a.name}'s button has a key to show`);
    assert.equal(actions.keyOf('tool.liveWire'), 'L');
  });
});
