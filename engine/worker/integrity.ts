// Checks that a model folder's files are the ones its manifest describes
// (size and sha256), so a truncated download or a swapped file is caught
// before onnxruntime gives a confusing error. Every kind of model manifest
// lists its files the same way (models/manifestBase.ts's fileEntry). Used by
// the registry in the main process as well as by the worker.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';

import type { FileEntry } from './models/manifestBase.js';

export interface FileProblem {
  file: string;
  problem: string;
}

/** sha256 of a file, streamed (a foreground model is 88 MB). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
}

/** Files that are missing, or differ in size or sha256 from their entries. */
export async function verifyFiles(dir: string, files: Record<string, FileEntry>): Promise<FileProblem[]> {
  const problems: FileProblem[] = [];
  for (const entry of Object.values(files)) {
    const path = join(dir, entry.path);
    let bytes: number;
    try {
      bytes = (await stat(path)).size;
    } catch {
      problems.push({ file: entry.path, problem: 'missing' });
      continue;
    }
    // A size mismatch already says it all; hashing is only worth it when sizes agree.
    if (bytes !== entry.bytes) problems.push({ file: entry.path, problem: `size ${bytes} != ${entry.bytes}` });
    else if ((await sha256File(path)) !== entry.sha256) problems.push({ file: entry.path, problem: 'sha256 mismatch' });
  }
  return problems;
}

export function verifyModelFiles(modelDir: string, manifest: { files: Record<string, FileEntry> }): Promise<FileProblem[]> {
  return verifyFiles(modelDir, manifest.files);
}

/** Problems as one line for a model list: "model.onnx: sha256 mismatch; …", or null when there are none. */
export function describeFileProblems(problems: readonly FileProblem[]): string | null {
  return problems.length ? problems.map((p) => `${p.file}: ${p.problem}`).join('; ') : null;
}
