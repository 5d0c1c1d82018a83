// Which onnxruntime execution providers this platform's build offers, and
// what "auto" means here. A provider that fails at session creation falls
// back to CPU inside the segmenter, with the reason in the engine status.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ExecutionProviderChoice } from '../../common/contract/index.js';

const ORT_TO_CHOICE: Record<string, ExecutionProviderChoice> = { cpu: 'cpu', webgpu: 'webgpu', cuda: 'cuda', dml: 'dml', coreml: 'coreml' };

/** CUDA ships as an opt-in add-on: offered only when its provider library is installed next to the binding. */
function cudaInstalled(): boolean {
  try {
    const root = dirname(require.resolve('onnxruntime-node/package.json'));
    const dir = join(root, 'bin', 'napi-v6', process.platform, process.arch);
    return existsSync(dir) && readdirSync(dir).some((f) => f.includes('providers_cuda'));
  } catch {
    return false;
  }
}

let cached: ExecutionProviderChoice[] | null = null;

export function availableProviders(): ExecutionProviderChoice[] {
  if (cached) return cached;
  const found = new Set<ExecutionProviderChoice>(['auto', 'cpu']);
  for (const backend of ort.listSupportedBackends()) {
    const choice = ORT_TO_CHOICE[backend.name];
    if (!choice) continue;
    if (backend.bundled || (choice === 'cuda' && cudaInstalled())) found.add(choice);
  }
  cached = [...found];
  return cached;
}

/** "auto": the platform's GPU provider when there is one, else CPU (WebGPU stays opt-in: headless machines often lack an adapter). */
export function resolveProvider(choice: ExecutionProviderChoice): ExecutionProviderChoice {
  if (choice !== 'auto') return choice;
  const available = availableProviders();
  if (process.platform === 'win32' && available.includes('dml')) return 'dml';
  if (process.platform === 'darwin' && available.includes('coreml')) return 'coreml';
  if (available.includes('cuda')) return 'cuda';
  return 'cpu';
}
