// Whether a key press is typing into a field rather than a command: the key
// handler and the canvas's Space-to-pan both ask before acting on it.
/** True while the user types in a field: single-key shortcuts must then stay out of the way. */
export function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}
