import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';

import { useGlobalShortcuts } from './actions/useGlobalShortcuts.js';
import { api } from './api/client.js';
import { CanvasView } from './canvas/CanvasView.js';
import { AnnotationList } from './panels/AnnotationList.js';
import { AutolabelSection } from './panels/AutolabelSection.js';
import { CaptionPanel } from './panels/CaptionPanel.js';
import { DatasetView } from './panels/DatasetView.js';
import { ImageList } from './panels/ImageList.js';
import { LabelsPanel } from './panels/LabelsPanel.js';
import { OpenProjectScreen } from './panels/OpenProjectScreen.js';
import { PromptPanel } from './panels/PromptPanel.js';
import { ReviewPanel } from './panels/ReviewPanel.js';
import { ShortcutOverlay } from './panels/ShortcutOverlay.js';
import { type Pane, SideColumn } from './panels/SideColumn.js';
import { StatusBar } from './panels/StatusBar.js';
import { Toasts } from './panels/Toasts.js';
import { Toolbar } from './panels/Toolbar.js';
import { useAiEngine } from './panels/useAiEngine.js';
import { useAutolabelEvents } from './panels/useAutolabelEvents.js';
import { useAppStore } from './store/appStore.js';

function useMainProcessEvents(): void {
  useEffect(() => {
    const { updateProgress, resyncDocument, reloadImageList, applyDocumentChange } = useAppStore.getState();
    const offProgress = api.on('progress', updateProgress);
    const offChanged = api.on('project.changed', () => {
      void resyncDocument();
      void reloadImageList();
    });
    // Every client of the project hears every committed change (another tab, the app).
    const offDocument = api.on('document.changed', applyDocumentChange);
    return () => {
      offProgress();
      offChanged();
      offDocument();
    };
  }, []);
}

/** Closing or reloading the page while a change is still on its way asks first. */
function useUnsavedGuard(): void {
  useEffect(() => {
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (useAppStore.getState().saving) e.preventDefault();
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, []);
}

/** The right column's panes, top to bottom, with their first share of the height. */
const SIDE_PANES: Pane[] = [
  { id: 'ai', content: <PromptPanel />, weight: 2.5 },
  { id: 'autolabel', content: <AutolabelSection />, weight: 1 },
  { id: 'review', content: <ReviewPanel />, weight: 2 },
  { id: 'labels', content: <LabelsPanel />, weight: 2 },
  { id: 'annotations', content: <AnnotationList />, weight: 4 },
  { id: 'captions', content: <CaptionPanel />, weight: 1.2 },
];

function Workspace() {
  useAiEngine();
  useAutolabelEvents();
  const datasetViewOpen = useAppStore((s) => s.datasetViewOpen);
  return (
    <div className="workspace">
      <Toolbar />
      <ImageList />
      <main className="canvas-area">
        <CanvasView />
        {datasetViewOpen && <DatasetView />}
      </main>
      <SideColumn panes={SIDE_PANES} />
      <StatusBar />
    </div>
  );
}

export function App() {
  const { starting, hasProject } = useAppStore(useShallow((s) => ({ starting: s.starting, hasProject: s.project !== null })));
  useGlobalShortcuts();
  useMainProcessEvents();
  useUnsavedGuard();
  useEffect(() => {
    void useAppStore.getState().startApp();
  }, []);
  return (
    <>
      {starting ? <div className="splash">Loading…</div> : hasProject ? <Workspace /> : <OpenProjectScreen />}
      <ShortcutOverlay />
      <Toasts />
    </>
  );
}
