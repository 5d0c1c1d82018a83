// What a key press means now: the active tool's own keys first (Enter or
// Backspace while a polygon is drawn), then the first action whose key
// matches and that applies. The window's handler and the tests both press
// keys through here.
import type { AppState } from '../store/appStore.js';
import { ACTIONS } from './actionList.js';
import type { Action, KeyInput } from './actionTypes.js';

/** Runs the key; returns what took it ('tool', or the action), or null when nothing did. */
export function dispatchKey(e: KeyInput, s: AppState): 'tool' | Action | null {
  if (!e.ctrlKey && !e.metaKey && s.tool.onKeyDown(e.key)) return 'tool';
  const taken = ACTIONS.find((a) => a.keys?.test(e) === true && (a.enabled?.(s, e) ?? true));
  if (!taken) return null;
  taken.perform(s, e);
  return taken;
}
