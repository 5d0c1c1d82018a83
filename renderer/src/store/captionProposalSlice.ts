// Captions from the model (PixelLLM's point per word) and phrase grounding.
// A generated caption is a proposal: shown with its points until accepted
// (stored like a recorded caption, source = the model id, one undo step) or
// discarded. "Describe" captions the selected annotation's box. A phrase,
// picked from a caption or typed, is found as common/narrative/findPhrase.ts
// says (the caption head's point as a click, else the text prompt): the
// mask's box is shown and can be added as a box annotation.
import type { Box, Caption, GeneratedCaption } from '../../../common/contract/index.js';
import { measureGeometry } from '../../../common/geometry/measure.js';
import { findPhrase } from '../../../common/narrative/findPhrase.js';
import { api, ApiError } from '../api/client.js';
import { newAnnotation } from '../lib/newAnnotation.js';
import { currentModel } from './aiEngineSlice.js';
import type { AppState } from './appStore.js';
import type { SliceCreator } from './sliceTypes.js';

export interface GroundedPhrase {
  imageId: number;
  phrase: string;
  /** Where the caption head found the phrase (image pixels); null when the phrase went to the text prompt. */
  point: { x: number; y: number } | null;
  /** The best mask's box (of a click at `point`, else of the text prompt), image pixels. */
  box: Box;
  /** The model's predicted IoU for that mask. */
  score: number | null;
  /** The project label the mask's class embedding points to, when it stands out. */
  labelId: string | null;
  modelId: string;
}

export interface CaptionProposalSlice {
  captionProposal: GeneratedCaption | null;
  /** What the model is working on ('caption', 'describe', 'ground'); null when idle. */
  captionWork: 'caption' | 'describe' | 'ground' | null;
  groundedPhrase: GroundedPhrase | null;
  /** The proposal's word pointed at in the panel (its point is drawn large); null when none. */
  proposalWord: number | null;
  setProposalWord: (index: number | null) => void;
  /** The phrase field's text (a caption word's phrase is put there when the word is clicked). */
  phraseDraft: string;
  setPhraseDraft: (phrase: string) => void;
  /** Captions the open image (or the selected annotation's box with `describe`). */
  generateCaption: (describe?: boolean) => Promise<void>;
  acceptCaptionProposal: () => Promise<void>;
  discardCaptionProposal: () => void;
  groundPhrase: (phrase: string) => Promise<void>;
  /** Adds the grounded box as a box annotation (its label guess, else the active label); one undo step. */
  addGroundedBox: () => Promise<void>;
  clearGroundedPhrase: () => void;
}

/** Why the open model cannot caption, or null when it can. */
export function captionProblem(s: Pick<AppState, 'aiModels' | 'aiStatus' | 'currentImage'>): string | null {
  if (!s.currentImage) return 'Open an image first.';
  const model = currentModel(s);
  if (!model) return 'No AI model is loaded.';
  if (!model.capabilities.caption) return `${model.displayName} has no caption head: choose a model that writes captions.`;
  return null;
}

/**
 * The caption head's point for a phrase; null when it does not know one of
 * the phrase's words and the text prompt can take the phrase instead
 * (`required`: no text prompt, so that refusal is the answer).
 */
async function locatePhrase(imageId: number, phrase: string, required: boolean): Promise<{ x: number; y: number } | null> {
  try {
    const located = await api.call('ai.caption', { imageId, phrase });
    const last = located.words.at(-1);
    return last ? { x: last.x, y: last.y } : null;
  } catch (error) {
    if (!required && error instanceof ApiError && error.code === 'bad_request') return null;
    throw error;
  }
}

/** The box (x0, y0, x1, y1) of the one selected annotation, or null. */
function selectedCorners(s: AppState): [number, number, number, number] | null {
  if (s.selection.length !== 1) return null;
  const annotation = s.annotations.find((a) => a.id === s.selection[0]);
  if (!annotation) return null;
  const [x, y, w, h] = measureGeometry(annotation.geometry).bbox;
  if (w <= 0 || h <= 0) return null;
  return [x, y, x + w, y + h];
}

