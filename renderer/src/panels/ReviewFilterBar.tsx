// The image list's review filter: by label, by source (manual, a model, an
// importer, accepted proposals), by score range, by waiting proposals, plus
// the conditions a click in the dataset view added (a size range, a number
// of annotations), each shown as a chip that removes it. The host filters in
// SQL; F / Shift+F open the next / previous matching image.
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';

import { type AnnotationOrigin, hasReviewFilter } from '../../../common/contract/index.js';
import { keyOf } from '../actions/actionList.js';
import { useAppStore } from '../store/appStore.js';
import { originName } from './datasetCharts.js';
import { chipsOf, parseScore } from './reviewFilterText.js';

const UNLABELED = '\u0000unlabeled';
const ACCEPTED = '\u0000accepted';

const originKey = (origin: AnnotationOrigin | undefined): string =>
  origin === undefined ? '' : origin.kind === 'accepted' ? ACCEPTED : `source:${origin.source}`;

function originOf(key: string): AnnotationOrigin | undefined {
  if (key === '') return undefined;
  if (key === ACCEPTED) return { kind: 'accepted' };
  return { kind: 'source', source: key.slice('source:'.length) };
}

/** A score bound's input: applied when it reads as a score and keeps the range in order. */
function ScoreInput({ bound, testId }: { bound: 'minScore' | 'maxScore'; testId: string }) {
  const { value, other, patch } = useAppStore(
    useShallow((s) => ({
      value: s.reviewFilter[bound],
      other: s.reviewFilter[bound === 'minScore' ? 'maxScore' : 'minScore'],
      patch: s.patchReviewFilter,
    })),
  );
  const [text, setText] = useState(value === undefined ? '' : String(value));
  useEffect(() => setText(value === undefined ? '' : String(value)), [value]);
  const parsed = parseScore(text);
  const inOrder =
    parsed === undefined || parsed === null || other === undefined || (bound === 'minScore' ? parsed <= other : parsed >= other);
  const valid = parsed !== null && inOrder;
  return (
    <input
      type="text"
      inputMode="decimal"
      className={`score-input${valid ? '' : ' is-invalid'}`}
      data-testid={testId}
      placeholder={bound === 'minScore' ? 'min' : 'max'}
      title={valid ? 'Score from 0 to 1 (or a percentage)' : 'Not a score from 0 to 1, or the range is upside down'}
      value={text}
      onChange={(e) => setText(e.target.value)}
      onBlur={() => {
        if (valid && parsed !== value) patch({ [bound]: parsed });
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === 'Escape') e.currentTarget.blur();
      }}
    />
  );
}

export function ReviewFilterBar() {
  const { filter, labels, stats, patch, setFilter, loadDatasetStats, stepMatchingImage } = useAppStore(
    useShallow((s) => ({
      filter: s.reviewFilter,
      labels: s.labels,
      stats: s.datasetStats,
      patch: s.patchReviewFilter,
      setFilter: s.setReviewFilter,
      loadDatasetStats: s.loadDatasetStats,
      stepMatchingImage: s.stepMatchingImage,
    })),
  );
  const [open, setOpen] = useState(false);
  const active = hasReviewFilter(filter);
  const shown = open || active;
  // The sources to offer are the ones the project has: they come with the dataset figures, asked again each
  // time the filter opens (an import may have brought new ones; the host answers at once when nothing changed).
  useEffect(() => {
    if (shown) void loadDatasetStats();
  }, [shown, loadDatasetStats]);
  const origins = stats?.origins.map((row) => row.origin) ?? [];
  if (filter.origin && !origins.some((o) => originKey(o) === originKey(filter.origin))) origins.push(filter.origin);
  const conditions = Object.values(filter).filter((value) => value !== undefined).length;

  return (
    <div className="review-filter" data-testid="review-filter">
      <div className="filter-row">
        <button
          type="button"
          className={`link-button${active ? ' is-active' : ''}`}
          data-testid="review-filter-toggle"
          aria-expanded={shown}
          onClick={() => setOpen(!open)}
        >
          {shown ? '▾' : '▸'} Review filter{active ? ` (${conditions})` : ''}
        </button>
        <span className="review-steps">
          <button
            type="button"
            data-testid="filter-previous-match"
            title={`Previous image matching the filter (${keyOf('images.previousMatching')})`}
            onClick={() => void stepMatchingImage(-1)}
          >
            ◀
          </button>
          <button
            type="button"
            data-testid="filter-next-match"
            title={`Next image matching the filter (${keyOf('images.nextMatching')})`}
            onClick={() => void stepMatchingImage(1)}
          >
            ▶
          </button>
        </span>
      </div>
      {shown && (
        <>
          <div className="filter-row">
            <select
              data-testid="filter-label"
              aria-label="Label"
              value={filter.labelId === undefined ? '' : filter.labelId === null ? UNLABELED : filter.labelId}
              onChange={(e) => {
                const value = e.target.value;
                patch({ labelId: value === '' ? undefined : value === UNLABELED ? null : value });
                e.currentTarget.blur(); // hand the keyboard back to the shortcuts
              }}
            >
              <option value="">Any label</option>
              {labels.map((label) => (
                <option key={label.id} value={label.id}>
                  {label.name}
                </option>
              ))}
              <option value={UNLABELED}>(unlabeled)</option>
            </select>
            <select
              data-testid="filter-source"
              aria-label="Source"
              value={originKey(filter.origin)}
              onChange={(e) => {
                patch({ origin: originOf(e.target.value) });
                e.currentTarget.blur();
              }}
            >
              <option value="">Any source</option>
              {origins.map((origin) => (
                <option key={originKey(origin)} value={originKey(origin)}>
                  {originName(origin)}
                </option>
              ))}
            </select>
          </div>
          <div className="filter-row">
            <span className="muted">Score</span>
            <ScoreInput bound="minScore" testId="filter-min-score" />
            <span className="muted">–</span>
            <ScoreInput bound="maxScore" testId="filter-max-score" />
            <select
              data-testid="filter-proposals"
              aria-label="Proposals"
              value={filter.hasProposals === undefined ? '' : filter.hasProposals ? 'with' : 'without'}
              onChange={(e) => {
                const value = e.target.value;
                patch({ hasProposals: value === '' ? undefined : value === 'with' });
                e.currentTarget.blur();
              }}
            >
              <option value="">Proposals: any</option>
              <option value="with">With proposals</option>
              <option value="without">No proposals</option>
            </select>
          </div>
          {(chipsOf(filter).length > 0 || active) && (
            <div className="filter-chips">
              {chipsOf(filter).map((chip) => (
                <button
                  key={chip.text}
                  type="button"
                  className="filter-chip"
                  data-testid="filter-chip"
                  title="Remove this condition"
                  onClick={() => patch(chip.clear)}
                >
                  {chip.text} ✕
                </button>
              ))}
              {active && (
                <button type="button" className="link-button" data-testid="filter-clear" onClick={() => setFilter({})}>
                  Clear filter
                </button>
              )}
            </div>
          )}
        </>
      )}
    </div>
  );
}
