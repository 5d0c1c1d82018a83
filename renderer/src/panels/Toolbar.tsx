// Top bar: tools, undo/redo, view controls, COCO import/export, help.
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../store/appStore.js';
import type { ToolId } from '../tools/toolTypes.js';
import { CocoButtons } from './CocoButtons.js';
import { ProgressIndicator } from './ProgressIndicator.js';

const TOOLS: { id: ToolId; label: string; key: string }[] = [
  { id: 'select', label: 'Select', key: 'V' },
  { id: 'vertex', label: 'Vertices', key: 'N' },
  { id: 'box', label: 'Box', key: 'R' },
  { id: 'polygon', label: 'Polygon', key: 'P' },
  { id: 'brush', label: 'Brush', key: 'B' },
  { id: 'eraser', label: 'Eraser', key: 'E' },
  { id: 'ai', label: 'AI', key: 'I' },
];

const blurFocusedButton = () => {
  if (document.activeElement instanceof HTMLButtonElement) document.activeElement.blur();
};

export function Toolbar() {
  const s = useAppStore(
    useShallow((state) => ({
      projectName: state.project?.name ?? '',
      activeTool: state.activeTool,
      setActiveTool: state.setActiveTool,
      canUndo: state.canUndo,
      canRedo: state.canRedo,
      undo: state.undo,
      redo: state.redo,
      fitToView: state.fitToView,
      showActualSize: state.showActualSize,
      zoomBy: state.zoomBy,
      brushRadius: state.brushRadius,
      liveWire: state.liveWire,
      liveWirePixels: state.liveWirePixels?.imageId === state.currentImage?.id ? state.liveWirePixels?.state ?? null : null,
      setLiveWire: state.setLiveWire,
      toggleShortcuts: state.toggleShortcuts,
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
        {TOOLS.map((t) => (
          <button
            key={t.id}
            type="button"
            data-testid={`tool-${t.id}`}
            className={s.activeTool === t.id ? 'is-active' : ''}
            aria-pressed={s.activeTool === t.id}
            title={`${t.label} (${t.key})`}
            onClick={() => s.setActiveTool(t.id)}
          >
            {t.label}
            <kbd>{t.key}</kbd>
          </button>
        ))}
        {brushing && <span className="brush-size" title="Brush radius ([ and ])">r {s.brushRadius}px</span>}
        {s.activeTool === 'polygon' && (
          <button
            type="button"
            data-testid="live-wire-toggle"
            className={s.liveWire ? 'is-active' : ''}
            aria-pressed={s.liveWire}
            data-pixels={s.liveWirePixels ?? 'unread'}
            title={
              s.liveWirePixels === 'failed'
                ? "Live-wire cannot read this image's pixels: edges stay straight (L)"
                : 'Live-wire: polygon edges follow the image edges (L)'
            }
            onClick={() => s.setLiveWire(!s.liveWire)}
          >
            Live-wire {!s.liveWire ? 'off' : s.liveWirePixels === 'loading' ? 'on · reading image…' : s.liveWirePixels === 'failed' ? 'unavailable' : 'on'}
            <kbd>L</kbd>
          </button>
        )}
      </div>
      <div className="tool-group">
        <button type="button" data-testid="undo" disabled={!s.canUndo} title="Undo (Ctrl+Z)" onClick={() => void s.undo()}>
          Undo
        </button>
        <button type="button" data-testid="redo" disabled={!s.canRedo} title="Redo (Ctrl+Shift+Z)" onClick={() => void s.redo()}>
          Redo
        </button>
      </div>
      <div className="tool-group">
        <button type="button" data-testid="zoom-fit" title="Fit (Ctrl+0)" onClick={s.fitToView}>
          Fit
        </button>
        <button type="button" data-testid="zoom-actual" title="Actual size (Ctrl+1)" onClick={s.showActualSize}>
          1:1
        </button>
        <button type="button" title="Zoom out (−)" onClick={() => s.zoomBy(1 / 1.25)}>
          −
        </button>
        <button type="button" title="Zoom in (+)" onClick={() => s.zoomBy(1.25)}>
          +
        </button>
      </div>
      <div className="spacer" />
      <ProgressIndicator />
      <CocoButtons />
      <button type="button" data-testid="shortcuts-toggle" title="Keyboard shortcuts (?)" onClick={s.toggleShortcuts}>
        ?
      </button>
    </header>
  );
}
