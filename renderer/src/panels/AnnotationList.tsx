// Right panel, bottom: the current image's annotations. Click selects
// (Shift adds), the eye hides (view only), the select relabels, ☆ marks it
// as an example of its label for by-example auto-label jobs, ✕ deletes.
import { memo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';

import type { Annotation, Label } from '../../../common/contract/index.js';
import { useAppStore } from '../store/appStore.js';
import { labelColour } from '../store/selectors.js';
import { DeleteButton, VisibilityButton } from './RowButtons.js';
import { useMatchingAnnotations } from './useMatchingAnnotations.js';

const KIND_NAMES = { box: 'Box', polygon: 'Polygon', mask: 'Mask' } as const;

const AnnotationRow = memo(function AnnotationRow({
  annotation,
  labels,
  selected,
  hidden,
}: {
  annotation: Annotation;
  labels: readonly Label[];
  selected: boolean;
  hidden: boolean;
}) {
  const { setSelection, toggleAnnotationHidden, relabel, commit } = useAppStore(
    useShallow((s) => ({
      setSelection: s.setSelection,
      toggleAnnotationHidden: s.toggleAnnotationHidden,
      relabel: s.relabel,
      commit: s.commit,
    })),
  );
  const label = labels.find((l) => l.id === annotation.labelId);
  return (
    <li
      className={`annotation-row${selected ? ' is-selected' : ''}${hidden ? ' is-hidden' : ''}`}
      data-testid="annotation-item"
      data-annotation-id={annotation.id}
      data-kind={annotation.geometry.kind}
      data-label-name={label?.name ?? ''}
      data-example={annotation.example ? '1' : '0'}
      onClick={(e) => {
        const current = useAppStore.getState().selection;
        if (!e.shiftKey) setSelection([annotation.id]);
        else setSelection(current.includes(annotation.id) ? current.filter((id) => id !== annotation.id) : [...current, annotation.id]);
      }}
    >
      <span className="swatch" style={{ background: labelColour(labels, annotation.labelId) }} />
      <span className="annotation-kind">{KIND_NAMES[annotation.geometry.kind]}</span>
      <select
        className="annotation-label"
        data-testid="annotation-label"
        value={annotation.labelId ?? ''}
        onClick={(e) => e.stopPropagation()}
        onChange={(e) => {
          relabel([annotation.id], e.target.value || null);
          e.currentTarget.blur(); // hand the keyboard back to the shortcuts
        }}
        aria-label="Label"
      >
        <option value="">(unlabeled)</option>
        {labels.map((l) => (
          <option key={l.id} value={l.id}>
            {l.name}
          </option>
        ))}
      </select>
      {annotation.score !== null && (
        <span className="muted" title={annotation.jobId ? `${annotation.source} · auto-label job ${annotation.jobId}` : annotation.source}>
          {Math.round(annotation.score * 100)}%
        </span>
      )}
      <button
        type="button"
        className={`icon-button example-toggle${annotation.example ? ' is-example' : ''}`}
        data-testid="annotation-example"
        data-example={annotation.example ? '1' : '0'}
        aria-pressed={annotation.example === true}
        title={
          annotation.example
            ? 'An example of its label for by-example auto-label jobs (click to unmark)'
            : 'Mark as an example of its label: by-example auto-label jobs find more like it'
        }
        onClick={(e) => {
          e.stopPropagation();
          void commit([{ type: 'annotation.put', annotation: { ...annotation, example: !annotation.example, updatedAt: Date.now() } }]);
          e.currentTarget.blur();
        }}
      >
        {annotation.example ? '★' : '☆'}
      </button>
      <VisibilityButton
        hidden={hidden}
        title="Hide (view only)"
        testId="annotation-visibility"
        onToggle={() => toggleAnnotationHidden(annotation.id)}
      />
      <DeleteButton
        title="Delete"
        testId="annotation-delete"
        onDelete={() => void commit([{ type: 'annotation.delete', id: annotation.id, revision: annotation.revision }])}
      />
    </li>
  );
});

export function AnnotationList() {
  const { annotations, labels, selection, hiddenAnnotationIds, hiddenLabelIds } = useAppStore(
    useShallow((s) => ({
      annotations: s.annotations,
      labels: s.labels,
      selection: s.selection,
      hiddenAnnotationIds: s.hiddenAnnotationIds,
      hiddenLabelIds: s.hiddenLabelIds,
    })),
  );
  const matches = useMatchingAnnotations();
  const [showAll, setShowAll] = useState(false);
  const listed = matches && !showAll ? annotations.filter((a) => matches(a.id)) : annotations;
  const unmatched = matches ? annotations.filter((a) => !matches(a.id)).length : 0;
  return (
    <section className="panel-section grow">
      <h2>
        Annotations{' '}
        <span className="muted" data-testid="annotation-count">
          {matches ? `${annotations.length - unmatched} of ${annotations.length} match the filter` : annotations.length}
        </span>
        {unmatched > 0 && (
          <button type="button" className="link-button" data-testid="annotation-show-all" onClick={() => setShowAll(!showAll)}>
            {showAll ? 'Matching only' : 'Show all'}
          </button>
        )}
      </h2>
      <ul className="annotation-list" data-testid="annotation-list">
        {[...listed].reverse().map((a) => (
          <AnnotationRow
            key={a.id}
            annotation={a}
            labels={labels}
            selected={selection.includes(a.id)}
            hidden={hiddenAnnotationIds.includes(a.id) || (a.labelId !== null && hiddenLabelIds.includes(a.labelId))}
          />
        ))}
        {annotations.length === 0 && <li className="empty-hint">Draw with R (box), P (polygon) or B (brush).</li>}
      </ul>
    </section>
  );
}
