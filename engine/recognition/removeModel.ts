// Removing a user model: its folder under <userData>/models, found by the id
// its manifest declares (or, for a folder whose manifest cannot be read, by
// the folder name the registry lists it under). Built-in models are never
// removed, nor the model the engine is using. The folder is renamed to a
// hidden name first, so it leaves the model list at once even if deleting a
// large file takes a while or fails half-way.
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

import { AppError } from '../../common/contract/result.js';
import { installedModelIds } from './installModel.js';

export interface RemoveOptions {
  userModelsDir: string;
  builtinDir?: string | null;
  /** Model ids in use (the engine's current model): refused. */
  inUse?: readonly string[];
}

/** Removes the user model `modelId`; returns the folder it was in. */
export async function removeUserModel(modelId: string, options: RemoveOptions): Promise<string> {
  const root = resolve(options.userModelsDir);
  if ((await installedModelIds(options.builtinDir)).has(modelId))
    throw new AppError('forbidden', `"${modelId}" is a built-in model; only your own models can be removed.`);
  if (options.inUse?.includes(modelId))
    throw new AppError('conflict', `"${modelId}" is the model in use; choose another model first, then remove it.`);
  const byId = (await installedModelIds(root)).get(modelId);
  const byFolder =
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(modelId) && existsSync(join(root, modelId, 'manifest.json')) ? join(root, modelId) : undefined;
  const dir = byId ?? byFolder;
  if (!dir) throw new AppError('not_found', `No user model "${modelId}" in ${root}.`);
  const folder = resolve(dir);
  if (dirname(folder) !== root || basename(folder).startsWith('.'))
    throw new AppError('forbidden', `${folder} is not a model folder of ${root}.`);
  const aside = join(root, `.${modelId}.removing-${process.pid}-${Date.now()}`);
  await rename(folder, aside);
  await rm(aside, { recursive: true, force: true });
  return folder;
}
