// The ONE way the renderer changes the document: `commit` applies the ops
// locally at once (optimistic), sends them to main, and records main's
// inverse for undo. When main refuses, the local copy is reloaded from main.
import type { DocOp } from '../../../common/contract/index.js';
import { api } from '../api/client.js';
import { UndoHistory } from '../history/undoHistory.js';
import type { SliceCreator } from './sliceTypes.js';

export interface HistorySlice {
  canUndo: boolean;
  canRedo: boolean;
  /** A change is on its way to main (shown, not yet stored). */
  saving: boolean;
  commit: (ops: DocOp[], mergeKey?: string) => Promise<void>;
  /** Like commit, but not an undo step (automatic bookkeeping). */
  commitUnrecorded: (ops: DocOp[]) => Promise<void>;
  undo: () => Promise<void>;
  redo: () => Promise<void>;
  /** Forgets every entry (a new project starts a new session). */
  clearHistory: () => void;
}

export const createHistorySlice: SliceCreator<HistorySlice> = (set, get) => {
  const history = new UndoHistory(
    {
      applyLocal: (ops) => get().applyLocal(ops),
      applyRemote: async (ops) => (await api.call('document.apply', { ops })).inverse,
    },
    (snapshot) => set(snapshot),
  );
  const recover = async (error: unknown) => {
    get().showError(error);
    await get().resyncDocument();
  };
  return {
    canUndo: false,
    canRedo: false,
    saving: false,
    commit: (ops, mergeKey) => history.perform(ops, mergeKey).catch(recover),
    commitUnrecorded: (ops) => history.performUnrecorded(ops).catch(recover),
    undo: async () => {
      get().cancelTool();
      // Undo may touch another image's annotations: counts in the list are refreshed too.
      if (await history.undo().catch(recover)) get().refreshImagePages();
    },
    redo: async () => {
      get().cancelTool();
      if (await history.redo().catch(recover)) get().refreshImagePages();
    },
    clearHistory: () => history.clear(),
  };
};
