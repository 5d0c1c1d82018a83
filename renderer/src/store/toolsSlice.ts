// The active tool and label, brush size, and what the tool is drawing right now.
import { createTool } from '../tools/createTool.js';
import type { PixelImageState } from '../tools/liveWire/imagePixels.js';
import type { Draft, LivePreview, Tool, ToolId } from '../tools/toolTypes.js';
import type { SliceCreator } from './sliceTypes.js';
import { createToolContext } from './toolContext.js';

export interface LiveWirePixels {
  imageId: number;
  state: PixelImageState;
}

export interface ToolsSlice {
  activeTool: ToolId;
  /** The state machine of the active tool; the canvas feeds it pointer events. */
  tool: Tool;
  activeLabelId: string | null;
  brushRadius: number;
  /** Polygon edges follow the image edges (live-wire). */
  liveWire: boolean;
  /** Whether live-wire has an image's pixels yet (read on first use, outside the store). */
  liveWirePixels: LiveWirePixels | null;
  draft: Draft | null;
  previews: ReadonlyMap<string, LivePreview> | null;
  setActiveTool: (tool: ToolId) => void;
  /** Abandons the tool's work in progress (Esc, image or project change, undo). */
  cancelTool: () => void;
  setActiveLabel: (labelId: string | null) => void;
  /** Multiplies the brush radius (`[` / `]`). */
  scaleBrush: (factor: number) => void;
  setLiveWire: (on: boolean) => void;
  setLiveWirePixels: (pixels: LiveWirePixels) => void;
  setDraft: (draft: Draft | null) => void;
  setPreviews: (previews: ReadonlyMap<string, LivePreview> | null) => void;
  /** Digit 1–9: makes that label active and relabels the selection. */
  pressLabelHotkey: (digit: string) => void;
  relabel: (annotationIds: readonly string[], labelId: string | null) => void;
}

const MIN_BRUSH = 1;
const MAX_BRUSH = 500;

export const createToolsSlice: SliceCreator<ToolsSlice> = (set, get) => ({
  activeTool: 'select',
  tool: createTool('select', createToolContext(get), () => get().aiSession),
  activeLabelId: null,
  brushRadius: 12,
  liveWire: false,
  liveWirePixels: null,
  draft: null,
  previews: null,
  setActiveTool: (activeTool) => {
    if (activeTool === get().activeTool) return;
    get().tool.cancel();
    set({ activeTool, tool: createTool(activeTool, createToolContext(get), () => get().aiSession) });
  },
  cancelTool: () => get().tool.cancel(),
  setActiveLabel: (activeLabelId) => set({ activeLabelId }),
  scaleBrush: (factor) =>
    set((s) => {
      const scaled = Math.round(s.brushRadius * factor);
      // At least one pixel per press, so small brushes still change.
      const stepped = factor > 1 ? Math.max(s.brushRadius + 1, scaled) : Math.min(s.brushRadius - 1, scaled);
      return { brushRadius: Math.max(MIN_BRUSH, Math.min(MAX_BRUSH, stepped)) };
    }),
  setLiveWire: (liveWire) => {
    if (liveWire === get().liveWire) return;
    set({ liveWire });
    get().tool.refresh?.();
  },
  setLiveWirePixels: (pixels) => {
    const now = get().liveWirePixels;
    if (now?.imageId !== pixels.imageId || now.state !== pixels.state) set({ liveWirePixels: pixels });
  },
  setDraft: (draft) => set({ draft }),
  setPreviews: (previews) => set({ previews }),
  pressLabelHotkey: (digit) => {
    const label = get().labels.find((l) => l.hotkey === digit);
    if (!label) return;
    set({ activeLabelId: label.id });
    get().relabel(get().selection, label.id);
  },
  relabel: (annotationIds, labelId) => {
    const now = Date.now();
    const changed = get().annotations.filter((a) => annotationIds.includes(a.id) && a.labelId !== labelId);
    if (changed.length === 0) return;
    void get().commit(changed.map((a) => ({ type: 'annotation.put', annotation: { ...a, labelId, updatedAt: now } })));
  },
});
