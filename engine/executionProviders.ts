// The execution-provider choices the UI and the CLI offer: "auto" plus what
// the worker's onnxruntime build can attempt. onnxruntime is loaded in the
// worker only, so the list comes from there (worker/sessions.ts decides it,
// and what "auto" resolves to); until the worker has answered, only the CPU
// is known for sure. One refusal message for the panel and the CLI.
import { AppError, type ExecutionProviderChoice } from '../common/contract/index.js';
import type { ExecutionProviderName } from './protocol.js';

/** What the worker reported, as choices: 'auto' first; the CPU alone while nothing is known yet. */
export function executionProviderChoices(available: readonly ExecutionProviderName[] | null): ExecutionProviderChoice[] {
  return ['auto', ...(available ?? ['cpu'])];
}

/** Refuses a choice this installation does not offer, naming the ones it does. */
export function assertExecutionProviderAvailable(choice: ExecutionProviderChoice, choices: readonly ExecutionProviderChoice[]): void {
  if (!choices.includes(choice)) {
    throw new AppError('unsupported', `Execution provider "${choice}" is not available here (available: ${choices.join(', ')}).`);
  }
}
