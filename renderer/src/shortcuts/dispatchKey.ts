// What a key press means now: the active tool's own keys first (Enter or
// Backspace while a polygon is drawn), then the first shortcut that applies.
// The window's handler and the tests both press keys through here.
import type { AppState } from '../store/appStore.js';
import { SHORTCUTS, type KeyInput, type Shortcut } from './shortcutTable.js';

/** Runs the key; returns what took it ('tool', the shortcut), or null when nothing did. */
export function dispatchKey(e: KeyInput, s: AppState): 'tool' | Shortcut | null {
  if (!e.ctrlKey && !e.metaKey && s.tool.onKeyDown(e.key)) return 'tool';
  const shortcut = SHORTCUTS.find((candidate) => candidate.matches(e) && (candidate.applies?.(s, e) ?? true));
  if (!shortcut) return null;
  shortcut.run(s, e);
  return shortcut;
}
