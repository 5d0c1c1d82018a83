// Checks that a model folder's files are the ones its manifest describes
// (size and sha256), so a truncated download or a swapped file is caught
// before onnxruntime gives a confusing error.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelManifest } from './manifest.js';

export interface FileProblem {
  file: string;
  problem: string;
}

export async function verifyModelFiles(modelDir: string, manifest: ModelManifest): Promise<FileProblem[]> {
  const problems: FileProblem[] = [];
  for (const entry of Object.values(manifest.files)) {
    let bytes: Buffer;
    try {
      bytes = await readFile(join(modelDir, entry.path));
    } catch {
      problems.push({ file: entry.path, problem: 'missing' });
      continue;
    }
    if (bytes.length !== entry.bytes) problems.push({ file: entry.path, problem: `size ${bytes.length} != ${entry.bytes}` });
    const digest = createHash('sha256').update(bytes).digest('hex');
    if (digest !== entry.sha256) problems.push({ file: entry.path, problem: 'sha256 mismatch' });
  }
  return problems;
}
