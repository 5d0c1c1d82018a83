// What a job asks the engine for each image, built once per job run from its
// parameters and the project: the labels to prompt (names), the examples'
// regions (examples), the detector plan (detector). Also what each source
// needs of the model, so the UI can grey out what the current one lacks.
import {
  AppError,
  AUTOLABEL_SOURCES,
  type AutolabelParams,
  type AutolabelSource,
  type AutolabelSourceInfo,
  type PromptCapabilities,
} from '../../common/contract/index.js';
import type { ImageSource, InferenceEngine } from '../../engine/engine.js';
import type { AutolabelSpec, JobLabel, WorkerRefRegion } from '../../engine/protocol.js';
import type { Project } from '../store/project.js';

export interface JobPlan {
  spec: AutolabelSpec;
  /** The model that proposes (the detector for detector jobs). */
  modelId: string;
  /** A re-run with the same key replaces these proposals on each image it does. */
  runKey: string;
}

/** Why the loaded model cannot serve this source (names, examples, features), or null when it can. */
export function modelProblem(source: Exclude<AutolabelSource, 'detector'>, modelId: string, caps: PromptCapabilities): string | null {
  if (source === 'names' && !caps.text) return `${modelId} takes no text prompts, so it cannot find labels by name.`;
  if (source === 'names' && !caps.everything) return `${modelId} gives no whole-image proposals.`;
  if (source === 'examples' && !caps.reference) return `${modelId} takes no reference regions, so it cannot find more of an example.`;
  return null;
}

const NO_DETECTOR = 'No detector is installed: add a YOLO model (Get more models…, or promptlabel models add FILE.onnx).';

export async function sourceInfo(engine: InferenceEngine): Promise<AutolabelSourceInfo[]> {
  const loaded = await engine.loadedModel();
  const hasDetector = (await engine.models()).some((m) => m.kind === 'detector' && m.problem === null);
  return AUTOLABEL_SOURCES.map((source) => {
    const reason = source === 'detector' ? (hasDetector ? null : NO_DETECTOR) : modelProblem(source, loaded.modelId, loaded.capabilities);
    return { source, available: reason === null, reason };
  });
}

export async function planJob(project: Project, engine: InferenceEngine, images: ImageSource, params: AutolabelParams): Promise<JobPlan> {
  const labels = project.labels();
  const chosen = params.labelIds ? new Set(params.labelIds) : null;
  if (chosen) {
    const unknown = [...chosen].filter((id) => !labels.some((l) => l.id === id));
    if (unknown.length) throw new AppError('bad_request', `Unknown label ids: ${unknown.join(', ')}.`, 'labelIds');
  }
  const jobLabel = (l: (typeof labels)[number]): JobLabel => ({ labelId: l.id, name: l.name, stuff: l.stuff === true });
  const labelKey = chosen ? [...chosen].sort().join(',') : '*';
  if (params.source === 'detector') {
    const plan = await engine.detectorPlan(images, { modelId: params.modelId, chainModelId: params.chainModelId });
    const stuffLabelIds = labels.filter((l) => l.stuff).map((l) => l.id);
    const runKey = `detector|${plan.detector.modelId}|${plan.chain?.modelId ?? ''}`;
    return { spec: { source: 'detector', detect: plan, stuffLabelIds }, modelId: plan.detector.modelId, runKey };
  }
  const loaded = await engine.loadedModel();
  if (params.modelId !== undefined && params.modelId !== loaded.modelId)
    throw new AppError(
      'conflict',
      `The project's model is ${loaded.modelId}, not ${params.modelId}: choose ${params.modelId} in the AI panel first (a job runs on the model the image on screen uses).`,
      'modelId',
    );
  const problem = modelProblem(params.source, loaded.modelId, loaded.capabilities);
  if (problem) throw new AppError('unsupported', problem, 'source');
  const runKey = `${params.source}|${loaded.modelId}|${labelKey}`;
  switch (params.source) {
    case 'features':
      return { spec: { source: 'features' }, modelId: loaded.modelId, runKey };
    case 'names': {
      const picked = labels.filter((l) => !chosen || chosen.has(l.id));
      if (picked.length === 0) throw new AppError('bad_request', 'The project has no labels to look for: add labels first.', 'labelIds');
      return {
        spec: { source: 'names', labels: picked.map(jobLabel), vocabulary: labels.map((l) => ({ labelId: l.id, name: l.name })) },
        modelId: loaded.modelId,
        runKey,
      };
    }
    case 'examples': {
      const groups = exampleGroups(project, images, chosen).map((g) => ({
        label: jobLabel(labels.find((l) => l.id === g.labelId)!),
        regions: g.regions,
      }));
      if (groups.length === 0)
        throw new AppError(
          'bad_request',
          'No examples: mark accepted annotations as examples (the ★ button in the annotation list) for the labels to find.',
          'labelIds',
        );
      return { spec: { source: 'examples', groups }, modelId: loaded.modelId, runKey };
    }
  }
}

/** The annotations marked as examples, by label, each as its box on its image. */
function exampleGroups(
  project: Project,
  images: ImageSource,
  chosen: ReadonlySet<string> | null,
): { labelId: string; regions: WorkerRefRegion[] }[] {
  const rows = project.db
    .prepare(
      `SELECT a.label_id, a.image_id, a.bbox_x, a.bbox_y, a.bbox_w, a.bbox_h FROM annotations a JOIN images i ON i.id = a.image_id
       WHERE a.example = 1 AND a.label_id IS NOT NULL AND i.missing = 0 AND a.bbox_w > 0 AND a.bbox_h > 0 ORDER BY a.label_id, a.created_at, a.id`,
    )
    .all() as { label_id: string; image_id: number; bbox_x: number; bbox_y: number; bbox_w: number; bbox_h: number }[];
  const groups = new Map<string, WorkerRefRegion[]>();
  for (const r of rows) {
    if (chosen && !chosen.has(r.label_id)) continue;
    const region: WorkerRefRegion = {
      image: { imageId: r.image_id, path: images.imagePath(r.image_id), cacheDir: images.cacheDir },
      box: [r.bbox_x, r.bbox_y, r.bbox_x + r.bbox_w, r.bbox_y + r.bbox_h],
    };
    groups.set(r.label_id, [...(groups.get(r.label_id) ?? []), region]);
  }
  return [...groups].map(([labelId, regions]) => ({ labelId, regions }));
}
