// Top bar: tools, undo/redo, view controls, COCO import/export, help. Every
// button that runs a command is made from its action (ActionButton), so its
// key and effect are the ones the keyboard and the `?` overlay have.
import { useShallow } from 'zustand/react/shallow';

import { type ActionName, actionNamed, keyOf } from '../actions/actionList.js';
import { useAppStore } from '../store/appStore.js';
import { ActionButton } from './ActionButton.js';
import { CocoButtons } from './CocoButtons.js';
import { DatasetFormatButtons } from './DatasetFormatButtons.js';
import { ProgressIndicator } from './ProgressIndicator.js';
import { ResultsButtons } from './ResultsButtons.js';

const TOOLS: readonly ActionName[] = ['tool.select', 'tool.vertex', 'tool.box', 'tool.polygon', 'tool.brush', 'tool.eraser', 'tool.ai'];
const HISTORY: readonly ActionName[] = ['edit.undo', 'edit.redo'];
const VIEW: readonly ActionName[] = ['view.fit', 'view.actualSize', 'view.zoomOut', 'view.zoomIn'];

const blurFocusedButton = () => {
  if (document.activeElement instanceof HTMLButtonElement) document.activeElement.blur();
};

/** The live-wire switch of the polygon tool: the L action, with what it knows about the image's pixels. */
function LiveWireToggle() {
  const { liveWire, pixels } = useAppStore(
    useShallow((s) => ({
      liveWire: s.liveWire,
      pixels: s.liveWirePixels?.imageId === s.currentImage?.id ? (s.liveWirePixels?.state ?? null) : null,
    })),
  );
  const key = keyOf('tool.liveWire');
  return (
    <button
      type="button"
      data-testid="live-wire-toggle"
      className={liveWire ? 'is-active' : ''}
      aria-pressed={liveWire}
      data-pixels={pixels ?? 'unread'}
      title={
        pixels === 'failed'
          ? `Live-wire cannot read this image's pixels: edges stay straight (${key})`
          : `Live-wire: polygon edges follow the image edges (${key})`
      }
      onClick={() => actionNamed('tool.liveWire').perform(useAppStore.getState(), null)}
    >
      Live-wire {!liveWire ? 'off' : pixels === 'loading' ? 'on · reading image…' : pixels === 'failed' ? 'unavailable' : 'on'}
      <kbd>{key}</kbd>
    </button>
  );
}

export function Toolbar() {
  const s = useAppStore(
    useShallow((state) => ({
      projectName: state.project?.name ?? '',
      activeTool: state.activeTool,
      brushRadius: state.brushRadius,
    })),
  );
  const brushing = s.activeTool === 'brush' || s.activeTool === 'eraser';
  return (
    // Buttons drop focus after a click so Space and the letter keys keep working on the canvas.
    <header className="toolbar" onMouseUp={blurFocusedButton}>
      <span className="brand" title={s.projectName}>
        promptlabel<span className="brand-project">{s.projectName}</span>
      </span>
      <div className="tool-group" role="toolbar" aria-label="Tools">
        {TOOLS.map((name) => (
          <ActionButton key={name} name={name} />
        ))}
        {brushing && (
          <span className="brush-size" title={`Brush radius (${keyOf('tool.brushSize').replace(' / ', ' and ')})`}>
            r {s.brushRadius}px
          </span>
        )}
        {s.activeTool === 'polygon' && <LiveWireToggle />}
      </div>
      <div className="tool-group">
        {HISTORY.map((name) => (
          <ActionButton key={name} name={name} />
        ))}
      </div>
      <div className="tool-group">
        {VIEW.map((name) => (
          <ActionButton key={name} name={name} />
        ))}
      </div>
      <div className="spacer" />
      <ProgressIndicator />
      <ActionButton name="view.dataset" />
      <CocoButtons />
      <ResultsButtons />
      <DatasetFormatButtons />
      <ActionButton name="help.shortcuts" />
    </header>
  );
}
