// The ONE way the renderer changes the document: `commit` applies the ops
// locally at once (optimistic), sends them to main, and records main's
// inverse for undo. When main refuses, the local copy is reloaded from main.
// Annotation ops carry the revision they are based on; main refuses a stale
// one (another client changed it since), and an undo refused so is dropped.
import type { DocOp, DocumentApplied } from '../../../common/contract/index.js';
import { api, ApiError } from '../api/client.js';
import { OwnRevisions } from '../history/ownRevisions.js';
import { UndoHistory } from '../history/undoHistory.js';
import type { SliceCreator } from './sliceTypes.js';
import { withStartedStatus } from './startedStatus.js';

export interface HistorySlice {
  canUndo: boolean;
  canRedo: boolean;
  /** A change is on its way to main (shown, not yet stored). */
  saving: boolean;
  /** One undo step; the first edit of a to-do open image starts it in the same batch (startedStatus.ts). */
  commit: (ops: DocOp[], mergeKey?: string) => Promise<void>;
  /** A batch main builds and applies itself (accept all proposals above a score): its inverse becomes one undo step. */
  commitRemote: (run: (origin: string) => Promise<DocumentApplied>) => Promise<void>;
  undo: () => Promise<void>;
  redo: () => Promise<void>;
  /** Forgets every entry (a new project starts a new session). */
  clearHistory: () => void;
}

/** This window among the project's clients: main echoes it in 'document.changed', so the window skips its own changes. */
export const CLIENT_ORIGIN = crypto.randomUUID();

/**
 * The origin of batches main builds for this window (accept all): unlike
 * CLIENT_ORIGIN, this window applies their 'document.changed' like another
 * client's, since it holds no local copy of what main wrote.
 */
export const REMOTE_ORIGIN = `${CLIENT_ORIGIN}:host`;

/** Main refused an annotation write because another client changed or deleted its target since. */
export const isStaleRevision = (error: unknown): error is ApiError =>
  error instanceof ApiError && error.code === 'conflict' && /\.revision$/.test(error.path ?? '');

export const createHistorySlice: SliceCreator<HistorySlice> = (set, get) => {
  const own = new OwnRevisions();
  const history = new UndoHistory(
    {
      applyLocal: (ops) => get().applyLocal(ops),
      applyRemote: async (ops) => {
        const answer = await api.call('document.apply', { ops: own.rebase(ops), origin: CLIENT_ORIGIN });
        own.record(answer.revisions);
        get().applyOwnRevisions(answer.revisions, own);
        return answer.inverse;
      },
      isFinalRefusal: isStaleRevision,
    },
    (snapshot) => set(snapshot),
  );
  const recover = async (error: unknown) => {
    get().showError(error);
    await get().resyncDocument();
  };
  const recoverStep = (step: 'Undo' | 'Redo') => async (error: unknown) => {
    if (!isStaleRevision(error)) return recover(error);
    get().showToast('error', `${step} skipped: ${error.message} This step was removed from this window's history.`);
    await get().resyncDocument();
    return false;
  };
  return {
    canUndo: false,
    canRedo: false,
    saving: false,
    commit: (ops, mergeKey) => history.perform(withStartedStatus(ops, get()), mergeKey).catch(recover),
    commitRemote: (run) =>
      history
        .performRemote(async () => {
          const answer = await run(REMOTE_ORIGIN);
          own.record(answer.revisions);
          return answer.inverse;
        })
        .catch(get().showError),
    undo: async () => {
      get().cancelTool();
      // Undo may touch another image's annotations: counts in the list are refreshed too.
      if (await history.undo().catch(recoverStep('Undo'))) get().refreshImagePages();
    },
    redo: async () => {
      get().cancelTool();
      if (await history.redo().catch(recoverStep('Redo'))) get().refreshImagePages();
    },
    clearHistory: () => {
      history.clear();
      own.clear();
    },
  };
};
