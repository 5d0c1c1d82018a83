// Every keyboard shortcut, once: the global handler runs them and the `?`
// overlay lists them, so the two cannot disagree.
import type { AppState } from '../store/appStore.js';
import type { ToolId } from '../tools/toolTypes.js';

export interface ShortcutInfo {
  group: 'Tools' | 'AI' | 'Labels' | 'View' | 'Images' | 'Edit' | 'Help';
  /** As shown to the user. */
  keys: string;
  description: string;
}

/** The parts of a KeyboardEvent a shortcut reads (tests press keys without a DOM). */
export type KeyInput = Pick<KeyboardEvent, 'key' | 'code' | 'shiftKey' | 'altKey' | 'ctrlKey' | 'metaKey'>;

export interface Shortcut extends ShortcutInfo {
  matches: (e: KeyInput) => boolean;
  /** Whether the key means this now (the AI keys only with the AI tool idle and the session in the right state); else the next shortcut may take it. */
  applies?: (s: AppState, e: KeyInput) => boolean;
  run: (s: AppState, e: KeyInput) => void;
}

const ctrl = (e: KeyInput) => e.ctrlKey || e.metaKey;
const plainKey = (...keys: string[]) => (e: KeyInput) => !ctrl(e) && !e.altKey && keys.includes(e.key);
const ctrlKey = (key: string, shift = false) => (e: KeyInput) => ctrl(e) && e.shiftKey === shift && e.key.toLowerCase() === key;

/** The AI keys act on the session while the AI tool is active and no gesture is in progress (the tool had them before). */
const aiIdle = (s: AppState) => s.activeTool === 'ai' && s.tool.state() === 'idle';
const noCtrl = (e: KeyInput) => !ctrl(e);
/** A label digit by physical key (layouts differ in what 1–9 type), or the typed digit (numpad). */
const digitOf = (e: KeyInput): string | null => /^Digit([1-9])$/.exec(e.code)?.[1] ?? (/^[1-9]$/.test(e.key) ? e.key : null);

const tool = (id: ToolId, key: string, description: string): Shortcut => ({
  group: 'Tools',
  keys: key.toUpperCase(),
  description,
  matches: plainKey(key, key.toUpperCase()),
  run: (s) => s.setActiveTool(id),
});

