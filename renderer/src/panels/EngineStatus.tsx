// One line on what the inference engine is doing: the onnxruntime execution
// provider that actually runs, the worker's state, the image being encoded,
// the cache, and why the execution provider differs from the one asked for.
// The execution provider is chosen here.
import { useShallow } from 'zustand/react/shallow';

import type { ExecutionProviderChoice, ImageRecord } from '../../../common/contract/index.js';
import { useAppStore } from '../store/appStore.js';

const EXECUTION_PROVIDER_NAMES: Record<ExecutionProviderChoice, string> = {
  auto: 'Auto',
  cpu: 'CPU',
  webgpu: 'WebGPU',
  cuda: 'CUDA',
  dml: 'DirectML',
  coreml: 'Core ML',
};

const megabytes = (bytes: number) => `${Math.round(bytes / 1_048_576)} MB`;

function imageName(pages: Record<number, ImageRecord[]>, imageId: number): string {
  for (const page of Object.values(pages)) {
    const image = page.find((i) => i.id === imageId);
    if (image) return image.relPath.slice(image.relPath.lastIndexOf('/') + 1);
  }
  return `image ${imageId}`;
}

export function EngineStatus() {
  const { status, problem, pages, chooseExecutionProvider, configureAi } = useAppStore(
    useShallow((s) => ({
      status: s.aiStatus,
      problem: s.aiProblem,
      pages: s.imagePages,
      chooseExecutionProvider: s.chooseExecutionProvider,
      configureAi: s.configureAi,
    })),
  );
  if (!status) {
    return (
      <div className="engine-status" data-testid="engine-status" data-worker="unavailable">
        {problem ? `AI engine unavailable: ${problem}` : 'Connecting to the AI engine…'}
      </div>
    );
  }
  const encoding = status.encoding;
  return (
    <div
      className="engine-status"
      data-testid="engine-status"
      data-worker={status.worker}
      data-execution-provider={status.activeProvider ?? ''}
    >
      <div className="engine-line">
        <span className={`engine-dot worker-${status.worker}`} title={`Worker ${status.worker}`} />
        <span title="The execution provider the model actually runs on">{status.activeProvider ?? 'no model loaded'}</span>
        <span className="muted">· worker {status.worker}</span>
        <label className="engine-execution-provider" title="Execution provider (only those this platform offers)">
          <select
            data-testid="ai-provider"
            value={status.settings.executionProvider}
            onChange={(e) => {
              void chooseExecutionProvider(e.target.value as ExecutionProviderChoice);
              e.currentTarget.blur(); // hand the keyboard back to the shortcuts
            }}
          >
            {status.availableProviders.map((executionProvider) => (
              <option key={executionProvider} value={executionProvider}>
                {EXECUTION_PROVIDER_NAMES[executionProvider]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="engine-line muted" data-testid="engine-encoding">
        {encoding
          ? `Encoding ${imageName(pages, encoding.imageId)}${encoding.priority === 'prefetch' ? ' (prefetch)' : ''}…`
          : `${status.cache.entries} images cached · ${megabytes(status.cache.bytes)} of ${megabytes(status.cache.limitBytes)}`}
      </div>
      <details className="engine-settings">
        <summary>Engine settings</summary>
        <label title="Image features kept in memory; older ones are dropped first (the project's disk cache keeps them all)">
          Feature cache (MB)
          <input
            data-testid="ai-cache-limit"
            type="number"
            min={16}
            max={65536}
            step={16}
            defaultValue={status.settings.cacheLimitMB}
            onBlur={(e) => {
              const value = Math.round(Number(e.currentTarget.value));
              if (value !== status.settings.cacheLimitMB && value >= 16) void configureAi({ cacheLimitMB: value });
            }}
          />
        </label>
        <label title="How many of the next images are encoded ahead while you work">
          Prefetch next images
          <input
            data-testid="ai-prefetch-count"
            type="number"
            min={0}
            max={16}
            defaultValue={status.settings.prefetchCount}
            onBlur={(e) => {
              const value = Math.round(Number(e.currentTarget.value));
              if (value !== status.settings.prefetchCount && value >= 0 && value <= 16) void configureAi({ prefetchCount: value });
            }}
          />
        </label>
      </details>
      {(status.note || problem) && (
        <div className="engine-note" data-testid="engine-note">
          {status.note ?? problem}
        </div>
      )}
    </div>
  );
}
