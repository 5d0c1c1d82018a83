// The model manager: opt-in model packs the host can download into the
// user's model folder (never bundled: their licences differ from the app's).
// The licence is shown before a download and must be accepted; one download
// runs at a time, reports progress through the host's `progress` events, can
// be cancelled, and on success the AI model list is reloaded so the new model
// can be picked.
import type { ModelPack, ModelPackId } from '../../../common/contract/index.js';
import { api } from '../api/client.js';
import type { SliceCreator } from './sliceTypes.js';
import type { ProgressTask } from './uiSlice.js';

export type PackOutcome =
  | { pack: ModelPackId; kind: 'installed'; message: string; modelId: string }
  | { pack: ModelPackId; kind: 'cancelled' | 'failed'; message: string };

export interface ModelPacksSlice {
  /** null until listed. */
  modelPacks: ModelPack[] | null;
  /** Why the packs could not be listed. */
  modelPacksProblem: string | null;
  modelManagerOpen: boolean;
  /** The download in progress; `cancelling` once Cancel was pressed. */
  packFetch: { pack: ModelPackId; cancelling: boolean } | null;
  /** How the last download ended, shown in the dialog until the next one. */
  packOutcome: PackOutcome | null;

  setModelManagerOpen: (open: boolean) => void;
  loadModelPacks: () => Promise<void>;
  /** Downloads and installs a pack; refused unless its licence was accepted. `force` reinstalls. */
  fetchModelPack: (pack: ModelPackId, options: { licenceAccepted: boolean; force?: boolean }) => Promise<void>;
  cancelModelPackFetch: () => Promise<void>;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** The host's progress task for a pack's download (titled "Downloading <pack>"). */
export function packProgress(tasks: readonly ProgressTask[], pack: ModelPackId): ProgressTask | undefined {
  return tasks.find((t) => t.title === `Downloading ${pack}`);
}

/** "44 MB", "1.2 GB": sizes as a download dialog shows them. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return 'unknown size';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

export const createModelPacksSlice: SliceCreator<ModelPacksSlice> = (set, get) => ({
  modelPacks: null,
  modelPacksProblem: null,
  modelManagerOpen: false,
  packFetch: null,
  packOutcome: null,

  setModelManagerOpen: (open) => {
    set({ modelManagerOpen: open });
    if (open) void get().loadModelPacks();
  },
  loadModelPacks: async () => {
    try {
      set({ modelPacks: await api.call('models.packs', {}), modelPacksProblem: null });
    } catch (error) {
      set({ modelPacksProblem: `Cannot list the model packs: ${message(error)}` });
    }
  },
  fetchModelPack: async (pack, { licenceAccepted, force = false }) => {
    if (!licenceAccepted) {
      const licence = get().modelPacks?.find((p) => p.id === pack)?.license ?? 'its licence';
      set({ packOutcome: { pack, kind: 'failed', message: `Accept the ${licence} licence of ${pack} before downloading it.` } });
      return;
    }
    const running = get().packFetch;
    if (running) {
      set({ packOutcome: { pack, kind: 'failed', message: `${running.pack} is still downloading; wait for it or cancel it first.` } });
      return;
    }
    set({ packFetch: { pack, cancelling: false }, packOutcome: null });
    try {
      const model = await api.call('models.fetch', { pack, force });
      set({
        packOutcome: {
          pack,
          kind: 'installed',
          modelId: model.id,
          message: `${model.displayName} is installed. Pick it in the model list.`,
        },
      });
      // The new model joins the list; the pack shows as installed.
      await Promise.all([get().loadAi(), get().loadModelPacks()]);
    } catch (error) {
      const cancelled = get().packFetch?.cancelling === true;
      set({
        packOutcome: cancelled
          ? { pack, kind: 'cancelled', message: 'Download cancelled; nothing was installed.' }
          : { pack, kind: 'failed', message: `Could not install ${pack}: ${message(error)}` },
      });
    } finally {
      set({ packFetch: null });
    }
  },
  cancelModelPackFetch: async () => {
    const running = get().packFetch;
    if (!running || running.cancelling) return;
    set({ packFetch: { ...running, cancelling: true } });
    try {
      const { cancelled } = await api.call('models.cancelFetch', { pack: running.pack });
      // Finished (or failed) before the host saw the cancel: the fetch's own outcome stands.
      if (!cancelled && get().packFetch?.pack === running.pack) set({ packFetch: { ...running, cancelling: false } });
    } catch (error) {
      if (get().packFetch?.pack === running.pack) set({ packFetch: { ...running, cancelling: false } });
      get().showError(error);
    }
  },
});
