// Captions of the open image beyond what the document holds: which one the
// canvas shows, the word under the pointer, recording a narrative (and
// re-recording one), editing a caption's text with its words kept aligned,
// the project-wide caption search and Localized Narratives import/export.
// Every change to a caption is one undo step (caption.put / caption.delete).
import type { Caption, CaptionHit, NarrativeExportSummary, NarrativeImportSummary, TracePoint } from '../../../common/contract/index.js';
import { hasPoint, realignWords, wordAtTracePoint } from '../../../common/narrative/alignment.js';
import { api, ApiError } from '../api/client.js';
import { NarrativeRecorder } from '../tools/narrativeRecorder.js';
import type { AppState } from './appStore.js';
import { IMAGE_PAGE_SIZE } from './imagesSlice.js';
import type { SliceCreator } from './sliceTypes.js';

/** Source of captions recorded or edited by hand (as manual annotations). */
export const MANUAL_SOURCE = 'manual';
/** How close (screen pixels) the pointer must be to a trace sample to point at its word. */
const TRACE_HOVER_PX = 8;

export interface WordRef {
  captionId: string;
  index: number;
}

export interface NarrativeRecording {
  /** The caption it replaces when stopped (re-record), null for a new caption. */
  replaces: string | null;
  /** The text typed so far. */
  text: string;
  /** Display frames sampled so far: the canvas redraws the live trace when it changes. */
  frames: number;
}

export interface CaptionsSlice {
  /** The caption whose trace the canvas draws and whose words the panel lists; null: the image's latest. */
  activeCaptionId: string | null;
  /** The word under the pointer in the caption panel. */
  hoveredWord: WordRef | null;
  recording: NarrativeRecording | null;
  captionQuery: string;
  /** The last search's captions (null before any search or after clearing it). */
  captionHits: CaptionHit[] | null;
  setActiveCaption: (id: string | null) => void;
  setHoveredWord: (word: WordRef | null) => void;
  /** Starts recording a narrative on the open image (replacing `replaces` when stopped). */
  startRecording: (replaces?: string | null) => void;
  /** The narrative's text field changed. */
  typeNarrative: (text: string) => void;
  /** Stops and stores the narrative (one undo step); nothing is stored when nothing was typed. */
  stopRecording: () => Promise<void>;
  cancelRecording: () => void;
  /** New text for a caption: unchanged words keep their spans and points, edited ones are re-aligned or unaligned. */
  editCaptionText: (id: string, text: string) => Promise<void>;
  deleteCaption: (id: string) => Promise<void>;
  /** Centres the view on a word's point (and points at it). */
  centreOnWord: (word: WordRef) => void;
  searchCaptions: (query: string) => Promise<void>;
  clearCaptionSearch: () => void;
  /** Opens a search hit's image and shows its caption. */
  openCaptionHit: (hit: CaptionHit) => Promise<void>;
  importNarratives: (path: string, cocoPath: string | null) => Promise<NarrativeImportSummary | null>;
  /** Exports into the project's exports folder, or `outPath`; asks before replacing a file. */
  exportNarratives: (outPath?: string) => Promise<NarrativeExportSummary | null>;
}

/** The caption the canvas and the panel show: the active one, else the image's newest. */
export function shownCaption(s: Pick<AppState, 'captions' | 'activeCaptionId'>): Caption | null {
  return s.captions.find((c) => c.id === s.activeCaptionId) ?? s.captions.at(-1) ?? null;
}

/** The word of the shown caption whose stretch of trace is under the canvas pointer; null when none. */
export function wordUnderPointer(s: Pick<AppState, 'captions' | 'activeCaptionId' | 'cursor' | 'view' | 'recording'>): WordRef | null {
  const caption = shownCaption(s);
  if (s.recording || !s.cursor || !caption?.trace) return null;
  const index = wordAtTracePoint(caption.trace, caption.words, s.cursor.x, s.cursor.y, TRACE_HOVER_PX / s.view.scale);
  return index < 0 ? null : { captionId: caption.id, index };
}

// The recorder and its frame loop are not state: the store holds what the UI shows of them.
let recorder: NarrativeRecorder | null = null;
let cancelFrame = () => {};

/** Calls `sample` once a display frame (a 60 Hz timer where there is no display: tests in Node). */
function onNextFrame(sample: (nowMs: number) => void): () => void {
  if (typeof requestAnimationFrame === 'function') {
    const request = requestAnimationFrame(sample);
    return () => cancelAnimationFrame(request);
  }
  const timer = setTimeout(() => sample(performance.now()), 1000 / 60);
  return () => clearTimeout(timer);
}

/** The trace recorded so far (empty when not recording). */
export const liveTrace = (): readonly (readonly TracePoint[])[] => recorder?.trace ?? [];

