// The user's own models in the model manager: add from paths (files, a
// folder or an X-AnyLabeling YAML), download by URL with the host's progress,
// cancel, remove, and the suggested public links. One add runs at a time (the
// host refuses a second); its outcome says what was recognised, or why the
// files were refused, until the next one. Also what the detector needs
// around the AI session: the SAM-family model its boxes are chained to, and
// the class-name mapping dialog that saves ai.setLabelMap.
import type { AddedModel, Label, LabelMap, ModelLink } from '../../../common/contract/index.js';
import { api } from '../api/client.js';
import type { SliceCreator } from './sliceTypes.js';
import type { ProgressTask } from './uiSlice.js';

export type ModelAddOutcome = { kind: 'installed'; message: string; added: AddedModel } | { kind: 'cancelled' | 'failed'; message: string };

export interface UserModelsSlice {
  modelLinks: ModelLink[] | null;
  modelLinksProblem: string | null;
  /** The add or download in progress; `cancelling` once Cancel was pressed. */
  modelAdd: { kind: 'files' | 'url'; cancelling: boolean } | null;
  modelAddOutcome: ModelAddOutcome | null;
  /** The SAM-family model a detector's boxes are turned into masks by; null: boxes (or the segmenter's own masks). */
  detectChainModelId: string | null;
  labelMapOpen: boolean;

  loadModelLinks: () => Promise<void>;
  addModel: (paths: string[]) => Promise<void>;
  /** Desktop app: the native file dialog, then models.add with what was chosen (the only paths its host accepts). */
  chooseAndAddModel: () => Promise<void>;
  fetchModelUrl: (urls: string[], sha256: (string | null)[]) => Promise<void>;
  cancelModelAdd: () => Promise<void>;
  removeUserModel: (modelId: string) => Promise<void>;
  setDetectChain: (modelId: string | null) => void;
  setLabelMapOpen: (open: boolean) => void;
  /** Creates `created` (one undo step), saves the detector's map (ai.setLabelMap) and relabels the detections on screen. */
  saveLabelMap: (modelId: string, created: Label[], map: LabelMap) => Promise<void>;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** The host's progress titles for a model add (models.add / models.fetchUrl), one task per phase. */
const ADD_TITLE =
  /^(Downloading the model|Recognising the model|Copying the model files|Checking the model in onnxruntime|Installing the model)/;

export function modelAddProgress(tasks: readonly ProgressTask[]): ProgressTask | undefined {
  return tasks.filter((t) => ADD_TITLE.test(t.title)).at(-1);
}

/** "2.1 MB/s · 12 s left": a download's rate and time left, '' until measured. */
export function rateText(task: Pick<ProgressTask, 'bytesPerSecond' | 'etaSeconds'>, formatBytes: (bytes: number) => string): string {
  const parts: string[] = [];
  if (task.bytesPerSecond != null && task.bytesPerSecond > 0) parts.push(`${formatBytes(task.bytesPerSecond)}/s`);
  if (task.etaSeconds != null && Number.isFinite(task.etaSeconds)) {
    const s = Math.max(0, Math.round(task.etaSeconds));
    parts.push(s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s left` : `${s} s left`);
  }
  return parts.join(' · ');
}

export const createUserModelsSlice: SliceCreator<UserModelsSlice> = (set, get) => {
  const exclusive = async (kind: 'files' | 'url', work: () => Promise<AddedModel>) => {
    if (get().modelAdd) {
      set({ modelAddOutcome: { kind: 'failed', message: 'A model is already being added; wait for it or cancel it first.' } });
      return;
    }
    set({ modelAdd: { kind, cancelling: false }, modelAddOutcome: null });
    try {
      const added = await work();
      const downloads = added.downloads.map((d) => `sha256 ${d.sha256}${d.resumed ? ' (resumed)' : ''}`);
      set({
        modelAddOutcome: {
          kind: 'installed',
          added,
          message: [`Added ${added.model.displayName}: ${added.recognisedAs}.`, ...downloads, ...added.warnings].join(' '),
        },
      });
      await get().loadAi();
    } catch (error) {
      const cancelled = get().modelAdd?.cancelling === true;
      set({
        modelAddOutcome: cancelled
          ? {
              kind: 'cancelled',
              message:
                kind === 'url'
                  ? 'Download cancelled; nothing was installed (the partial file is kept to resume).'
                  : 'Cancelled; nothing was installed.',
            }
          : { kind: 'failed', message: message(error) },
      });
    } finally {
      set({ modelAdd: null });
    }
  };

  return {
    modelLinks: null,
    modelLinksProblem: null,
    modelAdd: null,
    modelAddOutcome: null,
    detectChainModelId: null,
    labelMapOpen: false,

    loadModelLinks: async () => {
      try {
        set({ modelLinks: await api.call('models.links', {}), modelLinksProblem: null });
      } catch (error) {
        set({ modelLinksProblem: `Cannot list the suggested links: ${message(error)}` });
      }
    },
    addModel: (paths) => exclusive('files', () => api.call('models.add', { paths, force: false, allowDownload: false })),
    chooseAndAddModel: async () => {
      let paths: string[];
      try {
        ({ paths } = await api.call('dialog.pickModelFiles', {}));
      } catch (error) {
        get().showToast('error', `Cannot open the file dialog: ${message(error)}`);
        return;
      }
      if (paths.length > 0) await get().addModel(paths);
    },
    fetchModelUrl: (urls, sha256) => exclusive('url', () => api.call('models.fetchUrl', { urls, sha256, force: false })),
    cancelModelAdd: async () => {
      const running = get().modelAdd;
      if (!running || running.cancelling) return;
      set({ modelAdd: { ...running, cancelling: true } });
      try {
        const { cancelled } = await api.call('models.cancelAdd', {});
        if (!cancelled && get().modelAdd) set({ modelAdd: { ...running, cancelling: false } });
      } catch (error) {
        if (get().modelAdd) set({ modelAdd: { ...running, cancelling: false } });
        get().showError(error);
      }
    },
    removeUserModel: async (modelId) => {
      try {
        await api.call('models.remove', { modelId });
        if (get().detectChainModelId === modelId) set({ detectChainModelId: null });
        set({ modelAddOutcome: null });
        await get().loadAi();
        get().showToast('info', `Removed ${modelId}.`);
      } catch (error) {
        get().showError(error);
      }
    },
    setDetectChain: (detectChainModelId) => set({ detectChainModelId }),
    setLabelMapOpen: (labelMapOpen) => set({ labelMapOpen }),
    saveLabelMap: async (modelId, created, map) => {
      try {
        if (created.length > 0) await get().commit(created.map((label) => ({ type: 'label.put' as const, label })));
        const saved = await api.call('ai.setLabelMap', { modelId, map });
        get().aiSession.applyLabelMap(saved);
        set({ labelMapOpen: false });
        // The status carries the remembered maps.
        void get().loadAi();
      } catch (error) {
        get().showError(error);
      }
    },
  };
};
