// Interactive AI segmentation: the engine's models and status, the prompt set
// being built, the candidates it produced, the label chosen for them, and the
// per-image feature marks of the list. None of this is document history:
// prompts and candidates come and go freely; only accepting commits (one
// undo step through the history slice).
import type {
  Annotation,
  CandidateSet,
  ClickPromptInput,
  EngineStatus,
  EventMap,
  ExecutionProviderChoice,
  FeatureState,
  MaskCandidate,
  ModelInfo,
  ReferencePromptInput,
  RequestOf,
  ScribblePromptInput,
} from '../../../common/contract/index.js';
import { api, ApiError } from '../api/client.js';
import { candidateAt, candidateCrop } from '../masks/candidateBitmap.js';
import {
  DEFAULT_WAND_TOLERANCE,
  EMPTY_PROMPTS,
  REGION_COUNT,
  bestPosition,
  capabilityProblem,
  clampScore,
  clampTolerance,
  cyclePosition,
  hasPrompts,
  mergeFeatureStates,
  preselectedLabel,
  regionCount,
  segmentPayload,
  type CapabilityKind,
  type PromptDraft,
} from '../ai/aiPrompts.js';
import type { AppState } from './appStore.js';
import type { Corners } from '../lib/corners.js';
import { LatestWins, Throttle } from '../lib/latestWins.js';
import type { SliceCreator } from './sliceTypes.js';

/**
 * Prompted candidates refine one object; region candidates are one mask per
 * scribble region (watershed); proposals cover the whole image (segment everything).
 */
export type CandidateMode = 'prompt' | 'regions' | 'everything';

type SegmentRequest = RequestOf<'ai.segment'>;
type Memory = NonNullable<SegmentRequest['previous']>;

export interface AiSlice {
  aiModels: ModelInfo[];
  aiStatus: EngineStatus | null;
  /** Why the engine could not be reached, for the status line. */
  aiProblem: string | null;
  aiPrompts: PromptDraft;
  /** The scribble being drawn, before it becomes a prompt. */
  aiLiveStroke: ScribblePromptInput | null;
  /** Drags draw scribbles without Shift. */
  aiScribbleMode: boolean;
  /** Clicks are magic-wand seeds (when the provider has a wand; see `wandActive`). */
  aiWandMode: boolean;
  /** Magic-wand tolerance, 0..MAX_WAND_TOLERANCE (per channel, of 255). */
  aiWandTolerance: number;
  /** Region (0-based) new scribbles go to, for providers that split by regions. */
  aiRegion: number;
  aiCandidates: CandidateSet | null;
  aiCandidateMode: CandidateMode;
  /** In 'regions' mode, the region each candidate is (by position); empty otherwise. */
  aiCandidateRegions: readonly number[];
  /** Position in `aiCandidates.candidates` of the one shown / to accept. */
  aiSelected: number;
  /** The request that produced `aiCandidates` (pairs the performance marks). */
  aiRequestSeq: number;
  aiLabelId: string | null;
  /** The user picked the label: refinements keep it instead of the model's guess. */
  aiLabelPicked: boolean;
  /** A prompt request is in flight. */
  aiPending: boolean;
  aiEverythingRunning: boolean;
  aiAccepting: boolean;
  /** Cached-features state per image id, for the list's marks. */
  aiFeatureStates: ReadonlyMap<number, FeatureState>;
  aiReferenceOpen: boolean;

  loadAi: () => Promise<void>;
  applyAiStatus: (status: EngineStatus) => void;
  applyAiFeatures: (event: EventMap['ai.features']) => void;
  /** The image on screen and the next ones in the list: the engine encodes them ahead. */
  focusAi: (imageId: number, upcoming: number[]) => void;
  /** Asks for the marks of listed images not known yet. */
  loadFeatureStates: (imageIds: readonly number[]) => void;
  /** Another project (or model): no marks known. */
  forgetFeatureStates: () => void;
  chooseAiModel: (modelId: string) => Promise<void>;
  chooseExecutionProvider: (provider: ExecutionProviderChoice) => Promise<void>;
  /** Other engine settings (feature cache budget, prefetch depth); persisted by the host. */
  configureAi: (settings: RequestOf<'ai.configure'>) => Promise<void>;

