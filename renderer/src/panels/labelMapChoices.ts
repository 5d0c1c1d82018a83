// What the "Map class names" dialog's choices amount to: the labels to
// create (new names get a colour and hotkey as the labels panel gives them)
// and the map ai.setLabelMap saves (class name -> project label name). Pure,
// so it is unit-tested directly.
import type { Label, LabelMap } from '../../../common/contract/index.js';
import { newLabel } from './labelOps.js';

/** For one class name: an existing label (by name), a label to create, or left unmapped. */
export type ClassChoice = { kind: 'label'; name: string } | { kind: 'new'; name: string } | { kind: 'none' };

const same = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

export function labelMapChanges(
  choices: Readonly<Record<string, ClassChoice>>,
  labels: readonly Label[],
): { created: Label[]; map: LabelMap } {
  const created: Label[] = [];
  const map: LabelMap = {};
  const known = (name: string) => [...labels, ...created].find((l) => same(l.name, name));
  for (const [className, choice] of Object.entries(choices)) {
    if (choice.kind === 'none') continue;
    const name = choice.name.trim();
    if (!name) continue;
    if (choice.kind === 'new' && !known(name)) created.push(newLabel(name, [...labels, ...created]));
    map[className] = known(name)?.name ?? name;
  }
  return { created, map };
}
