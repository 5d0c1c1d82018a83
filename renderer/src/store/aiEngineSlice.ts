// The inference engine as the renderer knows it: its models and status, its
// settings (model, execution provider, feature cache, prefetch), cancelling
// its work, and the per-image feature marks of the list. The prompting
// session itself is a state machine of its own (ai/session/, bound in
// aiSessionSlice.ts); model packs are in modelPacksSlice.ts.
import type {
  EngineStatus,
  EventMap,
  ExecutionProviderChoice,
  FeatureState,
  ModelInfo,
  RequestOf,
} from '../../../common/contract/index.js';
import { mergeFeatureStates } from '../ai/aiPrompts.js';
import { api, ApiError } from '../api/client.js';
import type { AppState } from './appStore.js';
import type { SliceCreator } from './sliceTypes.js';

export interface AiEngineSlice {
  aiModels: ModelInfo[];
  aiStatus: EngineStatus | null;
  /** Why the engine could not be reached, for the status line. */
  aiProblem: string | null;
  /** Cached-features state per image id, for the list's marks. */
  aiFeatureStates: ReadonlyMap<number, FeatureState>;

  loadAi: () => Promise<void>;
  applyAiStatus: (status: EngineStatus) => void;
  applyAiFeatures: (event: EventMap['ai.features']) => void;
  /** The image on screen and the next ones in the list: the engine encodes them ahead. */
  focusAi: (imageId: number, upcoming: number[]) => void;
  /** Asks for the marks of listed images not known yet. */
  loadFeatureStates: (imageIds: readonly number[]) => void;
  /** Another project (or model): no marks known. */
  forgetFeatureStates: () => void;
  /** Drops the session's prompts and candidates (they belong to the old model), then switches. */
  chooseAiModel: (modelId: string) => Promise<void>;
  chooseExecutionProvider: (executionProvider: ExecutionProviderChoice) => Promise<void>;
  /** Other engine settings (feature cache budget, prefetch depth); persisted by the host. */
  configureAi: (settings: RequestOf<'ai.configure'>) => Promise<void>;
  /** Stops the AI work in flight (a slow provider's prompt, segment everything); it ends as "Cancelled." */
  cancelAi: () => void;
}

const DEFAULT_PREFETCH = 3;

export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** The answer of work the user cancelled (ai.cancel): not an error to report. */
export const isCancelled = (error: unknown): boolean =>
  error instanceof ApiError && error.code === 'conflict' && error.message === 'cancelled';

/** The model requests go to: the engine's current one. */
export function currentModel(s: Pick<AppState, 'aiModels' | 'aiStatus'>): ModelInfo | undefined {
  const id = s.aiStatus?.settings.modelId;
  return s.aiModels.find((m) => m.id === id);
}

/** The upcoming images to prefetch: the next ones in list order that are loaded. */
export function prefetchCount(s: Pick<AppState, 'aiStatus'>): number {
  return s.aiStatus?.settings.prefetchCount ?? DEFAULT_PREFETCH;
}

export const createAiEngineSlice: SliceCreator<AiEngineSlice> = (set, get) => {
  const requestedFeatureIds = new Set<number>();
  const mergeStates = (states: Record<number, FeatureState>) =>
    set((s) => ({ aiFeatureStates: mergeFeatureStates(s.aiFeatureStates, states) }));
  const configure = async (settings: RequestOf<'ai.configure'>) => {
    try {
      get().applyAiStatus(await api.call('ai.configure', settings));
    } catch (error) {
      get().showError(error);
    }
  };

  return {
    aiModels: [],
    aiStatus: null,
    aiProblem: null,
    aiFeatureStates: new Map(),

    loadAi: async () => {
      try {
        const [models, status] = await Promise.all([api.call('ai.models', {}), api.call('ai.status', {})]);
        set({ aiModels: models });
        get().applyAiStatus(status);
      } catch (error) {
        set({ aiProblem: errorMessage(error) });
      }
    },
    applyAiStatus: (status) => {
      const previousModel = get().aiStatus?.settings.modelId;
      set({ aiStatus: status, aiProblem: null });
      if (previousModel === status.settings.modelId) return;
      // Marks are per model: another model starts without any.
      if (previousModel !== undefined) get().forgetFeatureStates();
      get().aiSession.providerChanged(currentModel(get()));
    },
    applyAiFeatures: (event) => {
      const modelId = get().aiStatus?.settings.modelId;
      if (modelId !== undefined && event.modelId !== modelId) return;
      mergeStates({ [event.imageId]: event.state });
    },
    focusAi: (imageId, upcoming) => {
      api.call('ai.focus', { imageId, upcoming }).then(mergeStates, (error: unknown) => set({ aiProblem: errorMessage(error) }));
    },
    loadFeatureStates: (imageIds) => {
      const known = get().aiFeatureStates;
      const wanted = imageIds.filter((id) => !known.has(id) && !requestedFeatureIds.has(id));
      if (wanted.length === 0) return;
      for (const id of wanted) requestedFeatureIds.add(id);
      api.call('ai.featureStates', { imageIds: wanted }).then(mergeStates, (error: unknown) => {
        for (const id of wanted) requestedFeatureIds.delete(id);
        set({ aiProblem: errorMessage(error) });
      });
    },
    forgetFeatureStates: () => {
      requestedFeatureIds.clear();
      set({ aiFeatureStates: new Map() });
    },
    chooseAiModel: async (modelId) => {
      get().aiSession.discard();
      await configure({ modelId });
    },
    chooseExecutionProvider: (executionProvider) => configure({ executionProvider }),
    configureAi: configure,
    cancelAi: () => {
      api.call('ai.cancel', {}).catch((error: unknown) => get().showError(error));
    },
  };
};
