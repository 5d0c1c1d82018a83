// A detector's class names onto the project's labels: the user's remembered
// mapping for the model first (class name -> label name, set in the mapping
// dialog through ai.setLabelMap), else the label of the same name, compared
// case-insensitively after trimming. A class that lands nowhere is listed so
// the UI can ask.
import type { Detection, DetectionLabel, LabelMap } from '../../common/contract/index.js';
import type { WorkerLabel } from '../protocol.js';

const norm = (name: string): string => name.trim().toLowerCase();

function byName(name: string, labels: readonly WorkerLabel[]): WorkerLabel | undefined {
  const wanted = norm(name);
  return labels.find((l) => l.name === name) ?? labels.find((l) => norm(l.name) === wanted);
}

export function detectionLabel(className: string, labels: readonly WorkerLabel[], labelMap: LabelMap): DetectionLabel | null {
  const mapped = labelMap[className];
  if (mapped !== undefined) {
    const label = byName(mapped, labels);
    if (label) return { labelId: label.labelId, name: label.name, via: 'labelMap' };
  }
  const same = byName(className, labels);
  return same ? { labelId: same.labelId, name: same.name, via: 'name' } : null;
}

/** Class names of these detections that map onto no label, each once, in order of first appearance. */
export function unmappedClasses(detections: readonly Pick<Detection, 'className' | 'label'>[]): string[] {
  return [...new Set(detections.filter((d) => d.label === null).map((d) => d.className))];
}
