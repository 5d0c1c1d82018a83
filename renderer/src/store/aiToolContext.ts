// Connects the AI prompt tool to the store: gestures become prompts in the AI slice.
import type { AiToolContext } from '../tools/aiPromptTool.js';
import type { AppState } from './appStore.js';
import { hasPrompts } from '../ai/aiPrompts.js';

/** Grab distance in screen pixels (the same as the other tools'). */
const HIT_SCREEN_PX = 6;

export function createAiToolContext(get: () => AppState): AiToolContext {
  return {
    imageSize: () => ({ width: get().currentImage?.width ?? 1, height: get().currentImage?.height ?? 1 }),
    hitTolerance: () => HIT_SCREEN_PX / get().view.scale,
    scribbleMode: () => get().aiScribbleMode,
    addClick: (click) => get().addAiClick(click),
    dragBox: (box, final) => get().dragAiBox(box, final),
    cancelBoxDrag: () => get().cancelAiBoxDrag(),
    showStroke: (stroke) => get().showAiStroke(stroke),
    addScribble: (scribble) => get().addAiScribble(scribble),
    hasWork: () => {
      const s = get();
      return hasPrompts(s.aiPrompts) || s.aiCandidates !== null || s.aiEverythingRunning;
    },
    candidateCount: () => get().aiCandidates?.candidates.length ?? 0,
    accept: () => void get().acceptAiCandidate(),
    discard: () => get().discardAi(),
    cycleCandidate: (delta) => get().cycleAiCandidate(delta),
    chooseLabelByHotkey: (digit) => get().chooseAiLabelByHotkey(digit),
    selectRegion: (region) => get().setAiRegion(region),
  };
}
