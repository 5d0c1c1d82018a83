// The models.* channels for the user's own models: add from files, a folder
// or an X-AnyLabeling YAML; download by URL; cancel; remove; the suggested
// links; read a YAML before importing. The work is the engine's
// (engine/recognition/, engine/modelPacks/urlDownload.ts); here it gets
// progress events, one cancel, the desktop app's path grants, and answers
// with the model as ai.models lists it.
import { type AddedModel, AppError, type ModelInfo } from '../../common/contract/index.js';
import type { InferenceEngine } from '../../engine/engine.js';
import { MODEL_LINKS } from '../../engine/modelPacks/modelLinks.js';
import {
  type AddedModel as EngineAddedModel,
  addModelFromFiles,
  addModelFromUrls,
  type AddOptions,
  type AddProgress,
  importXAnyLabelingYaml,
  isYamlPath,
  planXAnyLabelingImport,
} from '../../engine/recognition/addModel.js';
import { removeUserModel } from '../../engine/recognition/removeModel.js';
import type { Handlers } from './handlerTypes.js';
import type { PathGrants } from './pathGrants.js';
import type { AppSession } from './session.js';

type UserModelChannel = 'models.add' | 'models.fetchUrl' | 'models.cancelAdd' | 'models.remove' | 'models.links' | 'models.planImport';

const PHASE_TITLE: Record<AddProgress['phase'], string> = {
  download: 'Downloading the model',
  recognise: 'Recognising the model',
  copy: 'Copying the model files',
  check: 'Checking the model in onnxruntime',
  install: 'Installing the model',
};

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

/** Progress events for one add: one task per phase, so each bar has its own stable total. */
function addProgress(session: AppSession): { report: (p: AddProgress) => void; finish: () => void } {
  let taskId: string | null = null;
  let key = '';
  let title = '';
  const finish = (): void => {
    if (taskId) session.events.emit('progress', { taskId, title, done: 1, total: 1, finished: true });
    taskId = null;
  };
  return {
    finish,
    report: (p) => {
      const next = p.phase === 'download' ? `download:${p.file}` : p.phase;
      if (next !== key) {
        finish();
        key = next;
        taskId = globalThis.crypto.randomUUID();
        title = p.phase === 'download' && p.files > 1 ? `${PHASE_TITLE.download} (file ${p.file} of ${p.files})` : PHASE_TITLE[p.phase];
      }
      if (p.phase === 'download') {
        const detail = `${mb(p.done)}${p.total !== null ? ` of ${mb(p.total)}` : ''}${p.resumedFrom > 0 ? `, resumed at ${mb(p.resumedFrom)}` : ''}`;
        session.events.emit('progress', {
          taskId: taskId!,
          title,
          done: p.done,
          total: p.total ?? 0,
          finished: false,
          bytesPerSecond: p.bytesPerSecond,
          etaSeconds: p.etaSeconds,
          detail,
        });
      } else {
        session.events.emit('progress', { taskId: taskId!, title, done: p.done, total: p.total, finished: false });
      }
    },
  };
}

export function createUserModelHandlers(
  session: AppSession,
  engine: () => InferenceEngine,
  userModelsDir: string,
  builtinModelsDir: string | null,
  grants: PathGrants | null,
): Pick<Handlers, UserModelChannel> {
  let running: AbortController | null = null;

  const answer = async (added: EngineAddedModel, started: number): Promise<AddedModel> => {
    const model: ModelInfo | undefined = (await engine().models()).find((m) => m.id === added.id);
    if (!model) throw new AppError('internal', `${added.id} was installed in ${added.dir} but the model registry does not list it.`);
    return {
      model,
      recognisedAs: added.model.description,
      files: Object.values(added.files),
      downloads: added.downloads.map((d) => ({ url: d.url, sha256: d.sha256, bytes: d.bytes, resumed: d.resumed })),
      warnings: added.warnings,
      totalMs: Date.now() - started,
    };
  };

  /** One add at a time: they copy or download hundreds of MB, and one cancel stops it. */
  const exclusive = async (
    work: (options: Pick<AddOptions, 'signal' | 'onProgress'>) => Promise<EngineAddedModel>,
  ): Promise<AddedModel> => {
    if (running) throw new AppError('conflict', 'A model is already being added; wait for it or cancel it first.');
    const controller = new AbortController();
    running = controller;
    const progress = addProgress(session);
    const started = Date.now();
    try {
      return await answer(await work({ signal: controller.signal, onProgress: progress.report }), started);
    } finally {
      running = null;
      progress.finish();
    }
  };

  const base = { userModelsDir, builtinDir: builtinModelsDir };
  return {
    'models.add': ({ paths, namesFile, id, displayName, force, allowDownload }) => {
      for (const path of [...paths, ...(namesFile ? [namesFile] : [])]) grants?.require('modelFiles', path);
      return exclusive((run) => {
        const options: AddOptions = {
          ...base,
          ...run,
          id: id ?? null,
          displayName: displayName ?? null,
          force,
          namesFile: namesFile ?? null,
          allowDownload,
        };
        return paths.length === 1 && isYamlPath(paths[0]!) ? importXAnyLabelingYaml(paths[0]!, options) : addModelFromFiles(paths, options);
      });
    },
    'models.fetchUrl': ({ urls, sha256, namesFile, id, displayName, force }) => {
      if (namesFile) grants?.require('modelFiles', namesFile);
      return exclusive((run) =>
        addModelFromUrls(urls, {
          ...base,
          ...run,
          id: id ?? null,
          displayName: displayName ?? null,
          force,
          namesFile: namesFile ?? null,
          expectedSha256: sha256,
        }),
      );
    },
    'models.cancelAdd': () => {
      const controller = running;
      controller?.abort();
      return { cancelled: controller !== null };
    },
    'models.remove': async ({ modelId }) => {
      const status = engine().status();
      const inUse = [status.settings.modelId, ...(status.modelId ? [status.modelId] : [])];
      return { removed: await removeUserModel(modelId, { ...base, inUse }) };
    },
    'models.links': () => [...MODEL_LINKS],
    'models.planImport': async ({ path }) => {
      grants?.require('modelFiles', path);
      const plan = await planXAnyLabelingImport(path);
      return { type: plan.type, displayName: plan.displayName, files: plan.files, classes: plan.classes?.length ?? null };
    },
  };
}
