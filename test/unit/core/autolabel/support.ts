// A real project of sample images with the sample labels, and a real engine
// on the built-in model, for the auto-label job tests.
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { AutolabelJob, EventMap } from '../../../../common/contract/index.js';
import { JobRunner } from '../../../../core/autolabel/jobRunner.js';
import { projectImageSource } from '../../../../core/host/aiHandlers.js';
import { Project } from '../../../../core/store/project.js';
import { InferenceEngine } from '../../../../engine/engine.js';
import { MODEL_DIR, SAMPLES_DIR } from '../../models/cocoGt.js';

export interface SampleCoco {
  images: { id: number; file_name: string; width: number; height: number }[];
  annotations: { id: number; image_id: number; category_id: number; segmentation: unknown; bbox: [number, number, number, number] }[];
  categories: { id: number; name: string }[];
}

export const sampleCoco = (): SampleCoco => JSON.parse(readFileSync(join(SAMPLES_DIR, 'annotations.coco.json'), 'utf8')) as SampleCoco;

/** The sample's stuff categories (one region per image). */
export const STUFF_NAMES = ['sky', 'water', 'grass', 'sand'];

/** A project folder holding the first `count` sample images, with every sample category as a label (stuff marked). */
export function sampleProject(count: number): { project: Project; dir: string; files: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'promptlabel-autolabel-'));
  const coco = sampleCoco();
  const files = coco.images.slice(0, count).map((i) => i.file_name);
  for (const file of files) copyFileSync(join(SAMPLES_DIR, file), join(dir, file));
  const project = Project.open(dir);
  project.applyBatch(
    coco.categories.map((c) => ({
      type: 'label.put' as const,
      label: { id: `c${c.id}`, name: c.name, colour: '#336699', hotkey: null, stuff: STUFF_NAMES.includes(c.name) },
    })),
  );
  return { project, dir, files };
}

export function builtinEngine(): InferenceEngine {
  return new InferenceEngine({
    roots: { builtin: join(MODEL_DIR, '..'), user: null },
    settingsPath: null,
    emit: <E extends 'ai.status' | 'ai.features'>(_event: E, _payload: EventMap[E]) => undefined,
  });
}

export function runnerFor(project: Project, engine: InferenceEngine, seen: AutolabelJob[] = []): JobRunner {
  return new JobRunner(project, () => engine, projectImageSource(project), { changed: (job) => void seen.push(job) });
}
