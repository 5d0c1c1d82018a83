// How the actions read keys: plain letters without Ctrl/Cmd or Alt, Ctrl/Cmd
// combinations, and label digits by physical key (keyboard layouts differ in
// what the digit keys type).
import type { KeyInput } from './actionTypes.js';

export const ctrl = (e: KeyInput): boolean => e.ctrlKey || e.metaKey;

/** One of `keys`, without Ctrl/Cmd or Alt. */
export const plainKey =
  (...keys: string[]) =>
  (e: KeyInput): boolean =>
    !ctrl(e) && !e.altKey && keys.includes(e.key);

/** Ctrl/Cmd + `key` (Shift as given). */
export const ctrlKey =
  (key: string, shift = false) =>
  (e: KeyInput): boolean =>
    ctrl(e) && e.shiftKey === shift && e.key.toLowerCase() === key;

/** One of `keys` without Ctrl/Cmd, any Alt or Shift: the AI keys, as the AI tool read them. */
export const anyKey =
  (...keys: string[]) =>
  (e: KeyInput): boolean =>
    !ctrl(e) && keys.includes(e.key);

/** A label digit 1–9 by physical key, or the typed digit (the numpad); null for any other key. */
export const digitOf = (e: KeyInput): string | null => /^Digit([1-9])$/.exec(e.code)?.[1] ?? (/^[1-9]$/.test(e.key) ? e.key : null);