export const createCaptionProposalSlice: SliceCreator<CaptionProposalSlice> = (set, get) => ({
  captionProposal: null,
  captionWork: null,
  groundedPhrase: null,
  proposalWord: null,
  setProposalWord: (proposalWord) => set({ proposalWord }),
  phraseDraft: '',
  setPhraseDraft: (phraseDraft) => set({ phraseDraft }),

  generateCaption: async (describe = false) => {
    const s = get();
    const problem = captionProblem(s);
    if (problem) return s.showToast('error', problem);
    const image = s.currentImage!;
    const box = describe ? selectedCorners(s) : null;
    if (describe && !box) return s.showToast('error', 'Select one annotation to describe its box.');
    set({ captionWork: describe ? 'describe' : 'caption' });
    try {
      const proposal = await api.call('ai.caption', { imageId: image.id, ...(box ? { box } : {}) });
      // The user may have moved on while the model worked.
      if (get().currentImage?.id !== proposal.imageId) return;
      if (proposal.words.length === 0) get().showToast('info', 'The model gave an empty caption for this image.');
      else set({ captionProposal: proposal, proposalWord: null });
    } catch (error) {
      get().showError(error);
    } finally {
      set({ captionWork: null });
    }
  },

  acceptCaptionProposal: async () => {
    const proposal = get().captionProposal;
    if (!proposal || get().currentImage?.id !== proposal.imageId) return set({ captionProposal: null });
    const now = Date.now();
    const caption: Caption = {
      id: crypto.randomUUID(),
      imageId: proposal.imageId,
      text: proposal.text,
      words: proposal.words,
      source: proposal.modelId,
      createdAt: now,
      updatedAt: now,
    };
    set({ captionProposal: null, proposalWord: null, activeCaptionId: caption.id });
    await get().commit([{ type: 'caption.put', caption }]);
  },
  discardCaptionProposal: () => set({ captionProposal: null, proposalWord: null }),

  groundPhrase: async (phrase) => {
    const s = get();
    const text = phrase.trim();
    const image = s.currentImage;
    if (!image || text === '') return;
    const model = currentModel(s);
    if (!model?.capabilities.caption && !model?.capabilities.text)
      return s.showToast(
        'error',
        `${model?.displayName ?? 'The model'} has no caption head and takes no text prompts, so it cannot find a phrase.`,
      );
    set({ captionWork: 'ground', phraseDraft: text });
    try {
      const answer = await findPhrase(text, {
        locate: () => (model.capabilities.caption ? locatePhrase(image.id, text, !model.capabilities.text) : Promise.resolve(null)),
        segment: (prompts) => api.call('ai.segment', { imageId: image.id, prompts }),
        ...(model.capabilities.caption
          ? { describes: async (boxes) => (await api.call('ai.phraseScores', { imageId: image.id, phrase: text, boxes })).scores }
          : {}),
        text: model.capabilities.text,
      });
      if (get().currentImage?.id !== image.id) return;
      if (!answer) {
        set({ groundedPhrase: null });
        return get().showToast('info', `Nothing found for "${text}".`);
      }
      const { point, found, best } = answer;
      const guess = best.labelConfident ? (best.labels[0]?.labelId ?? null) : null;
      set({
        groundedPhrase: {
          imageId: image.id,
          phrase: text,
          point,
          box: best.box,
          score: best.score,
          labelId: guess,
          modelId: found.modelId,
        },
      });
    } catch (error) {
      get().showError(error);
    } finally {
      set({ captionWork: null });
    }
  },
  addGroundedBox: async () => {
    const s = get();
    const grounded = s.groundedPhrase;
    if (!grounded || s.currentImage?.id !== grounded.imageId) return;
    const annotation = newAnnotation({
      imageId: grounded.imageId,
      labelId: grounded.labelId ?? s.activeLabelId,
      geometry: { kind: 'box', box: grounded.box },
      score: grounded.score === null ? null : Math.min(1, Math.max(0, grounded.score)),
      source: grounded.modelId,
    });
    set({ groundedPhrase: null });
    await s.commit([{ type: 'annotation.put', annotation }]);
  },
  clearGroundedPhrase: () => set({ groundedPhrase: null }),
});
