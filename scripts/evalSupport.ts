// What the evaluation scripts (eval:worlds, eval:captions) share: held-out
// scenes written once by a models/training script and cached under the hash
// of the sources that make them, a model folder loaded on its own (two
// exports may share an id), and the figures' mean and median.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import type { ModelInfo } from '../common/contract/index.js';
import { listModels } from '../engine/registry.js';

export const TRAINING = join(__dirname, '..', 'models', 'training');
export const PYTHON = '/usr/bin/python3';

export interface SceneWriter {
  /** Cache folder under $TMPDIR. */
  cache: string;
  /** What the scenes are (world, seed, count): part of the folder name. */
  key: string;
  /** The models/training script that writes them, given the output folder first. */
  script: string;
  args: string[];
  /** models/training files the scenes depend on: a change to any of them writes the scenes again. */
  sources: string[];
  /** The Python packages the script needs, for the error message. */
  needs: string;
}

/** The scenes' folder, written on first use into a partial folder that is renamed when complete. */
export function cachedScenes(w: SceneWriter): string {
  const hash = createHash('sha256');
  for (const f of [w.script, ...w.sources]) hash.update(readFileSync(join(TRAINING, f)));
  const dir = join(tmpdir(), w.cache, `${w.key}-${hash.digest('hex').slice(0, 12)}`);
  if (existsSync(dir)) return dir;
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const made = spawnSync(PYTHON, [join(TRAINING, w.script), partial, ...w.args], { encoding: 'utf8' });
  if (made.status !== 0) {
    rmSync(partial, { recursive: true, force: true });
    throw new Error(
      `${w.script} ${w.args.join(' ')} failed with ${PYTHON} (needs ${w.needs}, see models/training/README.md):\n${made.stderr}`,
    );
  }
  if (existsSync(dir)) rmSync(partial, { recursive: true, force: true });
  else renameSync(partial, dir);
  return dir;
}

/** A root folder holding only this model, so the engine lists and loads it by its own id; remove `root` when done. */
export async function modelRoot(dir: string): Promise<{ root: string; info: ModelInfo }> {
  const root = mkdtempSync(join(tmpdir(), 'promptlabel-eval-model-'));
  symlinkSync(resolve(dir), join(root, 'model'), 'dir');
  const [info] = await listModels({ builtin: root, user: null });
  if (!info) throw new Error(`${dir}: no manifest.json`);
  if (info.problem) throw new Error(`${dir}: ${info.problem}`);
  return { root, info };
}

export const mean = (v: readonly number[]): number => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : Number.NaN);

export const median = (v: readonly number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : Number.NaN;
};
