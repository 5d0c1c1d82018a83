// The view (fit, 1:1, zoom), the images (next, previous) and help (the `?`
// list). The view is no document; opening an image may mark it in progress,
// which the document store records without an undo step.
import { action } from './actionTypes.js';
import { ctrlKey, plainKey } from './keys.js';

const ZOOM_STEP = 1.25;

export const VIEW_ACTIONS = [
  action({
    name: 'view.fit',
    group: 'View',
    label: 'Fit the image to the window',
    keys: { display: 'Ctrl+0', test: ctrlKey('0') },
    history: 'none',
    perform: (s) => s.fitToView(),
    button: { text: 'Fit', testId: 'zoom-fit' },
  }),
  action({
    name: 'view.actualSize',
    group: 'View',
    label: 'Actual size (1:1)',
    keys: { display: 'Ctrl+1', test: ctrlKey('1') },
    history: 'none',
    perform: (s) => s.showActualSize(),
    button: { text: '1:1', title: 'Actual size', testId: 'zoom-actual' },
  }),
  action({
    name: 'view.zoomIn',
    group: 'View',
    label: 'Zoom in',
    keys: { display: '+', test: plainKey('+', '=') },
    history: 'none',
    perform: (s) => s.zoomBy(ZOOM_STEP),
    button: { text: '+', title: 'Zoom in' },
  }),
  action({
    name: 'view.zoomOut',
    group: 'View',
    label: 'Zoom out',
    keys: { display: '−', test: plainKey('-') },
    history: 'none',
    perform: (s) => s.zoomBy(1 / ZOOM_STEP),
    button: { text: '−', title: 'Zoom out' },
  }),
];

export const IMAGE_ACTIONS = [
  action({
    name: 'images.next',
    group: 'Images',
    label: 'Next image',
    keys: { display: 'D / →', test: plainKey('d', 'D', 'ArrowRight') },
    history: 'store',
    perform: (s) => s.stepImage(1),
  }),
  action({
    name: 'images.previous',
    group: 'Images',
    label: 'Previous image',
    keys: { display: 'A / ←', test: plainKey('a', 'A', 'ArrowLeft') },
    history: 'store',
    perform: (s) => s.stepImage(-1),
  }),
];

export const HELP_ACTIONS = [
  action({
    name: 'help.shortcuts',
    group: 'Help',
    label: 'Show or hide this list',
    keys: { display: '?', test: (e) => e.key === '?' },
    history: 'none',
    perform: (s) => s.toggleShortcuts(),
    button: { text: '?', title: 'Keyboard shortcuts', testId: 'shortcuts-toggle' },
  }),
];
