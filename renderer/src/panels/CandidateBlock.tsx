// The AI candidate on show and what can be done with it: which one of how
// many, accept / accept all / discard / clear right under it, then its label
// guesses, the list to pick another, the rule that preselected it and the
// demo model's limits. It sits in the side column's pinned area, outside the
// scrolling panes, so the candidate and its Accept stay in view at any
// window size (what is below the actions may scroll).
import { useShallow } from 'zustand/react/shallow';

import type { Label, LabelGuess } from '../../../common/contract/index.js';
import { type ActionName, actionNamed, keyOf } from '../actions/actionList.js';
import { candidateInfo, hasPrompts, scoreText } from '../ai/aiPrompts.js';
import { isDemoModel } from '../ai/detections.js';
import { regionColour } from '../lib/regionColour.js';
import { currentModel } from '../store/aiEngineSlice.js';
import { useAppStore } from '../store/appStore.js';

/** A button that runs an action does what its key does. */
const perform = (name: ActionName) => actionNamed(name).perform(useAppStore.getState(), null);

function LabelChoice({
  guesses,
  labels,
  labelId,
  knowsLabels,
  confident,
}: {
  guesses: readonly LabelGuess[];
  labels: readonly Label[];
  labelId: string | null;
  knowsLabels: boolean;
  confident: boolean | undefined;
}) {
  const session = useAppStore((s) => s.aiSession);
  const known = guesses.filter((g) => labels.some((l) => l.id === g.labelId));
  return (
    <div className="ai-labels">
      {confident === false && known.length > 0 && (
        <p className="ai-guess-unsure" data-testid="ai-guess-unsure">
          The guesses are too close to call, so the active label is kept; click a guess to use it.
        </p>
      )}
      <div className="ai-label-chips">
        {known.map((g) => {
          const label = labels.find((l) => l.id === g.labelId)!;
          return (
            <button
              key={g.labelId}
              type="button"
              data-testid="ai-label-chip"
              data-label-id={g.labelId}
              data-label-name={label.name}
              className={`ai-label-chip${g.labelId === labelId ? ' is-chosen' : ''}`}
              title={`Similarity ${g.score.toFixed(2)}${label.hotkey ? ` · key ${label.hotkey}` : ''}`}
              onClick={() => session.chooseLabel(g.labelId)}
            >
              <span className="swatch" style={{ background: label.colour }} />
              {label.name}
              <span className="muted">{g.score.toFixed(2)}</span>
            </button>
          );
        })}
        {known.length === 0 && (
          <span className="muted">
            {knowsLabels ? (labels.length === 0 ? 'Add labels to get guesses.' : 'No label guess.') : 'This model does not guess labels.'}
          </span>
        )}
      </div>
      <select
        data-testid="ai-label-select"
        value={labelId ?? ''}
        title={`Any label of the project (${keyOf('ai.label')} also pick one)`}
        onChange={(e) => {
          session.chooseLabel(e.target.value || null);
          e.currentTarget.blur();
        }}
      >
        <option value="">(unlabeled)</option>
        {labels.map((l) => (
          <option key={l.id} value={l.id}>
            {l.hotkey ? `${l.hotkey} · ` : ''}
            {l.name}
          </option>
        ))}
      </select>
    </div>
  );
}

