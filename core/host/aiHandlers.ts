// The ai.* channels: thin wrappers that turn the open project into an image
// source for the inference engine (which remembers the project's model) and
// validate prompts against image sizes.
import { join } from 'node:path';

import { AppError } from '../../common/contract/index.js';
import type { ImageSource, InferenceEngine } from '../../engine/engine.js';
import { toWorkerPrompt } from '../../engine/promptValidation.js';
import type { Project } from '../store/project.js';
import { PROJECT_DATA_DIR } from '../store/scan.js';
import type { Handlers } from './handlerTypes.js';
import { lazyProgressReporter, progressReporter } from './progress.js';
import type { AppSession } from './session.js';

type AiChannel = Extract<keyof Handlers, `ai.${string}`>;

const sources = new WeakMap<Project, ImageSource>();

/** One source per open project, so the engine can tell a project switch from a new image. */
export function projectImageSource(project: Project): ImageSource {
  let source = sources.get(project);
  if (!source) {
    source = {
      cacheDir: join(project.dir, PROJECT_DATA_DIR, 'features'),
      imagePath: (id) => project.imagePath(id),
      imageSize: async (id) => {
        const image = await project.getImage(id);
        if (!image.width || !image.height) throw new AppError('invalid_file', `Image ${id} has no readable size.`);
        return { width: image.width, height: image.height };
      },
      labels: () => project.labels().map((l) => ({ labelId: l.id, name: l.name })),
      projectDir: project.dir,
    };
    sources.set(project, source);
  }
  return source;
}

export function createAiHandlers(session: AppSession, engine: () => InferenceEngine): Pick<Handlers, AiChannel> {
  /** The open project as an image source, its model made the engine's (remembered per project). */
  const source = async (): Promise<ImageSource> => {
    const images = projectImageSource(session.requireProject());
    if (images.projectDir !== undefined) await engine().useProject(images.projectDir);
    return images;
  };
  /** Status and configuration speak of the open project's model when a project is open. */
  const withProject = async (): Promise<InferenceEngine> => {
    const project = session.current;
    if (project) await engine().useProject(project.dir);
    return engine();
  };
  return {
    'ai.models': () => engine().models(),
    'ai.status': async () => (await withProject()).status(),
    'ai.configure': async (patch) => (await withProject()).configure(patch),
    'ai.focus': async ({ imageId, upcoming }) => engine().focus(await source(), imageId, upcoming),
    'ai.featureStates': async ({ imageIds }) => engine().featureStates(await source(), imageIds),
    'ai.segment': async ({ imageId, modelId, prompts, previous, options }) => {
      const images = await source();
      const prompt = await toWorkerPrompt(images, imageId, prompts);
      // Only slow providers report progress; a 5 ms click must not flash a progress bar.
      const progress = lazyProgressReporter(session, 'Segmenting');
      try {
        return await engine().segment(images, { imageId, modelId, prompt, previous, options }, progress.update);
      } finally {
        progress.finish();
      }
    },
    'ai.everything': async ({ imageId, modelId, ...params }) => {
      const images = await source();
      const progress = progressReporter(session, 'Segmenting everything');
      try {
        return await engine().everything(images, { imageId, modelId, params }, progress.update);
      } finally {
        progress.finish();
      }
    },
    'ai.detect': async (request) => {
      const images = await source();
      // A detector runs in well under a second; a chained segmenter may take a while (one decoder run per box).
      const progress = lazyProgressReporter(session, 'Detecting');
      try {
        return await engine().detect(images, request, progress.update);
      } finally {
        progress.finish();
      }
    },
    'ai.caption': async ({ imageId, modelId, box, phrase }) => engine().caption(await source(), { imageId, modelId, box, phrase }),
    'ai.phraseScores': async ({ imageId, modelId, phrase, boxes }) =>
      engine().phraseScores(await source(), { imageId, modelId, phrase, boxes }),
    'ai.setLabelMap': ({ modelId, map }) => engine().setLabelMap(modelId, map),
    'ai.materialize': ({ candidateSetId, index }) => engine().materialize(candidateSetId, index),
    'ai.cancel': () => ({ cancelled: engine().cancelRunning() }),
  };
}
