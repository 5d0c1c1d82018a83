// Recording a narrative (T): the first press starts it (the caption panel's
// text field takes the typing while the pointer moves over the image), the
// next one, or Enter in the field, stores it as one undo step. C asks the
// model for a caption with a point per word, Shift+C for one of the selected
// annotation's box; either comes back as a proposal to accept or discard.
import { captionProblem } from '../store/captionProposalSlice.js';
import { action, type KeyInput } from './actionTypes.js';
import { ctrl, plainKey } from './keys.js';

/** C (Shift as given), either case, without Ctrl/Cmd or Alt. */
const cKey = (shift: boolean) => (e: KeyInput) => !ctrl(e) && !e.altKey && e.shiftKey === shift && e.key.toLowerCase() === 'c';

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
  action({
    name: 'caption.generate',
    group: 'AI',
    label: "Caption the image with the model: a proposal with a point per word (the model's caption head)",
    keys: { display: 'C', test: cKey(false) },
    history: 'none',
    enabled: (s) => s.recording === null && s.captionWork === null && captionProblem(s) === null,
    perform: (s) => void s.generateCaption(false),
    button: {
      text: 'Caption',
      title: 'Generate a caption',
      testId: 'caption-generate',
      disabled: (s) => s.captionWork !== null || captionProblem(s) !== null,
    },
  }),
  action({
    name: 'caption.describe',
    group: 'AI',
    label: "Describe the selected annotation's box with the model (box → caption)",
    keys: { display: 'Shift+C', test: cKey(true) },
    history: 'none',
    enabled: (s) => s.recording === null && s.captionWork === null && captionProblem(s) === null && s.selection.length === 1,
    perform: (s) => void s.generateCaption(true),
    button: {
      text: 'Describe',
      title: "Describe the selected annotation's box",
      testId: 'caption-describe',
      disabled: (s) => s.captionWork !== null || captionProblem(s) !== null || s.selection.length !== 1,
    },
  }),
];
