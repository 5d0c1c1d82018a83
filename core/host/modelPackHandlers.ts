// The models.* channels: the opt-in packs a user can download, their
// download (progress events, cancel) and nothing half-installed on failure.
import { AppError, type ModelPackId } from '../../common/contract/index.js';
import type { InferenceEngine } from '../../engine/engine.js';
import { fetchForegroundModel, listForegroundPacks, overallFetchProgress } from '../../engine/modelPacks/foregroundPack.js';
import type { Handlers } from './handlerTypes.js';
import { progressReporter } from './progress.js';
import type { AppSession } from './session.js';

type ModelsChannel = 'models.packs' | 'models.fetch' | 'models.cancelFetch';

export function createModelPackHandlers(
  session: AppSession,
  engine: () => InferenceEngine,
  userModelsDir: string,
): Pick<Handlers, ModelsChannel> {
  const running = new Map<ModelPackId, AbortController>();
  return {
    'models.packs': () => listForegroundPacks(userModelsDir),
    'models.fetch': async ({ pack, force }) => {
      if (running.has(pack)) throw new AppError('conflict', `${pack} is already being downloaded.`);
      const controller = new AbortController();
      running.set(pack, controller);
      const progress = progressReporter(session, `Downloading ${pack}`);
      try {
        const installed = await fetchForegroundModel(pack, {
          userModelsDir,
          force,
          // Every chunk is already checked by sha256, and the worker checks the graph when the model is loaded.
          checkGraph: false,
          signal: controller.signal,
          onProgress: (p) => {
            const overall = overallFetchProgress(p);
            progress.update(overall.done, overall.total);
          },
        });
        const model = (await engine().models()).find((m) => m.id === installed.manifest.id);
        if (!model) throw new AppError('internal', `${pack} was installed in ${installed.dir} but the model registry does not list it.`);
        return model;
      } finally {
        running.delete(pack);
        progress.finish();
      }
    },
    'models.cancelFetch': ({ pack }) => {
      const controller = running.get(pack);
      controller?.abort();
      return { cancelled: controller !== undefined };
    },
  };
}
