// The inference engine as the CLI uses it: the app's model folders (built-in
// and the user's), settings given on the command line and never persisted.
import { join } from 'node:path';

import { AppError, type EngineSettings, type ModelInfo } from '../../common/contract/index.js';
import { BUILTIN_MODELS_DIR } from '../../core/host/createHost.js';
import { defaultUserDataDir } from '../../core/host/userDataDir.js';
import { InferenceEngine } from '../../engine/engine.js';
import type { ModelRoots } from '../../engine/registry.js';

export function cliModelRoots(): ModelRoots {
  return { builtin: BUILTIN_MODELS_DIR, user: join(defaultUserDataDir(), 'models') };
}

/** One-shot work: nothing is prefetched, settings live only for this run. */
export function createCliEngine(settings: Partial<EngineSettings>): InferenceEngine {
  return new InferenceEngine({ roots: cliModelRoots(), settingsPath: null, settings: { prefetchCount: 0, ...settings } });
}

/** The model the engine would load for this id, or the error the app shows for it. */
export async function usableModel(engine: InferenceEngine, modelId: string): Promise<ModelInfo> {
  const models = await engine.models();
  const model = models.find((m) => m.id === modelId);
  if (!model)
    throw new AppError(
      'not_found',
      `Unknown model "${modelId}". Installed: ${models.map((m) => m.id).join(', ') || 'none'} (see \`promptlabel models\`).`,
    );
  if (model.problem) throw new AppError('invalid_file', `Model ${modelId} cannot be used: ${model.problem}`);
  return model;
}
