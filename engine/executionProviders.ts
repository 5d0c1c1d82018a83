// The execution-provider choices the UI offers on this platform: "auto" plus
// what this onnxruntime build has (electron/inference/sessions.ts decides
// both that and what "auto" resolves to).
import type { ExecutionProviderChoice } from '../common/contract/index.js';
import { availableExecutionProviders } from './worker/sessions.js';

export function availableProviders(): ExecutionProviderChoice[] {
  return ['auto', ...availableExecutionProviders()];
}
