// Reviewing the dataset: the next / previous image matching the list's
// filter (counted from the open image, even when it no longer matches), and
// the dataset view. Opening an image changes nothing in it (its status
// changes when it is edited or reviewed).
import type { KeyInput } from './actionTypes.js';
import { action } from './actionTypes.js';
import { ctrl, plainKey } from './keys.js';

/** F without Ctrl/Cmd or Alt (either case, so Caps Lock does not change it), Shift as given. */
const fKey =
  (shift: boolean) =>
  (e: KeyInput): boolean =>
    !ctrl(e) && !e.altKey && e.shiftKey === shift && e.key.toLowerCase() === 'f';

export const REVIEW_ACTIONS = [
  action({
    name: 'images.nextMatching',
    group: 'Images',
    label: 'Next image matching the filter',
    keys: { display: 'F', test: fKey(false) },
    history: 'store',
    perform: (s) => void s.stepMatchingImage(1),
  }),
  action({
    name: 'images.previousMatching',
    group: 'Images',
    label: 'Previous image matching the filter',
    keys: { display: 'Shift+F', test: fKey(true) },
    history: 'store',
    perform: (s) => void s.stepMatchingImage(-1),
  }),
  action({
    name: 'view.dataset',
    group: 'View',
    label: 'Dataset view (statistics): plots of labels, statuses, sizes and sources; a click on a bar filters the image list',
    keys: { display: 'S', test: plainKey('s', 'S') },
    history: 'none',
    perform: (s) => s.setDatasetViewOpen(!s.datasetViewOpen),
    button: { text: 'Dataset', title: 'Dataset view', testId: 'dataset-toggle', pressed: (s) => s.datasetViewOpen },
  }),
];
