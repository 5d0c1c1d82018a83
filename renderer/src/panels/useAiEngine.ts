// The renderer's side of the inference engine's life: models and status on
// start, its events, and prefetch. Whenever a project is open, the image on
// screen and the next ones in the list are sent to `ai.focus` so their
// features are ready before the user prompts; prompts and candidates belong
// to one image and are dropped when another is shown.
import { useEffect } from 'react';

import { api } from '../api/client.js';
import { prefetchCount } from '../store/aiEngineSlice.js';
import type { AppState } from '../store/appStore.js';
import { useAppStore } from '../store/appStore.js';
import { imageAtIndex } from '../store/imagesSlice.js';

/** The image on screen and the ids of the next ones in list order (those whose page is loaded). */
export function focusTarget(
  s: Pick<AppState, 'currentImage' | 'currentIndex' | 'imagePages' | 'imageTotal' | 'aiStatus'>,
): { imageId: number; upcoming: number[] } | null {
  if (!s.currentImage) return null;
  const upcoming: number[] = [];
  if (s.currentIndex !== null) {
    const last = Math.min(s.imageTotal - 1, s.currentIndex + prefetchCount(s));
    for (let index = s.currentIndex + 1; index <= last; index++) {
      const image = imageAtIndex(s.imagePages, index);
      if (image && image.id !== s.currentImage.id) upcoming.push(image.id);
    }
  }
  return { imageId: s.currentImage.id, upcoming };
}

export function useAiEngine(): void {
  useEffect(() => {
    const store = useAppStore;
    const { loadAi, applyAiStatus, applyAiFeatures } = store.getState();
    void loadAi();
    const offStatus = api.on('ai.status', applyAiStatus);
    const offFeatures = api.on('ai.features', applyAiFeatures);
    let focusedKey = '';
    const focus = (s: AppState) => {
      const target = focusTarget(s);
      const key = target ? `${s.aiStatus?.settings.modelId ?? ''}|${target.imageId}|${target.upcoming.join(',')}` : '';
      if (!target || key === focusedKey) return;
      focusedKey = key;
      s.focusAi(target.imageId, target.upcoming);
    };
    focus(store.getState());
    const unsubscribe = store.subscribe((s, previous) => {
      if (s.currentImage?.id !== previous.currentImage?.id) s.aiSession.discard();
      if (s.project !== previous.project) {
        // Image ids are per project: the old marks mean nothing here.
        s.forgetFeatureStates();
        focusedKey = '';
        void s.loadAi();
      }
      // Only what decides the focus; the store changes on every pointer move.
      if (
        s.currentImage !== previous.currentImage ||
        s.currentIndex !== previous.currentIndex ||
        s.imagePages !== previous.imagePages ||
        s.aiStatus?.settings !== previous.aiStatus?.settings
      ) {
        focus(s);
      }
    });
    return () => {
      offStatus();
      offFeatures();
      unsubscribe();
    };
  }, []);
}
