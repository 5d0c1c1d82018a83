// Every command of the app, once, in the order a key is tried: the key
// handler (dispatchKey.ts) runs the first one whose key matches and that
// applies, the `?` overlay lists them (overlayRows.ts) and the toolbar makes
// its buttons from them. The AI keys come first: where they apply, they take
// the key before the app's own meaning of it (Esc, the digits).
import type { Action } from './actionTypes.js';
import { AI_ACTIONS } from './aiActions.js';
import { CAPTION_ACTIONS } from './captionActions.js';
import { EDIT_ACTIONS, LABEL_ACTIONS } from './editActions.js';
import { PROPOSAL_ACTIONS } from './proposalActions.js';
import { REVIEW_ACTIONS } from './reviewActions.js';
import { TOOL_ACTIONS } from './toolActions.js';
import { HELP_ACTIONS, IMAGE_ACTIONS, VIEW_ACTIONS } from './viewActions.js';

export const ACTIONS = [
  ...AI_ACTIONS,
  ...PROPOSAL_ACTIONS,
  ...TOOL_ACTIONS,
  ...LABEL_ACTIONS,
  ...EDIT_ACTIONS,
  ...CAPTION_ACTIONS,
  ...VIEW_ACTIONS,
  ...IMAGE_ACTIONS,
  ...REVIEW_ACTIONS,
  ...HELP_ACTIONS,
];

export type ActionName = (typeof ACTIONS)[number]['name'];

const byName = new Map<string, Action>(ACTIONS.map((a) => [a.name, a]));

export function actionNamed(name: ActionName): Action {
  const found = byName.get(name);
  if (!found) throw new Error(`no action named ${name}`);
  return found;
}

/** How the overlay and tooltips show an action's key ('' when it has none). */
export const keyOf = (name: ActionName): string => actionNamed(name).keys?.display ?? '';
