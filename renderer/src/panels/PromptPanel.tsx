// Right panel, top, while the AI tool is active: model (with what to know
// about it) and engine, the prompt kinds the model takes, the magic wand and
// its tolerance, the scribble regions, the text prompt, the reference region
// and segment everything; for a detector, "Detect objects" and the
// class-name mapping (DetectorControls.tsx). Whatever the current provider
// cannot take is disabled, and its tooltip says why. The candidates, their
// label guesses and accept / discard sit in the side column's pinned area
// (CandidateBlock.tsx), always in view.
import '../styles/ai.css';

import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';

import type { ModelInfo } from '../../../common/contract/index.js';
import { type ActionName, actionNamed, keyOf } from '../actions/actionList.js';
import {
  type CapabilityKind,
  capabilityProblem,
  everythingActionName,
  MAX_WAND_TOLERANCE,
  type PromptKind,
  REGION_COUNT,
  wandActive,
} from '../ai/aiPrompts.js';
import { isDetector } from '../ai/detections.js';
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
  if (!s.active) return null;
  const modelName = s.model?.displayName ?? 'The model';
  const problemOf = (kind: CapabilityKind) => (s.model ? capabilityProblem(kind, s.model.capabilities, modelName) : null);
  const everythingName = everythingActionName(s.model?.kind);
  const everythingProblem = problemOf('everything');
  const candidates = s.candidates;
  const selected = candidates?.candidates[s.selected];
  const chosenLabel = s.labels.find((l) => l.id === s.labelId);
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
