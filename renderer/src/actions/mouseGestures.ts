// Mouse gestures, for display only: the `?` overlay lists them beside the
// actions' keys, but the canvas (useCanvasInput.ts) and the tools implement
// them; no key handler reads this list.
import type { ActionGroup } from './actionTypes.js';

export interface GestureInfo {
  group: ActionGroup;
  /** The gesture, as shown to the user. */
  keys: string;
  description: string;
}

export const MOUSE_GESTURES_DISPLAY_ONLY: readonly GestureInfo[] = [
  { group: 'View', keys: 'Wheel', description: 'Zoom around the cursor' },
  { group: 'View', keys: 'Space+drag / middle drag', description: 'Pan' },
  { group: 'Edit', keys: 'Shift+click', description: 'Add to / remove from the selection (select tool)' },
  // Handled by the AI prompt tool (tools/aiPromptTool.ts).
  { group: 'AI', keys: 'Click', description: 'Positive point: part of the object' },
  { group: 'AI', keys: 'Alt+click / right-click', description: 'Negative point: not part of the object' },
  { group: 'AI', keys: 'Drag', description: 'Box around the object (the candidate follows while dragging)' },
  { group: 'AI', keys: 'Shift+drag', description: 'Scribble on the object (Shift+Alt+drag or right-drag: scribble outside it)' },
  { group: 'AI', keys: 'Click a proposal', description: 'Accept it (after segment everything)' },
  // Handled by the canvas input (canvas/useCanvasInput.ts) before the select tool.
  { group: 'Review', keys: 'Click a proposal', description: 'Select it for review (select tool)' },
];
