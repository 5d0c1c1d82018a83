// The AI keys. Esc, Enter, Tab, 1–9 and Shift+1–4 act on the AI session only
// while the AI tool is active with no gesture in progress, and only when the
// session has something for them (candidates to accept, cycle or label,
// regions offered); otherwise the key goes on to the app's own meaning of it.
// G, O and W choose the AI tool as well.
import type { AppState } from '../store/appStore.js';
import { action } from './actionTypes.js';
import { anyKey, ctrl, digitOf, plainKey } from './keys.js';

/** The AI tool is active and no gesture is in progress. */
const aiIdle = (s: AppState) => s.activeTool === 'ai' && s.tool.state() === 'idle';
const hasCandidates = (s: AppState) => aiIdle(s) && s.aiSession.candidateCount() > 0;

export const AI_ACTIONS = [
  action({
    name: 'ai.everything',
    group: 'AI',
    label: 'Segment everything: AI proposals for the whole image',
    keys: { display: 'G', test: plainKey('g', 'G') },
    history: 'none',
    perform: (s) => {
      s.setActiveTool('ai');
      void s.aiSession.segmentEverything();
    },
  }),
  action({
    name: 'ai.detect',
    group: 'AI',
    label: "Detect objects: a detector's proposals for the whole image, with class names (detector models, e.g. YOLO)",
    keys: { display: 'O', test: plainKey('o', 'O') },
    history: 'none',
    perform: (s) => {
      s.setActiveTool('ai');
      void s.aiSession.detectObjects(s.detectChainModelId);
    },
  }),
  action({
    name: 'ai.wand',
    group: 'AI',
    label: 'Magic wand on / off: a click floods similar colours (providers with a wand, e.g. the classical one)',
    keys: { display: 'W', test: plainKey('w', 'W') },
    history: 'none',
    perform: (s) => {
      s.setActiveTool('ai');
      s.aiSession.toggleWand();
    },
  }),
  action({
    name: 'ai.cycle',
    group: 'AI',
    label: 'Next / previous candidate mask',
    keys: { display: 'Tab / Shift+Tab', test: anyKey('Tab') },
    history: 'none',
    enabled: hasCandidates,
    perform: (s, e) => s.aiSession.cycle(e?.shiftKey ? -1 : 1),
  }),
  action({
    name: 'ai.accept',
    group: 'AI',
    label: 'Accept the candidate as an annotation (one undo step)',
    keys: { display: 'Enter', test: anyKey('Enter') },
    history: 'step',
    enabled: hasCandidates,
    perform: (s) => void s.aiSession.accept(),
  }),
  action({
    name: 'ai.discard',
    group: 'AI',
    label: 'Cancel the drag; else drop the prompts and candidates',
    keys: { display: 'Esc', test: anyKey('Escape') },
    history: 'none',
    enabled: (s) => s.activeTool === 'ai' && (s.tool.state() !== 'idle' || s.aiSession.hasWork()),
    perform: (s) => (s.tool.state() !== 'idle' ? s.cancelTool() : s.aiSession.discard()),
  }),
  // Before the label digits: Shift+1 is a region where the provider has regions.
  action({
    name: 'ai.region',
    group: 'AI',
    label: 'Scribble region (watershed: one mask per region)',
    // The physical key: Shift+1 types "!" on most layouts.
    keys: { display: 'Shift+1 – 4', test: (e) => !ctrl(e) && e.shiftKey && /^Digit[1-4]$/.test(e.code) },
    history: 'none',
    enabled: (s) => aiIdle(s) && s.aiSession.regionsOffered(),
    perform: (s, e) => void s.aiSession.setRegion(Number(e?.code.slice(5)) - 1),
  }),
  action({
    name: 'ai.label',
    group: 'AI',
    label: 'Label for the candidate (the best guess is preselected)',
    keys: { display: '1 – 9', test: (e) => !ctrl(e) && digitOf(e) !== null },
    history: 'none',
    enabled: (s, e) => hasCandidates(s) && e !== null && s.labels.some((l) => l.hotkey === digitOf(e)),
    perform: (s, e) => {
      const digit = e && digitOf(e);
      if (digit) s.aiSession.chooseLabelByHotkey(digit);
    },
  }),
];
