// Right panel, top, while the AI tool is active: model (with what to know
// about it) and engine, the prompt kinds the model takes, the magic wand and
// its tolerance, the scribble regions, the text prompt, the reference region,
// the candidates with their predicted IoU, the label guesses, and
// accept / discard / clear / segment everything; for a detector, "Detect
// objects" and the class-name mapping (DetectorControls.tsx). Whatever the
// current provider cannot take is disabled, and its tooltip says why. The
// panel says which rule preselected the candidate, keeps a label guess that
// does not stand out from being chosen, and states the demo model's limits
// where its candidates are.
import '../styles/ai.css';

import { useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';

import type { Label, LabelGuess, ModelInfo } from '../../../common/contract/index.js';
import { type ActionName, actionNamed, keyOf } from '../actions/actionList.js';
import {
  candidateInfo,
  type CapabilityKind,
  capabilityProblem,
  everythingActionName,
  hasPrompts,
  MAX_WAND_TOLERANCE,
  type PromptKind,
  REGION_COUNT,
  scoreText,
  wandActive,
} from '../ai/aiPrompts.js';
import { isDemoModel, isDetector } from '../ai/detections.js';
import { regionColour } from '../lib/regionColour.js';
import { currentModel } from '../store/aiEngineSlice.js';
import { useAppStore } from '../store/appStore.js';
import { DetectorControls } from './DetectorControls.js';
import { EngineStatus } from './EngineStatus.js';
import { ModelManagerDialog } from './ModelManagerDialog.js';
import { ReferenceDialog } from './ReferenceDialog.js';

const PROMPT_KINDS: { kind: PromptKind; name: string; how: string }[] = [
  { kind: 'points', name: 'Click', how: 'Click: object · Alt/right-click: not object' },
  { kind: 'box', name: 'Box', how: 'Drag a box around the object' },
  { kind: 'scribble', name: 'Scribble', how: 'Shift+drag: scribble on it · Shift+Alt+drag or right-drag: scribble outside' },
  { kind: 'text', name: 'Text', how: 'Describe the object below' },
  { kind: 'reference', name: 'Reference', how: 'Mark a region of another image' },
];

/** A button that runs an action does what its key does. */
const perform = (name: ActionName) => actionNamed(name).perform(useAppStore.getState(), null);

const blurFocusedButton = () => {
  if (document.activeElement instanceof HTMLButtonElement) document.activeElement.blur();
};

function ModelPicker({ models, model }: { models: readonly ModelInfo[]; model: ModelInfo | undefined }) {
  const chooseAiModel = useAppStore((s) => s.chooseAiModel);
  return (
    <>
      <select
        data-testid="ai-model"
        className="ai-model"
        value={model?.id ?? ''}
        title={model ? `${model.displayName} (${model.license})` : 'No model'}
        onChange={(e) => {
          void chooseAiModel(e.target.value);
          e.currentTarget.blur();
        }}
      >
        {!model && <option value="">No model</option>}
        {models.map((m) => (
          <option key={m.id} value={m.id} disabled={m.problem !== null} title={m.problem ?? `${m.source} model, ${m.license}`}>
            {m.problem ? `${m.displayName} — unavailable: ${m.problem}` : m.displayName}
          </option>
        ))}
      </select>
    </>
  );
}

/** The engine remembers the model per project folder; the panel says when the one shown is that choice. */
function RememberedModel({ model }: { model: ModelInfo | undefined }) {
  const remembered = useAppStore((s) => (s.project ? s.aiStatus?.settings.projectModels?.[s.project.dir] : undefined));
  if (!model) return null;
  return (
    <p className="muted ai-model-remembered" data-testid="ai-model-remembered" data-remembered={remembered === model.id ? '1' : '0'}>
      {remembered === model.id
        ? 'Remembered for this project.'
        : 'This project has no model of its own yet; choosing one remembers it here.'}
    </p>
  );
}

/** What to know about the chosen model or provider (synthetic training, licence...), and where to get more. */
function ModelNote({ model }: { model: ModelInfo | undefined }) {
  const { managerOpen, setModelManagerOpen } = useAppStore(
    useShallow((s) => ({ managerOpen: s.modelManagerOpen, setModelManagerOpen: s.setModelManagerOpen })),
  );
  return (
    <>
      {model?.note && (
        <p className="ai-model-note muted" data-testid="ai-model-note">
          {model.note}
        </p>
      )}
      <button
        type="button"
        className="link-button"
        data-testid="ai-get-models"
        title="Add your own models (SAM, MobileSAM, SAM 2, YOLO), download by URL, or get the optional packs"
        onClick={() => setModelManagerOpen(true)}
      >
        Models…
      </button>
      {managerOpen && <ModelManagerDialog />}
    </>
  );
}

function WandControls({ problem }: { problem: string | null }) {
  const { on, active, tolerance, session } = useAppStore(
    useShallow((s) => ({
      on: s.ai.settings.wandMode,
      active: wandActive(s.ai.settings.wandMode, currentModel(s)),
      tolerance: s.ai.settings.wandTolerance,
      session: s.aiSession,
    })),
  );
  return (
    <div className="ai-wand" data-testid="ai-wand" data-active={active ? '1' : '0'}>
      <label
        className="ai-toggle"
        title={problem ?? `Clicks flood similar colours (inside the box, if one is drawn); Alt+click cuts a fill out (${keyOf('ai.wand')})`}
      >
        <input
          type="checkbox"
          data-testid="ai-wand-mode"
          checked={on && problem === null}
          disabled={problem !== null}
          onChange={(e) => {
            session.setWandMode(e.target.checked);
            e.currentTarget.blur();
          }}
        />
        Magic wand
      </label>
      {active && (
        <label
          className="ai-tolerance"
          title="How far a colour may be from the clicked one (per channel, of 255); moving it redoes the fill"
        >
          Tolerance
          <input
            type="range"
            data-testid="ai-wand-tolerance"
            min={0}
            max={MAX_WAND_TOLERANCE}
            step={1}
            value={tolerance}
            onChange={(e) => session.setWandTolerance(Number(e.target.value))}
            // Hand the keyboard back to the canvas keys (Enter accepts) once the slider is let go, or on Esc.
            onPointerUp={(e) => e.currentTarget.blur()}
            onKeyDown={(e) => {
              if (e.key === 'Escape') e.currentTarget.blur();
            }}
          />
          <output data-testid="ai-wand-tolerance-value">{tolerance}</output>
        </label>
      )}
    </div>
  );
}

function RegionPicker({ problem }: { problem: string | null }) {
  const { region, session } = useAppStore(useShallow((s) => ({ region: s.ai.settings.region, session: s.aiSession })));
  return (
    <div className="ai-regions" title={problem ?? `Scribbles go to this region; each region becomes one mask (${keyOf('ai.region')})`}>
      <span className="muted">Scribble region</span>
      <div
        className="tool-group"
        role="radiogroup"
        aria-label="Scribble region"
        data-testid="ai-regions"
        data-available={problem ? '0' : '1'}
      >
        {Array.from({ length: REGION_COUNT }, (_, index) => (
          <button
            key={index}
            type="button"
            role="radio"
            aria-checked={problem === null && region === index}
            data-testid="ai-region"
            data-region={index}
            className={problem === null && region === index ? 'is-active' : ''}
            disabled={problem !== null}
            title={problem ?? `Region ${index + 1} (Shift+${index + 1})`}
            onClick={() => session.setRegion(index)}
          >
            <span className="swatch" style={{ background: regionColour(index) }} />
            {index + 1}
          </button>
        ))}
      </div>
    </div>
  );
}

function TextPrompt({ problem }: { problem: string | null }) {
  const { text, session } = useAppStore(useShallow((s) => ({ text: s.ai.prompts.text, session: s.aiSession })));
  const [draft, setDraft] = useState(text ?? '');
  // Discard / accept clear the prompt under the field.
  useEffect(() => setDraft(text ?? ''), [text]);
  return (
    <form
      className="ai-text"
      title={problem ?? 'Enter runs the text prompt'}
      onSubmit={(e) => {
        e.preventDefault();
        session.setText(draft);
      }}
    >
      <input
        data-testid="ai-text"
        placeholder="Describe it: red circle"
        value={draft}
        disabled={problem !== null}
        maxLength={500}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') e.currentTarget.blur();
        }}
      />
      <button type="submit" data-testid="ai-text-run" disabled={problem !== null || draft.trim() === ''}>
        Find
      </button>
      {text !== null && (
        <button
          type="button"
          className="icon-button"
          data-testid="ai-text-clear"
          title="Remove the text prompt"
          onClick={() => session.setText(null)}
        >
          ✕
        </button>
      )}
    </form>
  );
}

