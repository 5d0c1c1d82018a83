// Right panel, top: labels (create, rename, recolour, hotkey, thing / stuff,
// delete, show/hide) and the mask opacity slider. Clicking a label makes it
// the active one. T / S: a thing (auto-label keeps one proposal per
// instance) or stuff (one merged region per image).
import { memo, useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';

import type { Label } from '../../../common/contract/index.js';
import { useAppStore } from '../store/appStore.js';
import { HOTKEY_CHOICES, newLabel } from './labelOps.js';
import { DeleteButton, VisibilityButton } from './RowButtons.js';

const putLabel = (label: Label, mergeKey?: string) => void useAppStore.getState().commit([{ type: 'label.put', label }], mergeKey);

const LabelRow = memo(function LabelRow({
  label,
  active,
  hidden,
  labels,
}: {
  label: Label;
  active: boolean;
  hidden: boolean;
  labels: readonly Label[];
}) {
  const { setActiveLabel, toggleLabelVisibility, commit } = useAppStore(
    useShallow((s) => ({ setActiveLabel: s.setActiveLabel, toggleLabelVisibility: s.toggleLabelVisibility, commit: s.commit })),
  );
  const [name, setName] = useState(label.name);
  // Undo/redo can rename the label under the field.
  useEffect(() => setName(label.name), [label.name]);
  const rename = () => {
    if (name.trim() && name.trim() !== label.name) putLabel({ ...label, name: name.trim() });
    else setName(label.name);
  };
  const setHotkey = (hotkey: Label['hotkey']) => {
    // A hotkey belongs to one label: take it from whoever had it.
    const previous = labels.find((l) => l.hotkey === hotkey && l.id !== label.id);
    void commit([
      ...(previous && hotkey ? [{ type: 'label.put' as const, label: { ...previous, hotkey: null } }] : []),
      { type: 'label.put', label: { ...label, hotkey } },
    ]);
  };
  return (
    <li
      className={`label-row${active ? ' is-active' : ''}${hidden ? ' is-hidden' : ''}`}
      data-testid="label-item"
      data-label-name={label.name}
      onClick={() => setActiveLabel(label.id)}
    >
      <input
        type="color"
        className="label-colour"
        value={label.colour}
        title="Colour"
        onClick={(e) => e.stopPropagation()}
        // Dragging in the picker fires many changes: they merge into one undo step.
        onChange={(e) => putLabel({ ...label, colour: e.target.value }, `label-colour:${label.id}`)}
      />
      <input
        className="label-name"
        value={name}
        aria-label="Label name"
        onChange={(e) => setName(e.target.value)}
        onBlur={rename}
        onKeyDown={(e) => {
          if (e.key === 'Enter') e.currentTarget.blur();
          if (e.key === 'Escape') setName(label.name);
        }}
      />
      <select
        className="label-hotkey"
        value={label.hotkey ?? ''}
        title="Hotkey"
        onClick={(e) => e.stopPropagation()}
        onChange={(e) => {
          setHotkey((e.target.value || null) as Label['hotkey']);
          e.currentTarget.blur(); // hand the keyboard back to the shortcuts
        }}
      >
        <option value="">–</option>
        {HOTKEY_CHOICES.map((k) => (
          <option key={k} value={k}>
            {k}
          </option>
        ))}
      </select>
      <button
        type="button"
        className={`icon-button stuff-toggle${label.stuff ? ' is-stuff' : ''}`}
        data-testid="label-stuff"
        data-stuff={label.stuff ? '1' : '0'}
        aria-pressed={label.stuff === true}
        title={
          label.stuff
            ? 'Stuff (sky, grass): auto-label merges all its pixels into one region per image (click: a thing again)'
            : 'Thing: auto-label keeps one region per instance (click: make it stuff, one merged region per image)'
        }
        onClick={(e) => {
          e.stopPropagation();
          putLabel({ ...label, stuff: !label.stuff });
          e.currentTarget.blur();
        }}
      >
        {label.stuff ? 'S' : 'T'}
      </button>
      <VisibilityButton hidden={hidden} title="Hide" testId="label-visibility" onToggle={() => toggleLabelVisibility(label.id)} />
      <DeleteButton
        title="Delete label (its annotations become unlabeled)"
        testId="label-delete"
        onDelete={() => void commit([{ type: 'label.delete', id: label.id }])}
      />
    </li>
  );
});

export function LabelsPanel() {
  const { labels, activeLabelId, hiddenLabelIds, maskOpacity, setMaskOpacity, commit, setActiveLabel } = useAppStore(
    useShallow((s) => ({
      labels: s.labels,
      activeLabelId: s.activeLabelId,
      hiddenLabelIds: s.hiddenLabelIds,
      maskOpacity: s.maskOpacity,
      setMaskOpacity: s.setMaskOpacity,
      commit: s.commit,
      setActiveLabel: s.setActiveLabel,
    })),
  );
  const [draftName, setDraftName] = useState('');
  const addLabel = () => {
    if (!draftName.trim()) return;
    const label = newLabel(draftName, labels);
    void commit([{ type: 'label.put', label }]);
    setActiveLabel(label.id);
    setDraftName('');
  };
  return (
    <section className="panel-section">
      <h2>Labels</h2>
      <form
        className="label-add"
        onSubmit={(e) => {
          e.preventDefault();
          addLabel();
        }}
      >
        <input data-testid="label-new-name" placeholder="New label" value={draftName} onChange={(e) => setDraftName(e.target.value)} />
        <button type="submit" data-testid="label-add" disabled={!draftName.trim()}>
          Add
        </button>
      </form>
      <ul className="label-list">
        {labels.map((label) => (
          <LabelRow
            key={label.id}
            label={label}
            labels={labels}
            active={label.id === activeLabelId}
            hidden={hiddenLabelIds.includes(label.id)}
          />
        ))}
        {labels.length === 0 && <li className="empty-hint">No labels yet.</li>}
      </ul>
      <label className="slider">
        Mask opacity
        <input
          data-testid="mask-opacity"
          type="range"
          min={0}
          max={1}
          step={0.05}
          value={maskOpacity}
          onChange={(e) => setMaskOpacity(Number(e.target.value))}
        />
        <span>{Math.round(maskOpacity * 100)}%</span>
      </label>
    </section>
  );
}
