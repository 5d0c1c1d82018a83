// The `?` overlay's content, made from the action list (every action with a
// key) and the display-only mouse gestures, by section: what the overlay
// shows is what the key handler runs.
import { ACTIONS } from './actionList.js';
import type { ActionGroup } from './actionTypes.js';
import { MOUSE_GESTURES_DISPLAY_ONLY } from './mouseGestures.js';

export interface OverlayRow {
  keys: string;
  description: string;
}

export interface OverlaySection {
  group: ActionGroup;
  rows: OverlayRow[];
}

export const OVERLAY_GROUPS: readonly ActionGroup[] = ['Tools', 'AI', 'Review', 'Labels', 'Edit', 'View', 'Images', 'Help'];

export function overlaySections(): OverlaySection[] {
  const keyed = ACTIONS.flatMap((a) => (a.keys ? [{ group: a.group, keys: a.keys.display, description: a.label }] : []));
  const all = [...keyed, ...MOUSE_GESTURES_DISPLAY_ONLY];
  return OVERLAY_GROUPS.map((group) => ({
    group,
    rows: all.filter((row) => row.group === group).map(({ keys, description }) => ({ keys, description })),
  }));
}
