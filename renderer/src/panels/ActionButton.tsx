// A toolbar button made from its action: the text, the tooltip with the key
// the overlay lists, pressed and disabled as the action says, and a click
// that performs the action (the same effect as its key).
import { useShallow } from 'zustand/react/shallow';

import { type ActionName, actionNamed } from '../actions/actionList.js';
import { useAppStore } from '../store/appStore.js';

export function ActionButton({ name }: { name: ActionName }) {
  const action = actionNamed(name);
  const button = action.button;
  const { pressed, disabled } = useAppStore(
    useShallow((s) => ({ pressed: button?.pressed?.(s), disabled: button?.disabled?.(s) ?? false })),
  );
  if (!button) throw new Error(`the action ${name} has no button`);
  const key = action.keys?.display;
  return (
    <button
      type="button"
      data-testid={button.testId}
      className={pressed === undefined ? undefined : pressed ? 'is-active' : ''}
      aria-pressed={pressed}
      disabled={disabled}
      title={key ? `${button.title ?? button.text} (${key})` : (button.title ?? button.text)}
      onClick={() => action.perform(useAppStore.getState(), null)}
    >
      {button.text}
      {button.showKey && key && <kbd>{key}</kbd>}
    </button>
  );
}
