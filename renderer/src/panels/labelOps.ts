// Building label changes: new labels get a distinct colour and the first free hotkey.
import type { Label } from '../../../common/contract/index.js';

const PALETTE = [
  '#e6194b',
  '#3cb44b',
  '#ffe119',
  '#4363d8',
  '#f58231',
  '#911eb4',
  '#42d4f4',
  '#f032e6',
  '#bfef45',
  '#fabed4',
  '#469990',
  '#dcbeff',
];
const HOTKEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

export function newLabel(name: string, existing: readonly Label[]): Label {
  const usedColours = new Set(existing.map((l) => l.colour.toLowerCase()));
  const usedKeys = new Set(existing.map((l) => l.hotkey));
  return {
    id: crypto.randomUUID(),
    name: name.trim(),
    colour: PALETTE.find((c) => !usedColours.has(c)) ?? PALETTE[existing.length % PALETTE.length]!,
    hotkey: HOTKEYS.find((k) => !usedKeys.has(k)) ?? null,
  };
}

export const HOTKEY_CHOICES = HOTKEYS;
