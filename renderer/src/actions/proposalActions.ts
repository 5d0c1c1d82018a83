// The review keys: Tab / Shift+Tab select the next / previous proposal shown
// on the open image (after the AI keys: AI candidates take Tab first), Y
// accepts it, X rejects it, Shift+Y accepts every proposal at or above the
// threshold on this image, 1–9 choose its label (with the select tool, no
// annotation selected), J / Shift+J open the next / previous image with
// proposals. Each accept or reject is one undo step.
import type { AppState } from '../store/appStore.js';
import { selectedProposal, shownProposals } from '../store/proposalsSlice.js';
import { action, type KeyInput } from './actionTypes.js';
import { anyKey, ctrl, digitOf } from './keys.js';

/** `letter` without Ctrl/Cmd or Alt (either case, so Caps Lock does not change it), Shift as given. */
const letter =
  (key: string, shift: boolean) =>
  (e: KeyInput): boolean =>
    !ctrl(e) && !e.altKey && e.shiftKey === shift && e.key.toLowerCase() === key;

const hasSelected = (s: AppState) => selectedProposal(s) !== null;

export const PROPOSAL_ACTIONS = [
  action({
    name: 'review.cycle',
    group: 'Review',
    label: 'Next / previous proposal on this image (above the threshold)',
    keys: { display: 'Tab / Shift+Tab', test: anyKey('Tab') },
    history: 'none',
    enabled: (s) => s.tool.state() === 'idle' && shownProposals(s).length > 0,
    perform: (s, e) => s.cycleProposal(e?.shiftKey ? -1 : 1),
  }),
  action({
    name: 'review.accept',
    group: 'Review',
    label: 'Accept the selected proposal as an annotation (keeps its model, job and score; one undo step)',
    keys: { display: 'Y', test: letter('y', false) },
    history: 'step',
    enabled: hasSelected,
    perform: (s) => s.acceptProposal(),
  }),
  action({
    name: 'review.reject',
    group: 'Review',
    label: 'Reject the selected proposal (one undo step)',
    keys: { display: 'X', test: letter('x', false) },
    history: 'step',
    enabled: hasSelected,
    perform: (s) => s.rejectProposal(),
  }),
  action({
    name: 'review.acceptAll',
    group: 'Review',
    label: 'Accept every proposal on this image at or above the threshold (one undo step)',
    keys: { display: 'Shift+Y', test: letter('y', true) },
    history: 'step',
    enabled: (s) => shownProposals(s).length > 0,
    perform: (s) => void s.acceptProposalsAbove('image'),
  }),
  // Before the label digits: while a proposal is selected with the select tool and no annotation, a digit labels the proposal.
  action({
    name: 'review.label',
    group: 'Review',
    label: 'Label the selected proposal before accepting it (select tool, no annotation selected)',
    keys: { display: '1 – 9', test: (e) => !ctrl(e) && !e.altKey && digitOf(e) !== null },
    history: 'none',
    enabled: (s, e) =>
      s.activeTool === 'select' &&
      s.selection.length === 0 &&
      hasSelected(s) &&
      e !== null &&
      s.labels.some((l) => l.hotkey === digitOf(e)),
    perform: (s, e) => {
      const digit = e && digitOf(e);
      const label = digit ? s.labels.find((l) => l.hotkey === digit) : undefined;
      if (label) s.relabelProposal(label.id);
    },
  }),
  action({
    name: 'review.nextImage',
    group: 'Review',
    label: 'Next image with proposals (the list shows only images with proposals)',
    keys: { display: 'J', test: letter('j', false) },
    history: 'none',
    perform: (s) => void s.stepImageWithProposals(1),
  }),
  action({
    name: 'review.previousImage',
    group: 'Review',
    label: 'Previous image with proposals',
    keys: { display: 'Shift+J', test: letter('j', true) },
    history: 'none',
    perform: (s) => void s.stepImageWithProposals(-1),
  }),
];