function ReferencePrompt({ problem }: { problem: string | null }) {
  const { reference, setReferenceOpen, session } = useAppStore(
    useShallow((s) => ({ reference: s.ai.prompts.reference, setReferenceOpen: s.setReferenceOpen, session: s.aiSession })),
  );
  return (
    <div className="ai-reference">
      <button
        type="button"
        data-testid="ai-reference-open"
        disabled={problem !== null}
        title={problem ?? 'Mark a region of another image: find the same kind of object here'}
        onClick={() => setReferenceOpen(true)}
      >
        Reference region…
      </button>
      {reference && (
        <span className="ai-reference-current" data-testid="ai-reference-current" data-image-id={reference.imageId}>
          {reference.box ? 'box' : 'scribble'} on image {reference.imageId}
          <button
            type="button"
            className="icon-button"
            data-testid="ai-reference-clear"
            title="Remove the reference region"
            onClick={() => session.setReference(null)}
          >
            ✕
          </button>
        </span>
      )}
    </div>
  );
}

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

export function PromptPanel() {
  const s = useAppStore(
    useShallow((state) => ({
      active: state.activeTool === 'ai',
      models: state.aiModels,
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
      scribbleMode: state.ai.settings.scribbleMode,
      referenceOpen: state.aiReferenceOpen,
      hasImage: state.currentImage !== null,
    })),
  );
  const { session, cancelAi } = useAppStore(useShallow((state) => ({ session: state.aiSession, cancelAi: state.cancelAi })));
  // New candidates scroll the panel down to their Accept row (the list and the rule just above): on a 720 px screen the controls above fill it.
  const candidateBlock = useRef<HTMLDivElement>(null);
  // Again when another candidate is selected or the set is relabelled (the label chips above change height).
  const { candidates: shownSet, selected: shownPosition, labelId: shownLabel } = s;
  useEffect(() => {
    if (shownSet) candidateBlock.current?.scrollIntoView({ block: 'nearest' });
  }, [shownSet, shownPosition, shownLabel]);
  if (!s.active) return null;
  const modelName = s.model?.displayName ?? 'The model';
  const problemOf = (kind: CapabilityKind) => (s.model ? capabilityProblem(kind, s.model.capabilities, modelName) : null);
  const everythingName = everythingActionName(s.model?.kind);
  const everythingProblem = problemOf('everything');
  const candidates = s.candidates;
  const selected = candidates?.candidates[s.selected];
  const chosenLabel = s.labels.find((l) => l.id === s.labelId);
  const canvasPrompts = s.prompts.clicks.length > 0 || s.prompts.box !== null || s.prompts.scribbles.length > 0;
  return (
    <section
      className="panel-section prompt-panel"
      data-testid="prompt-panel"
      data-candidate-set-id={candidates?.id ?? ''}
      data-candidate-index={selected ? selected.index : ''}
      data-candidate-count={candidates?.candidates.length ?? 0}
      data-candidate-label={chosenLabel?.name ?? ''}
      data-candidate-label-id={s.labelId ?? ''}
      data-candidate-mode={s.mode}
      data-pending={s.pending || s.everythingRunning || s.accepting ? '1' : '0'}
      onMouseUp={blurFocusedButton}
    >
      <h2>
        AI segmentation
        <ModelPicker models={s.models} model={s.model} />
      </h2>
      <RememberedModel model={s.model} />
      <ModelNote model={s.model} />
      {s.model && isDetector(s.model) && <DetectorControls model={s.model} />}
      <EngineStatus />

      <ul className="ai-kinds" aria-label="Prompt kinds">
        {PROMPT_KINDS.map(({ kind, name, how }) => {
          const problem = problemOf(kind);
          return (
            <li
              key={kind}
              className={problem ? 'is-disabled' : ''}
              data-testid="ai-kind"
              data-kind={kind}
              data-available={problem ? '0' : '1'}
              title={problem ?? how}
            >
              {name}
            </li>
          );
        })}
      </ul>
      <label className="ai-toggle" title={problemOf('scribble') ?? 'Drags draw scribbles instead of boxes'}>
        <input
          type="checkbox"
          data-testid="ai-scribble-mode"
          checked={s.scribbleMode}
          disabled={problemOf('scribble') !== null}
          onChange={(e) => {
            session.setScribbleMode(e.target.checked);
            e.currentTarget.blur();
          }}
        />
        Drag to scribble
      </label>
      <WandControls problem={problemOf('wand')} />
      <RegionPicker problem={problemOf('regions')} />
      <TextPrompt problem={problemOf('text')} />
      <ReferencePrompt problem={problemOf('reference')} />

      <div className="ai-candidate-block">
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
        {selected && (
          <LabelChoice
            guesses={selected.labels}
            labels={s.labels}
            labelId={s.labelId}
            knowsLabels={s.model?.capabilities.labels ?? true}
            confident={selected.labelConfident}
          />
        )}

        <div className="ai-actions" ref={candidateBlock}>
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
      </div>
      <div className="ai-actions">
        <button
          type="button"
          data-testid="ai-everything"
          data-available={everythingProblem ? '0' : '1'}
          disabled={!s.hasImage || s.everythingRunning || everythingProblem !== null}
          title={
            everythingProblem ??
            `${s.model?.kind === 'foreground' ? 'Mask the foreground of the whole image' : 'Propose masks for the whole image'} (${keyOf('ai.everything')})`
          }
          onClick={() => perform('ai.everything')}
        >
          {everythingName}
        </button>
        {s.everythingRunning && <progress className="ai-progress" data-testid="ai-everything-progress" aria-label={everythingName} />}
        {s.everythingRunning && (
          <button type="button" data-testid="ai-everything-cancel" title="Stop segmenting the whole image" onClick={cancelAi}>
            Cancel
          </button>
        )}
      </div>
      {s.referenceOpen && <ReferenceDialog />}
    </section>
  );
}
