// The AI panel's part for a detector (a model whose capabilities say it
// proposes and takes no clicks, e.g. YOLO): why prompts are greyed out,
// "Detect objects" (the ai.detect action, key O), the SAM-family models its
// boxes can be turned into masks by, and, once detections are shown, which
// class names land on no project label, with the mapping dialog.
import { useShallow } from 'zustand/react/shallow';

import type { ModelInfo } from '../../../common/contract/index.js';
import { actionNamed, keyOf } from '../actions/actionList.js';
import { chainableModels } from '../ai/detections.js';
import { useAppStore } from '../store/appStore.js';
import { LabelMapDialog } from './LabelMapDialog.js';

export function DetectorControls({ model }: { model: ModelInfo }) {
  const s = useAppStore(
    useShallow((state) => ({
      models: state.aiModels,
      chain: state.detectChainModelId,
      setChain: state.setDetectChain,
      detecting: state.ai.state === 'detecting',
      detections: state.ai.detections,
      hasImage: state.currentImage !== null,
      mapOpen: state.labelMapOpen,
      setMapOpen: state.setLabelMapOpen,
      cancelAi: state.cancelAi,
    })),
  );
  const chainable = chainableModels(s.models);
  const chain = chainable.some((m) => m.id === s.chain) ? s.chain : null;
  const unmapped = s.detections?.unmappedClasses ?? [];
  return (
    <div className="ai-detector" data-testid="ai-detector">
      {model.capabilities.promptNote && <p className="ai-detector-note">{model.capabilities.promptNote}</p>}
      <div className="ai-actions">
        <button
          type="button"
          className="primary"
          data-testid="ai-detect"
          disabled={!s.hasImage || s.detecting}
          title={`Detect objects on the whole image (${keyOf('ai.detect')})`}
          onClick={() => actionNamed('ai.detect').perform(useAppStore.getState(), null)}
        >
          Detect objects
        </button>
        {s.detecting && <progress className="ai-progress" data-testid="ai-detect-progress" aria-label="Detecting" />}
        {s.detecting && (
          <button type="button" data-testid="ai-detect-cancel" onClick={s.cancelAi}>
            Cancel
          </button>
        )}
      </div>
      {chainable.length > 0 ? (
        <fieldset className="ai-chain" data-testid="ai-chain">
          <legend className="muted">Turn boxes into masks with</legend>
          {chainable.map((m) => (
            <label key={m.id} className="ai-toggle">
              <input
                type="checkbox"
                data-testid="ai-chain-model"
                data-model-id={m.id}
                checked={chain === m.id}
                onChange={(e) => {
                  s.setChain(e.target.checked ? m.id : null);
                  e.currentTarget.blur();
                }}
              />
              {m.displayName}
            </label>
          ))}
        </fieldset>
      ) : (
        <p className="muted">Install a SAM-family model to turn boxes into masks.</p>
      )}
      {s.detections && (
        <p className="ai-unmapped" data-testid="ai-unmapped" data-count={unmapped.length}>
          {unmapped.length > 0 ? `No project label for: ${unmapped.join(', ')}. ` : 'Every class found has a label. '}
          <button type="button" className="link-button" data-testid="ai-map-classes" onClick={() => s.setMapOpen(true)}>
            Map class names…
          </button>
        </p>
      )}
      {s.mapOpen && s.detections && <LabelMapDialog detections={s.detections} />}
    </div>
  );
}