export const SHORTCUTS: readonly Shortcut[] = [
  // The AI keys first: where they apply, they take the key before the app's own meaning of it.
  {
    group: 'AI',
    keys: 'Esc',
    description: 'Cancel the drag; else drop the prompts and candidates',
    matches: (e) => noCtrl(e) && e.key === 'Escape',
    applies: (s) => s.activeTool === 'ai' && (s.tool.state() !== 'idle' || s.aiSession.hasWork()),
    run: (s) => (s.tool.state() !== 'idle' ? s.cancelTool() : s.aiSession.discard()),
  },
  {
    group: 'AI',
    keys: 'Shift+1 – 4',
    description: 'Scribble region (watershed: one mask per region)',
    // The physical key: Shift+1 types "!" on most layouts.
    matches: (e) => noCtrl(e) && e.shiftKey && /^Digit[1-4]$/.test(e.code),
    applies: (s) => aiIdle(s) && s.aiSession.regionsOffered(),
    run: (s, e) => void s.aiSession.setRegion(Number(e.code.slice(5)) - 1),
  },
  {
    group: 'AI',
    keys: 'Tab / Shift+Tab',
    description: 'Next / previous candidate mask',
    matches: (e) => noCtrl(e) && e.key === 'Tab',
    applies: (s) => aiIdle(s) && s.aiSession.candidateCount() > 0,
    run: (s, e) => s.aiSession.cycle(e.shiftKey ? -1 : 1),
  },
  {
    group: 'AI',
    keys: 'Enter',
    description: 'Accept the candidate as an annotation (one undo step)',
    matches: (e) => noCtrl(e) && e.key === 'Enter',
    applies: (s) => aiIdle(s) && s.aiSession.candidateCount() > 0,
    run: (s) => void s.aiSession.accept(),
  },
  {
    group: 'AI',
    keys: '1 – 9',
    description: 'Label for the candidate (the best guess is preselected)',
    matches: (e) => noCtrl(e) && digitOf(e) !== null,
    applies: (s, e) => aiIdle(s) && s.aiSession.candidateCount() > 0 && s.labels.some((l) => l.hotkey === digitOf(e)),
    run: (s, e) => void s.aiSession.chooseLabelByHotkey(digitOf(e)!),
  },
  tool('select', 'v', 'Select & move'),
  tool('vertex', 'n', 'Edit vertices (drag a vertex, click an edge to add one, Alt/right-click to delete one)'),
  tool('box', 'r', 'Box'),
  tool('polygon', 'p', 'Polygon (click vertices; Enter, double-click or first vertex closes; Backspace undoes the last click)'),
  {
    group: 'Tools',
    keys: 'L',
    description: 'Live-wire polygon: edges follow the image edges between clicks (L again switches it off)',
    matches: plainKey('l', 'L'),
    run: (s) => {
      if (s.activeTool === 'polygon') {
        s.setLiveWire(!s.liveWire);
        return;
      }
      s.setActiveTool('polygon');
      s.setLiveWire(true);
    },
  },
  tool('brush', 'b', 'Mask brush (paints into the selected mask, or starts a new one)'),
  tool('eraser', 'e', 'Mask eraser'),
  tool('ai', 'i', 'AI segmentation: prompt with clicks, a box, scribbles, text or a reference region'),
  { group: 'Tools', keys: '[ / ]', description: 'Smaller / larger brush', matches: plainKey('[', ']'), run: (s, e) => s.scaleBrush(e.key === ']' ? 1.25 : 0.8) },
  {
    group: 'Tools',
    keys: 'Esc',
    description: 'Close this list; else cancel the drawing in progress; else clear the selection',
    matches: plainKey('Escape'),
    run: (s) => {
      if (s.shortcutsOpen) s.toggleShortcuts();
      else if (s.tool.state() !== 'idle') s.cancelTool();
      else s.setSelection([]);
    },
  },
  {
    group: 'Labels',
    keys: '1 – 9',
    description: "Make that label active and apply it to the selection",
    matches: (e) => !ctrl(e) && !e.altKey && /^Digit[1-9]$/.test(e.code),
    run: (s, e) => s.pressLabelHotkey(e.code.slice(5)),
  },
  {
    group: 'AI',
    keys: 'G',
    description: 'Segment everything: AI proposals for the whole image',
    matches: plainKey('g', 'G'),
    run: (s) => {
      s.setActiveTool('ai');
      void s.aiSession.segmentEverything();
    },
  },
  {
    group: 'AI',
    keys: 'W',
    description: 'Magic wand on / off: a click floods similar colours (providers with a wand, e.g. the classical one)',
    matches: plainKey('w', 'W'),
    run: (s) => {
      s.setActiveTool('ai');
      s.aiSession.toggleWand();
    },
  },
  { group: 'Edit', keys: 'Delete / Backspace', description: 'Delete the selected annotations', matches: plainKey('Delete', 'Backspace'), run: (s) => s.deleteSelection() },
  { group: 'Edit', keys: 'Ctrl+Z', description: 'Undo', matches: ctrlKey('z'), run: (s) => void s.undo() },
  { group: 'Edit', keys: 'Ctrl+Shift+Z / Ctrl+Y', description: 'Redo', matches: (e) => ctrlKey('z', true)(e) || ctrlKey('y')(e), run: (s) => void s.redo() },
  { group: 'Edit', keys: 'Ctrl+A', description: 'Select every visible annotation', matches: ctrlKey('a'), run: (s) => s.selectAllVisible() },
  { group: 'View', keys: 'Ctrl+0', description: 'Fit the image to the window', matches: ctrlKey('0'), run: (s) => s.fitToView() },
  { group: 'View', keys: 'Ctrl+1', description: 'Actual size (1:1)', matches: ctrlKey('1'), run: (s) => s.showActualSize() },
  { group: 'View', keys: '+ / −', description: 'Zoom in / out', matches: plainKey('+', '=', '-'), run: (s, e) => s.zoomBy(e.key === '-' ? 1 / 1.25 : 1.25) },
  { group: 'Images', keys: 'D / →', description: 'Next image', matches: plainKey('d', 'D', 'ArrowRight'), run: (s) => s.stepImage(1) },
  { group: 'Images', keys: 'A / ←', description: 'Previous image', matches: plainKey('a', 'A', 'ArrowLeft'), run: (s) => s.stepImage(-1) },
  { group: 'Help', keys: '?', description: 'Show or hide this list', matches: (e) => e.key === '?', run: (s) => s.toggleShortcuts() },
];

/** Mouse gestures, listed in the overlay next to the keys (the canvas and tools implement them). */
export const MOUSE_GESTURES: readonly ShortcutInfo[] = [
  { group: 'View', keys: 'Wheel', description: 'Zoom around the cursor' },
  { group: 'View', keys: 'Space+drag / middle drag', description: 'Pan' },
  { group: 'Edit', keys: 'Shift+click', description: 'Add to / remove from the selection (select tool)' },
  // Handled by the AI prompt tool itself (tools/aiPromptTool.ts).
  { group: 'AI', keys: 'Click', description: 'Positive point: part of the object' },
  { group: 'AI', keys: 'Alt+click / right-click', description: 'Negative point: not part of the object' },
  { group: 'AI', keys: 'Drag', description: 'Box around the object (the candidate follows while dragging)' },
  { group: 'AI', keys: 'Shift+drag', description: 'Scribble on the object (Shift+Alt+drag or right-drag: scribble outside it)' },
  { group: 'AI', keys: 'Click a proposal', description: 'Accept it (after segment everything)' },
];