export function CandidateBlock() {
  const s = useAppStore(
    useShallow((state) => ({
      active: state.activeTool === 'ai',
      model: currentModel(state),
      prompts: state.ai.prompts,
      candidates: state.ai.candidates,
      mode: state.ai.mode,
      regions: state.ai.regions,
      selected: state.ai.selected,
      labelId: state.ai.labelId,
      labels: state.labels,
      pending: state.ai.state === 'prompting',
      detecting: state.ai.state === 'detecting',
      everythingRunning: state.ai.state === 'everything',
      accepting: state.ai.state === 'accepting',
    })),
  );
  const { session, cancelAi } = useAppStore(useShallow((state) => ({ session: state.aiSession, cancelAi: state.cancelAi })));
  if (!s.active) return null;
  const candidates = s.candidates;
  const selected = candidates?.candidates[s.selected];
  const canvasPrompts = s.prompts.clicks.length > 0 || s.prompts.box !== null || s.prompts.scribbles.length > 0;
  return (
    <div className="ai-candidate-block" data-testid="ai-candidate-block">
      <div className="ai-candidates-head">
        <span data-testid="candidate-info">
          {candidates ? candidateInfo(candidates, s.selected) : s.pending ? 'Segmenting…' : 'No candidate yet'}
        </span>
        {s.pending && <span className="spinner" aria-label="Working" />}
        {s.pending && (
          <button type="button" className="link-button" data-testid="ai-cancel" title="Stop this prompt" onClick={cancelAi}>
            Cancel
          </button>
        )}
      </div>
      <div className="ai-actions">
        <button
          type="button"
          className="primary"
          data-testid="ai-accept"
          disabled={!selected || s.accepting}
          title={`Accept as an annotation (${keyOf('ai.accept')})`}
          onClick={() => perform('ai.accept')}
        >
          Accept
        </button>
        {s.mode !== 'prompt' && candidates && (
          <button
            type="button"
            data-testid="ai-accept-all"
            disabled={s.accepting}
            title={
              s.mode === 'regions'
                ? 'Accept the mask of every region (one undo step)'
                : s.mode === 'detections'
                  ? 'Accept every detection (one undo step)'
                  : 'Accept every proposal (one undo step)'
            }
            onClick={() => void session.acceptAll()}
          >
            Accept all
          </button>
        )}
        <button
          type="button"
          data-testid="ai-discard"
          disabled={!candidates && !hasPrompts(s.prompts) && !s.everythingRunning && !s.detecting}
          title={`Drop the prompts and candidates (${keyOf('ai.discard')})`}
          onClick={() => perform('ai.discard')}
        >
          Discard
        </button>
        <button
          type="button"
          data-testid="ai-clear"
          disabled={!canvasPrompts}
          title="Remove the clicks, box and scribbles (text and reference stay)"
          onClick={() => session.clearCanvasPrompts()}
        >
          Clear prompts
        </button>
      </div>
      {selected && (
        <LabelChoice
          guesses={selected.labels}
          labels={s.labels}
          labelId={s.labelId}
          knowsLabels={s.model?.capabilities.labels ?? true}
          confident={selected.labelConfident}
        />
      )}
      {candidates && candidates.candidates.length > 1 && (
        <ol className="ai-candidates" data-testid="ai-candidates">
          {candidates.candidates.map((c, position) => (
            <li
              key={c.index}
              data-testid="ai-candidate"
              data-index={c.index}
              className={position === s.selected ? 'is-selected' : ''}
              title={`Stability ${c.stability.toFixed(2)} · ${c.area.toLocaleString()} px`}
              onClick={() => session.select(position)}
            >
              <span>#{position + 1}</span>
              {s.mode === 'detections' ? (
                <span data-testid="ai-candidate-detection">
                  {c.note} {c.score !== null ? c.score.toFixed(2) : ''}
                  {c.labels[0] ? ` → ${c.labels[0].name}` : ' → no label'}
                </span>
              ) : s.mode === 'regions' ? (
                <span data-testid="ai-candidate-region" data-region={s.regions[position] ?? ''}>
                  {s.regions[position] === undefined ? (
                    `Mask ${position + 1}`
                  ) : (
                    <>
                      <span className="swatch" style={{ background: regionColour(s.regions[position]) }} />
                      Region {s.regions[position] + 1}
                    </>
                  )}
                </span>
              ) : (
                <>
                  {c.note && <span data-testid="ai-candidate-note">{c.note}</span>}
                  {scoreText(candidates, c) && <span>{scoreText(candidates, c)}</span>}
                </>
              )}
              {c.labels[0] && s.mode !== 'detections' && <span className="muted">{c.labels[0].name}</span>}
            </li>
          ))}
        </ol>
      )}
      {candidates?.selectionRule && (
        <p className="ai-selection-rule" data-testid="ai-selection-rule">
          Preselected: {candidates.selectionRule}
        </p>
      )}
      {candidates && isDemoModel(s.model) && (
        <p className="ai-demo-limits" data-testid="ai-demo-limits" role="note">
          Demo model: trained on synthetic shapes only. On real photographs its masks are rough, its scores overconfident and its label
          guesses unreliable; add a SAM-family model for real work.
        </p>
      )}
    </div>
  );
}
