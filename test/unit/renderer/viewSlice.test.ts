import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createStore } from 'zustand/vanilla';

import { fitView } from '../../../renderer/src/lib/viewTransform.js';
import type { AppState } from '../../../renderer/src/store/appStore.js';
import { createViewSlice, type ViewSlice } from '../../../renderer/src/store/viewSlice.js';

/** The view slice alone, with the one field of the rest of the store it reads. */
function viewStore() {
  return createStore<ViewSlice & { currentImage: { width: number; height: number } | null }>()((set, get, api) => ({
    currentImage: { width: 400, height: 200 },
    ...createViewSlice(set as never, get as () => AppState, api as never),
  }));
}

describe('view slice', () => {
  it('re-fits a fitted image when the window is resized', () => {
    const store = viewStore();
    store.getState().setViewport({ width: 800, height: 600 });
    store.getState().fitImage({ width: 400, height: 200 });
    store.getState().setViewport({ width: 400, height: 300 });
    assert.deepEqual(store.getState().view, fitView({ width: 400, height: 200 }, { width: 400, height: 300 }));
  });

  it('keeps the user zoom when the window is resized', () => {
    const store = viewStore();
    store.getState().setViewport({ width: 800, height: 600 });
    store.getState().fitToView();
    store.getState().zoomBy(2);
    const zoomed = store.getState().view;
    store.getState().setViewport({ width: 400, height: 300 });
    assert.deepEqual(store.getState().view, zoomed);
    assert.equal(store.getState().fittedTo, null);
  });
});
