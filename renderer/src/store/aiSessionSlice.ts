// zustand as a thin binding of the AI session (ai/session/): the machine is
// made here with the app as its host (the engine through the API, the
// document through `commit`, toasts), and every change of the machine
// replaces `ai`, the view React components read. Events go straight to
// `aiSession`; nothing here decides anything.
import { AiSession } from '../ai/session/aiSession.js';
import type { AiSessionView } from '../ai/session/sessionTypes.js';
import { api } from '../api/client.js';
import { currentModel, isCancelled } from './aiEngineSlice.js';
import type { SliceCreator } from './sliceTypes.js';

export interface AiSessionSlice {
  /** The machine: the AI tool's gestures, the panel's buttons and the AI actions call it. */
  aiSession: AiSession;
  /** Its state for rendering: the state name, prompts, candidates, label choice and settings. */
  ai: AiSessionView;
}

export const createAiSessionSlice: SliceCreator<AiSessionSlice> = (set, get) => {
  const session = new AiSession(
    {
      imageId: () => get().currentImage?.id ?? null,
      model: () => currentModel(get()),
      modelId: () => get().aiStatus?.settings.modelId,
      labels: () => get().labels,
      activeLabelId: () => get().activeLabelId,
      segment: (request) => api.call('ai.segment', request),
      everything: (request) => api.call('ai.everything', request),
      detect: (request) => api.call('ai.detect', request),
      materialize: (request) => api.call('ai.materialize', request),
      isCancelled,
      commit: (annotations) => void get().commit(annotations.map((annotation) => ({ type: 'annotation.put', annotation }))),
      select: (annotationIds) => get().setSelection(annotationIds),
      info: (message) => get().showToast('info', message),
      error: (error) => get().showError(error),
    },
    (ai) => set({ ai }),
  );
  return { aiSession: session, ai: session.view() };
};
