// Window-level keyboard handling: the active tool gets the key first (Enter,
// Backspace while drawing a polygon), then the shortcut table.
import { useEffect } from 'react';
import { useAppStore } from '../store/appStore.js';
import { isTyping } from './isTyping.js';
import { SHORTCUTS } from './shortcutTable.js';

export function useGlobalShortcuts(): void {
  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      if (isTyping(e.target)) return;
      const state = useAppStore.getState();
      if (!e.ctrlKey && !e.metaKey && state.tool.onKeyDown(e.key, { shift: e.shiftKey, code: e.code })) {
        e.preventDefault();
        return;
      }
      const shortcut = SHORTCUTS.find((s) => s.matches(e));
      if (!shortcut) return;
      e.preventDefault();
      shortcut.run(state, e);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
