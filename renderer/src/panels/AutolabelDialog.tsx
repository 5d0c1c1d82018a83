// Starting an auto-label job: the source (each greyed out with the reason
// where the current model or the installed models cannot serve it), the
// labels (all, or a chosen subset), the detector and the SAM-family model
// that may turn its boxes into masks, and the lowest score to keep; below,
// every job of the project with its progress and controls.
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';

import { AUTOLABEL_SOURCES, type AutolabelParamsInput, type AutolabelSource } from '../../../common/contract/index.js';
import { chainableModels } from '../ai/detections.js';
import { currentModel } from '../store/aiEngineSlice.js';
import { useAppStore } from '../store/appStore.js';
import { SOURCE_NAMES } from './autolabelText.js';
import { JobProgress } from './JobProgress.js';
import { ModalDialog } from './ModalDialog.js';

export function AutolabelDialog() {
  const s = useAppStore(
    useShallow((state) => ({
      sources: state.autolabelSources,
      jobs: state.autolabelJobs,
      labels: state.labels,
      models: state.aiModels,
      model: currentModel(state),
      setOpen: state.setAutolabelDialogOpen,
      start: state.startAutolabel,
    })),
  );
  const close = () => s.setOpen(false);
  const available = (source: AutolabelSource) => s.sources?.find((info) => info.source === source)?.available === true;
  const [picked, setPicked] = useState<AutolabelSource | null>(null);
  const source = picked ?? AUTOLABEL_SOURCES.find(available) ?? 'names';
  const [allLabels, setAllLabels] = useState(true);
  const [chosen, setChosen] = useState<string[]>([]);
  const detectors = s.models.filter((m) => m.kind === 'detector' && m.problem === null);
  const [detectorId, setDetectorId] = useState<string | null>(null);
  const detector = detectors.find((m) => m.id === detectorId) ?? detectors[0];
  const chainable = chainableModels(s.models);
  const [chainId, setChainId] = useState<string>('');
  const [minScore, setMinScore] = useState(0.5);
  const [starting, setStarting] = useState(false);

  const usesLabels = source === 'names' || source === 'examples';
  const labelIds = usesLabels && !allLabels ? chosen.filter((id) => s.labels.some((l) => l.id === id)) : null;
  const problem = !s.sources
    ? 'Reading what the models can do…'
    : !available(source)
      ? (s.sources.find((info) => info.source === source)?.reason ?? 'Not available.')
      : labelIds !== null && labelIds.length === 0
        ? 'Choose at least one label, or all.'
        : source === 'names' && s.labels.length === 0
          ? 'Add labels first: a by-name job looks for them by name.'
          : null;

  const start = async () => {
    const params: AutolabelParamsInput = {
      source,
      minScore,
      ...(labelIds ? { labelIds } : {}),
      ...(source === 'detector' && detector ? { modelId: detector.id } : {}),
      ...(source === 'detector' && chainId && chainable.some((m) => m.id === chainId) ? { chainModelId: chainId } : {}),
    };
    setStarting(true);
    const job = await s.start(params);
    setStarting(false);
    if (job) close();
  };

  return (
    <ModalDialog className="dialog autolabel-dialog" testId="autolabel-dialog" title="Auto-label the folder" onClose={close}>
      <fieldset className="autolabel-sources">
        <legend>Proposals from</legend>
        {AUTOLABEL_SOURCES.map((option) => {
          const info = s.sources?.find((i) => i.source === option);
          return (
            <label
              key={option}
              className={`autolabel-source${info && !info.available ? ' is-disabled' : ''}`}
              data-testid="autolabel-source"
              data-source={option}
              data-available={info?.available ? '1' : '0'}
              title={info?.reason ?? SOURCE_NAMES[option].how}
            >
              <input
                type="radio"
                name="autolabel-source"
                value={option}
                checked={source === option}
                disabled={!info?.available}
                onChange={() => setPicked(option)}
              />
              <span>
                <strong>{SOURCE_NAMES[option].name}</strong>
                <span className="muted"> — {info?.reason ?? SOURCE_NAMES[option].how}</span>
              </span>
            </label>
          );
        })}
        {s.model && source !== 'detector' && <p className="muted">Runs on the project's model: {s.model.displayName}.</p>}
      </fieldset>

      {usesLabels && (
        <fieldset className="autolabel-labels">
          <legend>Labels</legend>
          <label className="ai-toggle">
            <input
              type="checkbox"
              data-testid="autolabel-all-labels"
              checked={allLabels}
              onChange={(e) => setAllLabels(e.target.checked)}
            />
            {source === 'examples' ? 'Every label that has examples' : 'Every label of the project'}
          </label>
          {!allLabels && (
            <div className="autolabel-label-list">
              {s.labels.map((l) => (
                <label key={l.id} className="ai-toggle" data-testid="autolabel-label" data-label-name={l.name}>
                  <input
                    type="checkbox"
                    checked={chosen.includes(l.id)}
                    onChange={(e) => setChosen(e.target.checked ? [...chosen, l.id] : chosen.filter((id) => id !== l.id))}
                  />
                  <span className="swatch" style={{ background: l.colour }} />
                  {l.name}
                  {l.stuff && <span className="muted"> (stuff)</span>}
                </label>
              ))}
            </div>
          )}
        </fieldset>
      )}

      {source === 'detector' && (
        <fieldset className="autolabel-detector">
          <legend>Detector</legend>
          <select data-testid="autolabel-detector" value={detector?.id ?? ''} onChange={(e) => setDetectorId(e.target.value)}>
            {detectors.length === 0 && <option value="">No detector installed</option>}
            {detectors.map((m) => (
              <option key={m.id} value={m.id}>
                {m.displayName}
              </option>
            ))}
          </select>
          <label>
            Boxes into masks with{' '}
            <select data-testid="autolabel-chain" value={chainId} onChange={(e) => setChainId(e.target.value)}>
              <option value="">(keep boxes)</option>
              {chainable.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.displayName}
                </option>
              ))}
            </select>
          </label>
          {chainable.length === 0 && <p className="muted">Install a SAM-family model to turn boxes into masks.</p>}
        </fieldset>
      )}

      {source !== 'features' && (
        <label className="slider autolabel-min-score" title="Proposals scoring below this are not kept">
          Keep scores from
          <input
            type="range"
            data-testid="autolabel-min-score"
            min={0}
            max={1}
            step={0.05}
            value={minScore}
            onChange={(e) => setMinScore(Number(e.target.value))}
          />
          <output>{minScore.toFixed(2)}</output>
        </label>
      )}

      <div className="popover-actions">
        {problem && (
          <span className="muted" data-testid="autolabel-problem">
            {problem}
          </span>
        )}
        <button
          type="button"
          className="primary"
          data-testid="autolabel-start"
          disabled={problem !== null || starting}
          onClick={() => void start()}
        >
          Start
        </button>
      </div>

      {s.jobs.length > 0 && (
        <section className="autolabel-jobs" data-testid="autolabel-jobs">
          <h3>Jobs</h3>
          {s.jobs.map((job) => (
            <JobProgress key={job.id} job={job} />
          ))}
        </section>
      )}
    </ModalDialog>
  );
}