  addAiClick: (click: ClickPromptInput) => void;
  dragAiBox: (box: Corners, final: boolean) => void;
  cancelAiBoxDrag: () => void;
  showAiStroke: (stroke: ScribblePromptInput | null) => void;
  addAiScribble: (scribble: ScribblePromptInput) => void;
  /** null or blank removes the text prompt. */
  setAiText: (text: string | null) => void;
  setAiReference: (reference: ReferencePromptInput | null) => void;
  setAiScribbleMode: (on: boolean) => void;
  /** Turns the magic wand on or off; refused with the reason when the provider has none. */
  setAiWandMode: (on: boolean) => void;
  toggleAiWand: () => void;
  /** Moves the tolerance; a wand fill on screen is redone with it (throttled, latest wins). */
  setAiWandTolerance: (tolerance: number) => void;
  /** Region for new scribbles; false (nothing changes) when the provider has no regions or it is out of range. */
  setAiRegion: (region: number) => boolean;
  setReferenceOpen: (open: boolean) => void;
  /** Removes the canvas prompts (clicks, box, scribbles); text and reference stay. */
  clearAiCanvasPrompts: () => void;
  /** Drops every prompt and candidate (Esc). */
  discardAi: () => void;
  cycleAiCandidate: (delta: number) => void;
  selectAiCandidate: (position: number) => void;
  chooseAiLabel: (labelId: string | null) => void;
  chooseAiLabelByHotkey: (digit: string) => boolean;
  /** Accepts the selected candidate (or the one at `position`) as an annotation. */
  acceptAiCandidate: (position?: number) => Promise<void>;
  /** Accepts every proposal (or region mask) in one undo step. */
  acceptAllAiCandidates: () => Promise<void>;
  segmentEverything: () => Promise<void>;
  /** Stops the AI work in flight (a slow provider's prompt, segment everything); it ends as "Cancelled." */
  cancelAi: () => void;
}

const DEFAULT_PREFETCH = 3;

export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** The answer of work the user cancelled (ai.cancel): not an error to report. */
export const isCancelled = (error: unknown): boolean => error instanceof ApiError && error.code === 'conflict' && error.message === 'cancelled';

/** The model requests go to: the engine's current one. */
export function currentModel(s: Pick<AppState, 'aiModels' | 'aiStatus'>): ModelInfo | undefined {
  const id = s.aiStatus?.settings.modelId;
  return s.aiModels.find((m) => m.id === id);
}

/** The magic wand is on and the current provider has one. */
export function wandActive(s: Pick<AppState, 'aiModels' | 'aiStatus' | 'aiWandMode'>): boolean {
  return s.aiWandMode && currentModel(s)?.capabilities.wand === true;
}

/** Scribble regions are offered by the current provider. */
export function regionsOffered(s: Pick<AppState, 'aiModels' | 'aiStatus'>): boolean {
  return currentModel(s)?.capabilities.regions === true;
}

/** How often a moving tolerance slider may start a request. */
const TOLERANCE_RERUN_MS = 60;

/** The upcoming images to prefetch: the next ones in list order that are loaded. */
export function prefetchCount(s: Pick<AppState, 'aiStatus'>): number {
  return s.aiStatus?.settings.prefetchCount ?? DEFAULT_PREFETCH;
}

