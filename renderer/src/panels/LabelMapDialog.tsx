// "Map class names": every class name of the detector (those found on this
// image first, the unmapped ones marked), each onto an existing project
// label, a new label, or nothing. Saving creates the new labels (one undo
// step), remembers the map for the model (ai.setLabelMap) and relabels the
// detections on screen.
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';

import type { DetectionSet } from '../../../common/contract/index.js';
import { useAppStore } from '../store/appStore.js';
import { type ClassChoice, labelMapChanges } from './labelMapChoices.js';
import { ModalDialog } from './ModalDialog.js';

const NEW = '__new__';
const NONE = '';

export function LabelMapDialog({ detections }: { detections: DetectionSet }) {
  const { labels, remembered, save, setOpen } = useAppStore(
    useShallow((s) => ({
      labels: s.labels,
      remembered: s.aiStatus?.settings.labelMaps?.[detections.modelId],
      save: s.saveLabelMap,
      setOpen: s.setLabelMapOpen,
    })),
  );
  const close = () => setOpen(false);
  const found = [...new Set(detections.detections.map((d) => d.className))];
  const names = [...found, ...detections.classNames.filter((n) => !found.includes(n))];
  const unmapped = new Set(detections.unmappedClasses);
  const [choices, setChoices] = useState<Record<string, ClassChoice>>(() => {
    const initial: Record<string, ClassChoice> = {};
    for (const name of names) {
      const label = detections.detections.find((d) => d.className === name)?.label?.name ?? remembered?.[name];
      initial[name] = label ? { kind: 'label', name: label } : { kind: 'none' };
    }
    return initial;
  });
  const choose = (name: string, choice: ClassChoice) => setChoices((c) => ({ ...c, [name]: choice }));
  return (
    <ModalDialog className="label-map" testId="label-map" title="Map class names onto labels" onClose={close}>
      <p className="muted">
        The detector&apos;s class names are matched to project labels by name; choose a label for the others. The mapping is remembered for
        this model.
      </p>
      <table className="label-map-table">
        <tbody>
          {names.map((name) => {
            const choice = choices[name] ?? { kind: 'none' };
            return (
              <tr key={name} data-testid="label-map-row" data-class-name={name} data-unmapped={unmapped.has(name) ? '1' : '0'}>
                <th scope="row">
                  {name}
                  {unmapped.has(name) && <span className="model-link-unverified"> no label</span>}
                  {!found.includes(name) && <span className="muted"> (not on this image)</span>}
                </th>
                <td>
                  <select
                    data-testid="label-map-select"
                    value={choice.kind === 'label' ? choice.name : choice.kind === 'new' ? NEW : NONE}
                    onChange={(e) => {
                      const v = e.target.value;
                      choose(name, v === NEW ? { kind: 'new', name } : v === NONE ? { kind: 'none' } : { kind: 'label', name: v });
                    }}
                  >
                    <option value={NONE}>(no label)</option>
                    {labels.map((l) => (
                      <option key={l.id} value={l.name}>
                        {l.name}
                      </option>
                    ))}
                    <option value={NEW}>New label…</option>
                  </select>
                  {choice.kind === 'new' && (
                    <input
                      data-testid="label-map-new-name"
                      value={choice.name}
                      maxLength={200}
                      onChange={(e) => choose(name, { kind: 'new', name: e.target.value })}
                      aria-label={`New label for ${name}`}
                    />
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="ai-actions">
        <button
          type="button"
          className="primary"
          data-testid="label-map-save"
          onClick={() => {
            const { created, map } = labelMapChanges(choices, labels);
            void save(detections.modelId, created, map);
          }}
        >
          Save mapping
        </button>
        <button type="button" onClick={close}>
          Cancel
        </button>
      </div>
    </ModalDialog>
  );
}
