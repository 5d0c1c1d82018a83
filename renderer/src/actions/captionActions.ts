// Recording a narrative (T): the first press starts it (the caption panel's
// text field takes the typing while the pointer moves over the image), the
// next one, or Enter in the field, stores it as one undo step.
import { action } from './actionTypes.js';
import { plainKey } from './keys.js';

export const CAPTION_ACTIONS = [
  action({
    name: 'caption.record',
    group: 'Edit',
    label: 'Record a narrative: point at things while typing what they are; T or Enter stops, Esc discards',
    keys: { display: 'T', test: plainKey('t', 'T') },
    history: 'step',
    enabled: (s) => s.currentImage !== null,
    perform: (s) => {
      if (s.recording) void s.stopRecording();
      else s.startRecording();
    },
    button: { text: 'Record', title: 'Record a narrative', testId: 'caption-record', pressed: (s) => s.recording !== null },
  }),
];
