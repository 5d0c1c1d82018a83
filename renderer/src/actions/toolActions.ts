// Choosing a tool (V N R P B E I and their toolbar buttons), live-wire (L),
// the brush size ([ ]) and Esc's general meaning. None of them is a document
// change.
import type { ToolId } from '../tools/toolTypes.js';
import { action } from './actionTypes.js';
import { plainKey } from './keys.js';

const chooseTool = <const Name extends string>(name: Name, id: ToolId, key: string, text: string, label: string) =>
  action({
    name,
    group: 'Tools',
    label,
    keys: { display: key.toUpperCase(), test: plainKey(key, key.toUpperCase()) },
    history: 'none',
    perform: (s) => s.setActiveTool(id),
    button: { text, testId: `tool-${id}`, showKey: true, pressed: (s) => s.activeTool === id },
  });

export const TOOL_ACTIONS = [
  chooseTool('tool.select', 'select', 'v', 'Select', 'Select & move'),
  chooseTool(
    'tool.vertex',
    'vertex',
    'n',
    'Vertices',
    'Edit vertices (drag a vertex, click an edge to add one, Alt/right-click to delete one)',
  ),
  chooseTool('tool.box', 'box', 'r', 'Box', 'Box'),
  chooseTool(
    'tool.polygon',
    'polygon',
    'p',
    'Polygon',
    'Polygon (click vertices; Enter, double-click or first vertex closes; Backspace undoes the last click)',
  ),
  action({
    name: 'tool.liveWire',
    group: 'Tools',
    label: 'Live-wire polygon: edges follow the image edges between clicks (L again switches it off)',
    keys: { display: 'L', test: plainKey('l', 'L') },
    history: 'none',
    perform: (s) => {
      if (s.activeTool === 'polygon') {
        s.setLiveWire(!s.liveWire);
        return;
      }
      s.setActiveTool('polygon');
      s.setLiveWire(true);
    },
  }),
  chooseTool('tool.brush', 'brush', 'b', 'Brush', 'Mask brush (paints into the selected mask, or starts a new one)'),
  chooseTool('tool.eraser', 'eraser', 'e', 'Eraser', 'Mask eraser'),
  chooseTool('tool.ai', 'ai', 'i', 'AI', 'AI segmentation: prompt with clicks, a box, scribbles, text or a reference region'),
  action({
    name: 'tool.brushSize',
    group: 'Tools',
    label: 'Smaller / larger brush',
    keys: { display: '[ / ]', test: plainKey('[', ']') },
    history: 'none',
    perform: (s, e) => s.scaleBrush(e?.key === ']' ? 1.25 : 0.8),
  }),
  action({
    name: 'tool.cancel',
    group: 'Tools',
    label: 'Close this list; else cancel the drawing in progress; else clear the selection',
    keys: { display: 'Esc', test: plainKey('Escape') },
    history: 'none',
    perform: (s) => {
      if (s.shortcutsOpen) s.toggleShortcuts();
      else if (s.tool.state() !== 'idle') s.cancelTool();
      else s.setSelection([]);
    },
  }),
];
