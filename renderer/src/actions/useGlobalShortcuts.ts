// Window-level keyboard handling: every key press not typed into a field goes
// through dispatchKey; a key an action or the tool took is not the browser's
// any more.
import { useEffect } from 'react';

import { useAppStore } from '../store/appStore.js';
import { dispatchKey } from './dispatchKey.js';
import { isTyping } from './isTyping.js';

export function useGlobalShortcuts(): void {
  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      if (isTyping(e.target)) return;
      if (dispatchKey(e, useAppStore.getState()) !== null) e.preventDefault();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
