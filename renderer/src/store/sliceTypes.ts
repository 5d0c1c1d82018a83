import type { StateCreator } from 'zustand';

import type { AppState } from './appStore.js';

/** A slice's creator: it sees (and may call) the whole store. */
export type SliceCreator<Slice> = StateCreator<AppState, [], [], Slice>;
