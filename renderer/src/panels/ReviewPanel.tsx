// Side column: the review queue of the open image. Its proposals best first
// (a click selects one), the threshold below which they are hidden, accept
// all above it on this image or in the whole folder (one undo step each),
// and the next / previous image with proposals. The selected proposal's own
// actions are in the pinned area (ProposalActions.tsx).
import { useShallow } from 'zustand/react/shallow';

import { keyOf } from '../actions/actionList.js';
import { useAppStore } from '../store/appStore.js';
import { proposalLabelId, shownProposals } from '../store/proposalsSlice.js';
import { labelColour } from '../store/selectors.js';

export function ReviewPanel() {
  const s = useAppStore(
    useShallow((state) => ({
      proposals: state.proposals,
      loaded: state.proposalsImageId !== null && state.proposalsImageId === state.currentImage?.id,
      threshold: state.proposalThreshold,
      selectedId: state.selectedProposalId,
      proposalLabels: state.proposalLabels,
      labels: state.labels,
      setThreshold: state.setProposalThreshold,
      select: state.selectProposal,
      acceptAbove: state.acceptProposalsAbove,
      stepImage: state.stepImageWithProposals,
      hasImage: state.currentImage !== null,
    })),
  );
  const shown = shownProposals({ proposals: s.proposals, proposalThreshold: s.threshold });
  const hidden = s.proposals.length - shown.length;
  return (
    <section className="panel-section review-panel" data-testid="review-panel" data-count={s.proposals.length} data-shown={shown.length}>
      <h2>
        Review{' '}
        <span className="muted" data-testid="review-count">
          {!s.loaded ? '' : s.proposals.length === 0 ? 'no proposals' : `${shown.length} of ${s.proposals.length} shown`}
        </span>
      </h2>
      <label className="slider review-threshold" title="Proposals scoring below this are hidden and not accepted by “accept all”">
        Threshold
        <input
          type="range"
          data-testid="review-threshold"
          min={0}
          max={1}
          step={0.01}
          value={s.threshold}
          onChange={(e) => s.setThreshold(Number(e.target.value))}
          onPointerUp={(e) => e.currentTarget.blur()}
        />
        <output data-testid="review-threshold-value">{s.threshold.toFixed(2)}</output>
      </label>
      <div className="review-actions">
        <button
          type="button"
          data-testid="review-accept-image"
          disabled={shown.length === 0}
          title={`Accept the ${shown.length} proposals at or above ${s.threshold.toFixed(2)} on this image: one undo step (${keyOf('review.acceptAll')})`}
          onClick={() => void s.acceptAbove('image')}
        >
          Accept all ≥ {s.threshold.toFixed(2)}
        </button>
        <button
          type="button"
          data-testid="review-accept-folder"
          disabled={!s.hasImage}
          title={`Accept every proposal at or above ${s.threshold.toFixed(2)} on every image of the folder: one undo step`}
          onClick={() => {
            if (
              window.confirm(
                `Accept every proposal scoring ${s.threshold.toFixed(2)} or more, on every image of the folder? (One undo step.)`,
              )
            )
              void s.acceptAbove('project');
          }}
        >
          … in the folder
        </button>
        <button
          type="button"
          data-testid="review-next-image"
          title={`Next image with proposals (${keyOf('review.nextImage')})`}
          onClick={() => void s.stepImage(1)}
        >
          Next image ›
        </button>
      </div>
      <ol className="review-list" data-testid="review-list">
        {shown.map((p) => {
          const labelId = proposalLabelId(s, p);
          const label = s.labels.find((l) => l.id === labelId);
          return (
            <li
              key={p.id}
              data-testid="proposal-item"
              data-proposal-id={p.id}
              data-label-name={label?.name ?? ''}
              data-score={p.score}
              className={p.id === s.selectedId ? 'is-selected' : ''}
              title={`${p.source}${p.jobId ? ` · job ${p.jobId.slice(0, 8)}` : ''} · ${Math.round(p.area).toLocaleString()} px`}
              onClick={() => s.select(p.id)}
            >
              <span className="swatch" style={{ background: labelColour(s.labels, labelId) }} />
              <span className="review-label">{label?.name ?? '(unlabeled)'}</span>
              <span className="muted">{p.score.toFixed(2)}</span>
            </li>
          );
        })}
        {s.loaded && hidden > 0 && (
          <li className="empty-hint" data-testid="review-hidden">
            {hidden} below the threshold
          </li>
        )}
      </ol>
    </section>
  );
}
