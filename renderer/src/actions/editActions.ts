// Labels and edits: the label digits, delete, undo and redo, select all.
import { action } from './actionTypes.js';
import { ctrl, ctrlKey, plainKey } from './keys.js';

export const LABEL_ACTIONS = [
  action({
    name: 'labels.hotkey',
    group: 'Labels',
    label: 'Make that label active and apply it to the selection',
    keys: { display: '1 – 9', test: (e) => !ctrl(e) && !e.altKey && /^Digit[1-9]$/.test(e.code) },
    history: 'step',
    perform: (s, e) => {
      if (e) s.pressLabelHotkey(e.code.slice(5));
    },
  }),
];

export const EDIT_ACTIONS = [
  action({
    name: 'edit.delete',
    group: 'Edit',
    label: 'Delete the selected annotations',
    keys: { display: 'Delete / Backspace', test: plainKey('Delete', 'Backspace') },
    history: 'step',
    perform: (s) => s.deleteSelection(),
  }),
  action({
    name: 'edit.undo',
    group: 'Edit',
    label: 'Undo',
    keys: { display: 'Ctrl+Z', test: ctrlKey('z') },
    history: 'store',
    perform: (s) => void s.undo(),
    button: { text: 'Undo', testId: 'undo', disabled: (s) => !s.canUndo },
  }),
  action({
    name: 'edit.redo',
    group: 'Edit',
    label: 'Redo',
    keys: { display: 'Ctrl+Shift+Z / Ctrl+Y', test: (e) => ctrlKey('z', true)(e) || ctrlKey('y')(e) },
    history: 'store',
    perform: (s) => void s.redo(),
    button: { text: 'Redo', testId: 'redo', disabled: (s) => !s.canRedo },
  }),
  action({
    name: 'edit.selectAll',
    group: 'Edit',
    label: 'Select every visible annotation',
    keys: { display: 'Ctrl+A', test: ctrlKey('a') },
    history: 'none',
    perform: (s) => s.selectAllVisible(),
  }),
];