export const createCaptionsSlice: SliceCreator<CaptionsSlice> = (set, get) => {
  const endRecording = () => {
    cancelFrame();
    recorder = null;
    set({ recording: null });
  };
  const frame = (now: number) => {
    const rec = get().recording;
    if (!recorder || !rec) return;
    recorder.sample(now, get().cursor);
    set({ recording: { ...rec, frames: rec.frames + 1 } });
    cancelFrame = onNextFrame(frame);
  };
  const caption = (id: string) => get().captions.find((c) => c.id === id);

  return {
    activeCaptionId: null,
    hoveredWord: null,
    recording: null,
    captionQuery: '',
    captionHits: null,
    setActiveCaption: (activeCaptionId) => set({ activeCaptionId, hoveredWord: null }),
    setHoveredWord: (hoveredWord) => set({ hoveredWord }),

    startRecording: (replaces = null) => {
      const image = get().currentImage;
      if (!image?.width || !image.height) {
        get().showToast('error', 'Open an image (and wait for it to load) before recording a narrative.');
        return;
      }
      if (get().recording) return;
      get().cancelTool();
      recorder = new NarrativeRecorder(performance.now(), { width: image.width, height: image.height });
      set({ recording: { replaces, text: '', frames: 0 }, hoveredWord: null });
      cancelFrame = onNextFrame(frame);
    },
    typeNarrative: (text) => {
      const rec = get().recording;
      if (!recorder || !rec) return;
      recorder.type(performance.now(), text);
      set({ recording: { ...rec, text } });
    },
    cancelRecording: endRecording,
    stopRecording: async () => {
      const rec = get().recording;
      const image = get().currentImage;
      if (!recorder || !rec || !image) return endRecording();
      const result = recorder.finish();
      endRecording();
      if (result.words.length === 0) {
        get().showToast('info', 'Nothing was typed, so no caption was recorded.');
        return;
      }
      const old = rec.replaces === null ? undefined : caption(rec.replaces);
      const now = Date.now();
      const recorded: Caption = {
        id: old?.id ?? crypto.randomUUID(),
        imageId: image.id,
        text: result.text,
        words: result.words,
        source: MANUAL_SOURCE,
        createdAt: old?.createdAt ?? now,
        updatedAt: now,
        trace: result.trace,
      };
      set({ activeCaptionId: recorded.id });
      await get().commit([{ type: 'caption.put', caption: recorded }]);
      if (result.trace.length === 0) get().showToast('info', 'The pointer never was over the image: the words have no points.');
    },

    editCaptionText: async (id, text) => {
      const old = caption(id);
      const trimmed = text.trim();
      if (!old || trimmed === old.text) return;
      if (trimmed === '') {
        get().showToast('error', 'A caption needs some text; delete it instead.');
        return;
      }
      const edited: Caption = { ...old, text: trimmed, words: realignWords(old.words, trimmed), updatedAt: Date.now() };
      await get().commit([{ type: 'caption.put', caption: edited }]);
    },
    deleteCaption: async (id) => {
      if (!caption(id)) return;
      if (get().activeCaptionId === id) set({ activeCaptionId: null, hoveredWord: null });
      await get().commit([{ type: 'caption.delete', id }]);
    },

    centreOnWord: (ref) => {
      const word = caption(ref.captionId)?.words[ref.index];
      if (!word) return;
      if (!hasPoint(word)) {
        get().showToast('info', `"${word.word}" was edited in after recording: it has no point.`);
        return;
      }
      const { view, viewport } = get();
      get().setView({
        scale: view.scale,
        offsetX: viewport.width / 2 - word.x * view.scale,
        offsetY: viewport.height / 2 - word.y * view.scale,
      });
      set({ activeCaptionId: ref.captionId, hoveredWord: ref });
    },

    searchCaptions: async (query) => {
      set({ captionQuery: query });
      if (query.trim() === '') return set({ captionHits: null });
      try {
        const hits = await api.call('captions.search', { query: query.trim(), limit: 200 });
        if (get().captionQuery === query) set({ captionHits: hits });
      } catch (error) {
        get().showError(error);
      }
    },
    clearCaptionSearch: () => set({ captionQuery: '', captionHits: null }),
    openCaptionHit: async (hit) => {
      const s = get();
      if (s.currentImage?.id !== hit.caption.imageId) {
        const listed = Object.entries(s.imagePages)
          .flatMap(([page, images]) => images.map((image, i) => ({ image, index: Number(page) * IMAGE_PAGE_SIZE + i })))
          .find(({ image }) => image.id === hit.caption.imageId);
        if (listed) await s.openImageAt(listed.index);
        else {
          // Not in the list as it is filtered or loaded: opened on its own.
          s.cancelTool();
          try {
            const image = await api.call('images.get', { imageId: hit.caption.imageId });
            set({ currentImage: image, currentIndex: null });
            await get().loadDocument(image.id);
          } catch (error) {
            get().showError(error);
            return;
          }
        }
      }
      set({ activeCaptionId: hit.caption.id, hoveredWord: null });
    },

    importNarratives: async (path, cocoPath) => {
      try {
        const summary = await api.call('narratives.import', { path, ...(cocoPath ? { cocoPath } : {}) });
        get().showToast('info', `Imported ${summary.captions} narratives on ${summary.images} images.`);
        await Promise.all([get().resyncDocument(), get().reloadImageList()]);
        return summary;
      } catch (error) {
        get().showError(error);
        return null;
      }
    },
    exportNarratives: async (outPath) => {
      const request = outPath ? { outPath } : {};
      try {
        let summary: NarrativeExportSummary;
        try {
          summary = await api.call('narratives.export', request);
        } catch (error) {
          if (!(error instanceof ApiError && error.code === 'conflict')) throw error;
          if (!window.confirm(`${error.message}\n\nReplace it?`)) return null;
          summary = await api.call('narratives.export', { ...request, overwrite: true });
        }
        const skipped = summary.skippedWithoutWords ? ` (${summary.skippedWithoutWords} captions without words left out)` : '';
        get().showToast('info', `Exported ${summary.narratives} narratives to ${summary.path}${skipped}.`);
        return summary;
      } catch (error) {
        get().showError(error);
        return null;
      }
    },
  };
};
