// Which models exist: the built-in ones shipped under models/, and the
// user's own under <userData>/models/. Each folder with a manifest.json is a
// model; one that cannot be used (bad manifest, missing or altered file) is
// still listed, with the reason, so the UI can say why instead of failing later.
// Each kind describes its own folder (worker/models/<kind>/manifest.ts, pure
// modules: the main process never loads onnxruntime).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { ModelInfo } from '../common/contract/index.js';
import { CLASSICAL_KIND, describeClassical } from './worker/models/classical/manifest.js';
import { describeForegroundModel, FOREGROUND_MANIFEST_KIND } from './worker/models/foreground/manifest.js';
import { describeSam2, SAM2_MANIFEST_KIND } from './worker/models/sam2/manifest.js';
import { describeSegmenter } from './worker/models/segmenter/manifest.js';
import { unusableModel } from './worker/models/unusableModel.js';
import { describeDetector, DETECTOR_MANIFEST_KIND } from './worker/models/yolo/manifest.js';

export interface ModelRoots {
  builtin: string;
  user: string | null;
}

function modelFolders(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((name) => !name.startsWith('.') && existsSync(join(root, name, 'manifest.json')) && statSync(join(root, name)).isDirectory())
    .sort();
}

async function describe(dir: string, source: ModelInfo['source']): Promise<ModelInfo> {
  try {
    const raw: unknown = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    const kind = typeof raw === 'object' && raw !== null && 'kind' in raw ? raw.kind : undefined;
    if (kind === CLASSICAL_KIND) return describeClassical(raw, dir, source);
    if (kind === FOREGROUND_MANIFEST_KIND) return await describeForegroundModel(dir, source);
    if (kind === SAM2_MANIFEST_KIND) return await describeSam2(dir, source);
    if (kind === DETECTOR_MANIFEST_KIND) return await describeDetector(dir, source);
    return await describeSegmenter(dir, source);
  } catch (error) {
    return unusableModel(dir, 'segmenter', source, error);
  }
}

/** Built-in first; a user model with a built-in's id is listed with a problem rather than shadowing it. */
export async function listModels(roots: ModelRoots): Promise<ModelInfo[]> {
  const builtin = await Promise.all(modelFolders(roots.builtin).map((f) => describe(join(roots.builtin, f), 'builtin')));
  const user = roots.user ? await Promise.all(modelFolders(roots.user).map((f) => describe(join(roots.user!, f), 'user'))) : [];
  const seen = new Set(builtin.map((m) => m.id));
  for (const model of user) {
    if (seen.has(model.id))
      model.problem = `a built-in model already has the id "${model.id}"; give this one another id in its manifest.json`;
    seen.add(model.id);
  }
  return [...builtin, ...user];
}
