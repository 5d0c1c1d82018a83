// A command of the app as one object (Excalidraw's `register({name, perform,
// keyTest, PanelComponent})`): its key and how the key reads, what it does,
// when it applies, how it enters the undo history, and the toolbar button
// that runs it where it has one. The key handler, the `?` overlay and the
// toolbar are all made from the one list of these (actionList.ts).
import type { AppState } from '../store/appStore.js';

/** The parts of a KeyboardEvent an action reads (tests press keys without a DOM). */
export type KeyInput = Pick<KeyboardEvent, 'key' | 'code' | 'shiftKey' | 'altKey' | 'ctrlKey' | 'metaKey'>;

/** The `?` overlay's sections. */
export type ActionGroup = 'Tools' | 'AI' | 'Review' | 'Labels' | 'View' | 'Images' | 'Edit' | 'Help';

/**
 * How an action's effect enters the undo history:
 * - 'none': it changes no document (a tool, the view, the selection, AI prompts);
 * - 'step': one undo step (a relabel, a delete, an accepted AI mask);
 * - 'store': the document store decides (undo and redo move through the history).
 */
export type HistoryEffect = 'none' | 'step' | 'store';

export interface KeyBinding {
  /** As the overlay and the tooltips show it. */
  display: string;
  test: (e: KeyInput) => boolean;
}

/** The toolbar button that runs an action. */
export interface ActionButton {
  /** The button's text. */
  text: string;
  /** The tooltip before the key, when it says more than the text ("Actual size" for "1:1"). */
  title?: string;
  testId?: string;
  /** The key is shown on the button too (tool buttons). */
  showKey?: boolean;
  /** A toggle: shown pressed while this holds. */
  pressed?: (s: AppState) => boolean;
  disabled?: (s: AppState) => boolean;
}

export interface Action<Name extends string = string> {
  readonly name: Name;
  readonly group: ActionGroup;
  /** What it does, as the overlay lists it. */
  readonly label: string;
  readonly keys?: KeyBinding;
  readonly history: HistoryEffect;
  /** Whether it applies now (the AI keys only with the AI tool idle and the session in the right state); a key of an action that does not apply goes on to the next one. */
  readonly enabled?: (s: AppState, e: KeyInput | null) => boolean;
  /** `e` is the key that ran it, null for a button. */
  readonly perform: (s: AppState, e: KeyInput | null) => void;
  readonly button?: ActionButton;
}

/** Keeps an action's name as a literal type, so names are checked where actions are looked up. */
export const action = <const Name extends string>(definition: Action<Name>): Action<Name> => definition;