export const createAiSlice: SliceCreator<AiSlice> = (set, get) => {
  /** While a box is dragged (and for its final request), refinement starts from the candidate before the drag. */
  let boxDrag: { before: Corners | null; memory: Memory | null } | null = null;
  let dragMemory: Memory | null | undefined;
  let everythingSeq = 0;
  const requestedFeatureIds = new Set<number>();

  const selectedMemory = (s: AppState): Memory | null => {
    const candidate = s.aiCandidateMode === 'prompt' ? s.aiCandidates?.candidates[s.aiSelected] : undefined;
    return candidate && s.aiCandidates ? { candidateSetId: s.aiCandidates.id, index: candidate.index } : null;
  };

  const runner = new LatestWins<SegmentRequest, CandidateSet>({
    build: () => {
      const s = get();
      if (!s.currentImage) return null;
      const wand = wandActive(s);
      const payload = segmentPayload(s.aiPrompts, wand ? { tolerance: s.aiWandTolerance } : null);
      if (!payload) return null;
      // A fill has no memory of an earlier mask: each tolerance starts from the seeds again.
      const previous = wand ? null : dragMemory !== undefined ? dragMemory : selectedMemory(s);
      const modelId = s.aiStatus?.settings.modelId;
      return { imageId: s.currentImage.id, ...payload, ...(modelId ? { modelId } : {}), ...(previous ? { previous } : {}) };
    },
    send: (request, seq) => {
      performance.mark('ai:prompt-sent', { detail: { requestSeq: seq, imageId: request.imageId } });
      return api.call('ai.segment', request);
    },
    onAnswer: (candidates, request, seq) => {
      const scribbles = request.prompts.scribbles ?? [];
      // Scribbles in several regions come back as one mask per region, in region order.
      if (regionCount(scribbles) < 2) {
        showCandidates(candidates, 'prompt', seq);
        return;
      }
      const regions = [...new Set(scribbles.map((x) => x.region ?? 0))].sort((a, b) => a - b);
      // A provider that left out a region (nothing found there) gives no way to pair the masks with regions.
      showCandidates(candidates, 'regions', seq, regions.length === candidates.candidates.length ? regions : []);
    },
    onError: (error) => (isCancelled(error) ? get().showToast('info', 'Cancelled.') : get().showError(error)),
    onBusyChange: (busy) => set({ aiPending: busy }),
  });
  const toleranceRerun = new Throttle(() => runner.request(), TOLERANCE_RERUN_MS);

  /** Drops the answers of everything sent so far. */
  const invalidate = () => {
    runner.reset();
    toleranceRerun.cancel();
    everythingSeq++;
  };

  const showCandidates = (candidates: CandidateSet, mode: CandidateMode, seq: number, regions: readonly number[] = []) => {
    const s = get();
    // An answer for an image no longer on screen has nothing to show.
    if (candidates.imageId !== s.currentImage?.id) return;
    const position = bestPosition(candidates);
    const keepLabel = mode === 'prompt' && s.aiLabelPicked;
    set({
      aiCandidates: candidates,
      aiCandidateMode: mode,
      aiCandidateRegions: regions,
      aiSelected: position,
      aiRequestSeq: seq,
      aiLabelId: keepLabel ? s.aiLabelId : preselectedLabel(candidates.candidates[position], s.labels, s.activeLabelId),
      aiLabelPicked: keepLabel,
    });
  };

  /** A prompt the current model cannot take is refused with the reason (the panel greys it out too). */
  const allowed = (kind: CapabilityKind, report = true): boolean => {
    const s = get();
    const model = currentModel(s);
    // Unknown model (engine not answering yet): let the engine say what is wrong.
    const problem = model ? capabilityProblem(kind, model.capabilities, model.displayName) : null;
    if (problem && report) s.showToast('info', problem);
    return problem === null;
  };

  /** Leaves segment-everything proposals behind before prompting. */
  const leaveEverything = () => {
    if (get().aiCandidateMode !== 'everything') return;
    invalidate();
    set({ aiCandidates: null, aiCandidateMode: 'prompt', aiCandidateRegions: [], aiEverythingRunning: false, aiLabelPicked: false });
  };

  const changePrompts = (prompts: PromptDraft) => {
    leaveEverything();
    set({ aiPrompts: prompts });
    if (hasPrompts(prompts)) {
      runner.request();
      return;
    }
    invalidate();
    dragMemory = undefined;
    set({ aiCandidates: null, aiCandidateRegions: [], aiLabelPicked: false });
  };

  /** A new scribble goes to the chosen region when the provider splits by regions. */
  const inRegion = (scribble: ScribblePromptInput): ScribblePromptInput => {
    const s = get();
    return regionsOffered(s) ? { ...scribble, region: s.aiRegion } : scribble;
  };

  const annotationFor = async (candidates: CandidateSet, candidate: MaskCandidate, labelId: string | null): Promise<Annotation> => {
    const mask = await api.call('ai.materialize', { candidateSetId: candidates.id, index: candidate.index });
    if (mask.area <= 0) throw new Error('The candidate mask is empty; nothing to accept.');
    const now = Date.now();
    const known = labelId !== null && get().labels.some((l) => l.id === labelId);
    return {
      id: crypto.randomUUID(),
      imageId: candidates.imageId,
      labelId: known ? labelId : null,
      geometry: mask.polygons.length > 0 ? { kind: 'mask', rle: mask.rle, outline: mask.polygons } : { kind: 'mask', rle: mask.rle },
      score: clampScore(mask.score),
      source: mask.modelId,
      createdAt: now,
      updatedAt: now,
      revision: 0,
    };
  };

  const mergeStates = (states: Record<number, FeatureState>) => set((s) => ({ aiFeatureStates: mergeFeatureStates(s.aiFeatureStates, states) }));

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
    aiPrompts: EMPTY_PROMPTS,
    aiLiveStroke: null,
    aiScribbleMode: false,
    aiWandMode: false,
    aiWandTolerance: DEFAULT_WAND_TOLERANCE,
    aiRegion: 0,
    aiCandidates: null,
    aiCandidateMode: 'prompt',
    aiCandidateRegions: [],
    aiSelected: 0,
    aiRequestSeq: 0,
    aiLabelId: null,
    aiLabelPicked: false,
    aiPending: false,
    aiEverythingRunning: false,
    aiAccepting: false,
    aiFeatureStates: new Map(),
    aiReferenceOpen: false,

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
      // The wand and the regions are the old provider's tools; the new one may have neither.
      const s = get();
      const model = currentModel(s);
      if (model && !model.capabilities.wand && s.aiWandMode) set({ aiWandMode: false });
      if (model && !model.capabilities.regions && s.aiRegion !== 0) set({ aiRegion: 0 });
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
      get().discardAi();
      await configure({ modelId });
    },
    chooseExecutionProvider: (executionProvider) => configure({ executionProvider }),
    configureAi: configure,

    addAiClick: (click) => {
      const s = get();
      if (s.aiCandidateMode === 'everything' && s.aiCandidates) {
        // Clicking a proposal accepts it; clicking elsewhere starts prompting there.
        const candidates = s.aiCandidates;
        const hit = candidateAt(candidates, click.x, click.y, (c) => candidateCrop(candidates.id, c));
        if (hit !== null && click.positive) {
          void get().acceptAiCandidate(hit);
          return;
        }
      }
      // With the wand on, a click is a fill seed rather than a point prompt.
      if (!allowed(get().aiWandMode ? 'wand' : 'points')) return;
      dragMemory = undefined;
      changePrompts({ ...get().aiPrompts, clicks: [...get().aiPrompts.clicks, click] });
    },
    dragAiBox: (box, final) => {
      if (!boxDrag) {
        // Said once, on release, not on every pointer move.
        if (!allowed('box', final)) return;
        leaveEverything();
        const s = get();
        boxDrag = { before: s.aiPrompts.box, memory: selectedMemory(s) };
      }
      dragMemory = boxDrag.memory;
      if (final) boxDrag = null;
      changePrompts({ ...get().aiPrompts, box });
    },
    cancelAiBoxDrag: () => {
      if (!boxDrag) return;
      const { before } = boxDrag;
      boxDrag = null;
      changePrompts({ ...get().aiPrompts, box: before });
    },
    showAiStroke: (stroke) => set({ aiLiveStroke: stroke ? inRegion(stroke) : null }),
    addAiScribble: (scribble) => {
      if (wandActive(get())) {
        get().showToast('info', 'The magic wand fills from clicks; turn it off (W) to scribble.');
        return;
      }
      if (!allowed('scribble')) return;
      dragMemory = undefined;
      changePrompts({ ...get().aiPrompts, scribbles: [...get().aiPrompts.scribbles, inRegion(scribble)] });
    },
    setAiText: (text) => {
      const trimmed = text?.trim() || null;
      if (trimmed === get().aiPrompts.text) {
        // The same text again: run it (Enter in the field), e.g. after the engine failed.
        if (trimmed !== null) runner.request();
        return;
      }
      if (trimmed !== null && !allowed('text')) return;
      dragMemory = undefined;
      changePrompts({ ...get().aiPrompts, text: trimmed });
    },
    setAiReference: (reference) => {
      if (reference && !allowed('reference')) return;
      dragMemory = undefined;
      changePrompts({ ...get().aiPrompts, reference });
    },
    setAiScribbleMode: (aiScribbleMode) => set({ aiScribbleMode }),
    setAiWandMode: (on) => {
      if (on === get().aiWandMode) return;
      if (on && !allowed('wand')) return;
      set({ aiWandMode: on });
      // The clicks on screen mean something else now: seeds of a fill, or point prompts.
      if (!hasPrompts(get().aiPrompts)) return;
      leaveEverything();
      dragMemory = undefined;
      runner.request();
    },
    toggleAiWand: () => get().setAiWandMode(!get().aiWandMode),
    setAiWandTolerance: (tolerance) => {
      const value = clampTolerance(tolerance);
      if (value === get().aiWandTolerance) return;
      set({ aiWandTolerance: value });
      if (wandActive(get()) && get().aiPrompts.clicks.some((c) => c.positive)) toleranceRerun.schedule();
    },
    setAiRegion: (region) => {
      if (!Number.isInteger(region) || region < 0 || region >= REGION_COUNT || !regionsOffered(get())) return false;
      set({ aiRegion: region });
      return true;
    },
    setReferenceOpen: (aiReferenceOpen) => set({ aiReferenceOpen }),
    clearAiCanvasPrompts: () => {
      boxDrag = null;
      dragMemory = null; // the old candidate came from the prompts being removed
      changePrompts({ ...get().aiPrompts, clicks: [], box: null, scribbles: [] });
    },
    discardAi: () => {
      invalidate();
      boxDrag = null;
      dragMemory = undefined;
      set({
        aiPrompts: EMPTY_PROMPTS,
        aiLiveStroke: null,
        aiCandidates: null,
        aiCandidateMode: 'prompt',
        aiCandidateRegions: [],
        aiSelected: 0,
        aiLabelPicked: false,
        aiEverythingRunning: false,
        aiPending: false,
      });
    },
    cycleAiCandidate: (delta) => {
      const { aiCandidates, aiSelected } = get();
      if (aiCandidates) get().selectAiCandidate(cyclePosition(aiSelected, aiCandidates.candidates.length, delta));
    },
    selectAiCandidate: (position) => {
      const s = get();
      const candidate = s.aiCandidates?.candidates[position];
      if (!candidate) return;
      // A proposal is another object: its own guess, not the label picked for the previous one.
      const keepLabel = s.aiCandidateMode === 'prompt' && s.aiLabelPicked;
      set({
        aiSelected: position,
        aiLabelId: keepLabel ? s.aiLabelId : preselectedLabel(candidate, s.labels, s.activeLabelId),
        aiLabelPicked: keepLabel,
      });
    },
    chooseAiLabel: (aiLabelId) => set({ aiLabelId, aiLabelPicked: true }),
    chooseAiLabelByHotkey: (digit) => {
      const label = get().labels.find((l) => l.hotkey === digit);
      if (!label) return false;
      get().chooseAiLabel(label.id);
      return true;
    },
    acceptAiCandidate: async (position) => {
      // Accept what every prompt asked for, not an answer still being replaced.
      await runner.whenIdle();
      const s = get();
      const candidates = s.aiCandidates;
      const at = position ?? s.aiSelected;
      const candidate = candidates?.candidates[at];
      if (!candidates || !candidate || s.aiAccepting) return;
      const labelId = at === s.aiSelected ? s.aiLabelId : preselectedLabel(candidate, s.labels, s.activeLabelId);
      set({ aiAccepting: true });
      try {
        const annotation = await annotationFor(candidates, candidate, labelId);
        void get().commit([{ type: 'annotation.put', annotation }]);
        if (annotation.imageId === get().currentImage?.id) get().setSelection([annotation.id]);
        // Only if the user has not moved on to new prompts meanwhile.
        if (get().aiCandidates?.id !== candidates.id) return;
        // Prompted and region masks came from the prompts on screen: they go with them.
        if (s.aiCandidateMode !== 'everything') {
          get().discardAi();
          return;
        }
        const remaining = get().aiCandidates!.candidates.filter((c) => c.index !== candidate.index);
        if (remaining.length === 0) get().discardAi();
        else {
          set({ aiCandidates: { ...candidates, candidates: remaining } });
          get().selectAiCandidate(Math.min(at, remaining.length - 1));
        }
      } catch (error) {
        get().showError(error);
      } finally {
        set({ aiAccepting: false });
      }
    },
    acceptAllAiCandidates: async () => {
      await runner.whenIdle();
      const s = get();
      const candidates = s.aiCandidates;
      if (!candidates || candidates.candidates.length === 0 || s.aiAccepting) return;
      set({ aiAccepting: true });
      try {
        const annotations: Annotation[] = [];
        // One at a time: the engine works through them in order anyway.
        for (const [position, candidate] of candidates.candidates.entries()) {
          const labelId = position === s.aiSelected ? s.aiLabelId : preselectedLabel(candidate, s.labels, s.activeLabelId);
          annotations.push(await annotationFor(candidates, candidate, labelId));
        }
        void get().commit(annotations.map((annotation) => ({ type: 'annotation.put', annotation })));
        if (get().aiCandidates?.id === candidates.id) get().discardAi();
      } catch (error) {
        get().showError(error);
      } finally {
        set({ aiAccepting: false });
      }
    },
    cancelAi: () => {
      api.call('ai.cancel', {}).catch((error: unknown) => get().showError(error));
    },
    segmentEverything: async () => {
      const image = get().currentImage;
      if (!image || !allowed('everything')) return;
      get().discardAi();
      const token = ++everythingSeq;
      set({ aiEverythingRunning: true, aiCandidateMode: 'everything' });
      try {
        const modelId = get().aiStatus?.settings.modelId;
        const proposals = await api.call('ai.everything', { imageId: image.id, ...(modelId ? { modelId } : {}) });
        if (token !== everythingSeq) return;
        if (proposals.candidates.length === 0) {
          set({ aiCandidateMode: 'prompt' });
          get().showToast('info', 'No objects found in this image.');
          return;
        }
        showCandidates(proposals, 'everything', 0);
      } catch (error) {
        if (token === everythingSeq) {
          if (isCancelled(error)) {
            set({ aiCandidateMode: 'prompt' });
            get().showToast('info', 'Cancelled.');
          } else get().showError(error);
        }
      } finally {
        if (token === everythingSeq) set({ aiEverythingRunning: false });
      }
    },
  };
};
