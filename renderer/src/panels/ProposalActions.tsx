// The selected proposal and what to do with it, in the side column's pinned
// area (always in view): its label (changeable before accepting, also with
// 1–9), score, source, and Accept / Reject / Tab to the next one.
import { useShallow } from 'zustand/react/shallow';

import { keyOf } from '../actions/actionList.js';
import { useAppStore } from '../store/appStore.js';
import { proposalLabelId, selectedProposal, shownProposals } from '../store/proposalsSlice.js';

export function ProposalActions() {
  const s = useAppStore(
    useShallow((state) => ({
      proposal: selectedProposal(state),
      shown: shownProposals(state).length,
      position: shownProposals(state).findIndex((p) => p.id === state.selectedProposalId),
      proposalLabels: state.proposalLabels,
      labels: state.labels,
      relabel: state.relabelProposal,
      accept: state.acceptProposal,
      reject: state.rejectProposal,
      cycle: state.cycleProposal,
    })),
  );
  const proposal = s.proposal;
  if (!proposal) return null;
  const labelId = proposalLabelId(s, proposal);
  return (
    <div className="proposal-actions" data-testid="proposal-actions" data-proposal-id={proposal.id}>
      <div className="proposal-head">
        <strong>Proposal</strong>
        <span className="muted" data-testid="proposal-position">
          {s.position + 1} of {s.shown}
        </span>
        <span className="muted">score {proposal.score.toFixed(2)}</span>
        <span className="muted proposal-source" title={proposal.jobId ?? 'imported results'}>
          {proposal.source}
        </span>
      </div>
      <div className="ai-actions">
        <select
          data-testid="proposal-label"
          value={labelId ?? ''}
          title={`Label it is accepted with (${keyOf('review.label')})`}
          onChange={(e) => {
            s.relabel(e.target.value || null);
            e.currentTarget.blur();
          }}
        >
          <option value="">(unlabeled)</option>
          {s.labels.map((l) => (
            <option key={l.id} value={l.id}>
              {l.hotkey ? `${l.hotkey} · ` : ''}
              {l.name}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="primary"
          data-testid="proposal-accept"
          title={`Accept as an annotation (${keyOf('review.accept')})`}
          onClick={() => s.accept()}
        >
          Accept
        </button>
        <button type="button" data-testid="proposal-reject" title={`Reject (${keyOf('review.reject')})`} onClick={() => s.reject()}>
          Reject
        </button>
        <button type="button" className="icon-button" title={`Next proposal (${keyOf('review.cycle')})`} onClick={() => s.cycle(1)}>
          ›
        </button>
      </div>
    </div>
  );
}
