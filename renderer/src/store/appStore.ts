// The renderer's one store, composed of slices; actions live next to their state.
import { create } from 'zustand';

import { type AiEngineSlice, createAiEngineSlice } from './aiEngineSlice.js';
import { type AiSessionSlice, createAiSessionSlice } from './aiSessionSlice.js';
import { type AutolabelSlice, createAutolabelSlice } from './autolabelSlice.js';
import { type CaptionProposalSlice, createCaptionProposalSlice } from './captionProposalSlice.js';
import { type CaptionsSlice, createCaptionsSlice } from './captionsSlice.js';
import { createDocumentSlice, type DocumentSlice } from './documentSlice.js';
import { createHistorySlice, type HistorySlice } from './historySlice.js';
import { createImagesSlice, type ImagesSlice } from './imagesSlice.js';
import { createModelPacksSlice, type ModelPacksSlice } from './modelPacksSlice.js';
import { createProjectSlice, type ProjectSlice } from './projectSlice.js';
import { createProposalsSlice, type ProposalsSlice } from './proposalsSlice.js';
import { createReviewSlice, type ReviewSlice } from './reviewSlice.js';
import { createToolsSlice, type ToolsSlice } from './toolsSlice.js';
import { createUiSlice, type UiSlice } from './uiSlice.js';
import { createUserModelsSlice, type UserModelsSlice } from './userModelsSlice.js';
import { createViewSlice, type ViewSlice } from './viewSlice.js';

export type AppState = ProjectSlice &
  ImagesSlice &
  DocumentSlice &
  ViewSlice &
  ToolsSlice &
  HistorySlice &
  UiSlice &
  AiEngineSlice &
  AiSessionSlice &
  CaptionsSlice &
  CaptionProposalSlice &
  ModelPacksSlice &
  UserModelsSlice &
  ReviewSlice &
  AutolabelSlice &
  ProposalsSlice;

export const useAppStore = create<AppState>()((...a) => ({
  ...createProjectSlice(...a),
  ...createImagesSlice(...a),
  ...createDocumentSlice(...a),
  ...createViewSlice(...a),
  ...createToolsSlice(...a),
  ...createHistorySlice(...a),
  ...createUiSlice(...a),
  ...createAiEngineSlice(...a),
  ...createAiSessionSlice(...a),
  ...createCaptionsSlice(...a),
  ...createCaptionProposalSlice(...a),
  ...createModelPacksSlice(...a),
  ...createUserModelsSlice(...a),
  ...createReviewSlice(...a),
  ...createAutolabelSlice(...a),
  ...createProposalsSlice(...a),
}));
