// Opening a model's onnxruntime sessions: the execution provider (with a
// fall back to CPU that says why), clear errors for a missing or unreadable
// file, and the check that each session's tensors are the ones the manifest
// declares, so a wrong input name is reported by name at load time instead of
// as an onnxruntime stack on the first click. Only the worker imports this
// (and onnxruntime): the main process asks the worker which execution
// providers exist and to check a downloaded graph (protocol.ts).
import { existsSync, readdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import * as ort from 'onnxruntime-node';

import type { ExecutionProviderChoice } from '../../common/contract/ai.js';
import { EXECUTION_PROVIDERS } from '../../common/contract/ai.js';
import { AppError } from '../../common/contract/result.js';
import type { ExecutionProviderName } from '../protocol.js';
import type { IoSpec, TensorSpec } from './models/manifestBase.js';

export type { ExecutionProviderName };

/** onnxruntime's names for the execution providers this app offers. */
export const ORT_EXECUTION_PROVIDERS: readonly ExecutionProviderName[] = ['cpu', 'webgpu', 'cuda', 'dml', 'coreml'];

function isProviderName(name: string): name is ExecutionProviderName {
  return (ORT_EXECUTION_PROVIDERS as readonly string[]).includes(name);
}

/** Where onnxruntime-node keeps its binding and the provider add-ons its install script downloads. */
export function ortBindingDir(): string {
  return join(dirname(require.resolve('onnxruntime-node/package.json')), 'bin', 'napi-v6', process.platform, process.arch);
}

/**
 * Whether a provider that onnxruntime-node lists as not bundled (CUDA: an
 * opt-in add-on) has its library installed next to the binding.
 */
function providerLibraryInstalled(name: string, bindingDir: string): boolean {
  try {
    return existsSync(bindingDir) && readdirSync(bindingDir).some((f) => f.includes(`providers_${name}`));
  } catch {
    return false;
  }
}

/**
 * Providers this onnxruntime-node installation can attempt, 'cpu' first:
 * bundled ones, and add-ons whose library is installed in `bindingDir` (for
 * CUDA: libonnxruntime_providers_cuda.so, see docs/models.md "GPU in
 * practice"). Being listed does not mean the hardware is there (webgpu needs
 * an adapter, cuda a GPU and the CUDA libraries): opening a session is the
 * real test.
 */
export function availableExecutionProviders(bindingDir: string = ortBindingDir()): ExecutionProviderName[] {
  const backends = ort.listSupportedBackends();
  return ORT_EXECUTION_PROVIDERS.filter(
    (name) => name === 'cpu' || backends.some((b) => b.name === name && (b.bundled || providerLibraryInstalled(name, bindingDir))),
  );
}

/**
 * 'auto' picks the platform's GPU provider: DirectML on Windows, CoreML on
 * macOS, CUDA where its add-on is installed; else the CPU. WebGPU (may find
 * no adapter on a headless machine, or a slow software one) is only used
 * when chosen explicitly.
 */
export function resolveExecutionProvider(
  choice: ExecutionProviderChoice,
  platform: NodeJS.Platform = process.platform,
): ExecutionProviderName {
  if (!(EXECUTION_PROVIDERS as readonly string[]).includes(choice))
    throw new AppError('bad_request', `Unknown execution provider "${String(choice)}" (expected one of ${EXECUTION_PROVIDERS.join(', ')})`);
  if (choice !== 'auto') return choice;
  const available = availableExecutionProviders();
  if (platform === 'win32' && available.includes('dml')) return 'dml';
  if (platform === 'darwin' && available.includes('coreml')) return 'coreml';
  if (available.includes('cuda')) return 'cuda';
  return 'cpu';
}

export interface SessionFile {
  /** Manifest part, e.g. "encoder"; names the session in the result. */
  part: string;
  path: string;
  threads?: number;
}

export interface OpenedSessions {
  sessions: Map<string, ort.InferenceSession>;
  activeProvider: ExecutionProviderName;
  /** Why the provider differs from the requested one; null when it does not. */
  providerNote: string | null;
}

export async function assertFileExists(path: string, what: string): Promise<void> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new AppError('invalid_file', `The ${what} ${path} is not a file`, path);
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('not_found', `The ${what} is missing: ${path}`, path);
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n').find((l) => l.trim() !== '') ?? text).trim();
}

/** onnxruntime's failed-check messages start with its source location; the human part follows "was false. ". */
function conciseReason(error: unknown): string {
  const line = firstLine(error);
  const human = line.split(' was false. ').pop() ?? line;
  return human.length > 300 ? `${human.slice(0, 300)}…` : human;
}

/** A non-CPU provider failed to open a file: the caller falls back to the CPU. */
class ProviderStartError extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

async function releaseAll(sessions: Iterable<ort.InferenceSession>): Promise<void> {
  await Promise.all([...sessions].map((s) => s.release().catch(() => undefined)));
}

async function createAll(files: readonly SessionFile[], provider: ExecutionProviderName): Promise<Map<string, ort.InferenceSession>> {
  const settled = await Promise.allSettled(
    files.map((f) => {
      const options: ort.InferenceSession.SessionOptions = { executionProviders: [provider], graphOptimizationLevel: 'all' };
      if (f.threads) options.intraOpNumThreads = f.threads;
      return ort.InferenceSession.create(f.path, options);
    }),
  );
  const sessions = new Map<string, ort.InferenceSession>();
  settled.forEach((s, i) => {
    if (s.status === 'fulfilled') sessions.set(files[i]!.part, s.value);
  });
  const failed = settled.findIndex((s) => s.status === 'rejected');
  if (failed >= 0) {
    await releaseAll(sessions.values());
    const reason = conciseReason((settled[failed] as PromiseRejectedResult).reason);
    const path = files[failed]!.path;
    if (provider !== 'cpu') throw new ProviderStartError(reason);
    throw new AppError('invalid_file', `onnxruntime cannot load ${path}: ${reason}`, path);
  }
  return sessions;
}

/**
 * Opens every file on the requested provider; if that provider is not in
 * this build or fails to start, opens them all on the CPU and says why. A
 * file the CPU cannot load either is a clear error naming it.
 *
 * onnxruntime-node creates sessions synchronously (inside a setImmediate),
 * so a provider whose start hangs would block this thread and cannot be
 * time-boxed here: run this in a worker and time-box the worker.
 */
export async function openSessions(files: readonly SessionFile[], requested: ExecutionProviderName): Promise<OpenedSessions> {
  if (!isProviderName(requested))
    throw new AppError(
      'bad_request',
      `Unknown execution provider "${String(requested)}" (expected one of ${ORT_EXECUTION_PROVIDERS.join(', ')})`,
    );
  for (const f of files) await assertFileExists(f.path, `${f.part} model file`);
  if (requested === 'cpu') return { sessions: await createAll(files, 'cpu'), activeProvider: 'cpu', providerNote: null };
  const available = availableExecutionProviders();
  let providerNote: string;
  if (!available.includes(requested)) {
    providerNote = `${requested} is not available in this onnxruntime installation (available: ${available.join(', ')}); running on cpu`;
  } else {
    try {
      return { sessions: await createAll(files, requested), activeProvider: requested, providerNote: null };
    } catch (error) {
      providerNote = `${requested} could not start (${error instanceof ProviderStartError ? error.reason : firstLine(error)}); running on cpu`;
    }
  }
  return { sessions: await createAll(files, 'cpu'), activeProvider: 'cpu', providerNote };
}

function showShape(shape: ReadonlyArray<number | string>): string {
  return `[${shape.join(', ')}]`;
}

/** Differences between what the manifest declares for a file and what its session has. */
export function signatureProblems(spec: IoSpec, session: ort.InferenceSession): string[] {
  const problems: string[] = [];
  const compare = (
    kind: 'input' | 'output',
    declared: readonly TensorSpec[],
    names: readonly string[],
    metadata: readonly ort.InferenceSession.ValueMetadata[],
  ): void => {
    const declaredNames = declared.map((t) => t.name);
    const missing = declaredNames.filter((n) => !names.includes(n));
    if (missing.length)
      problems.push(`manifest.json declares ${kind}(s) ${missing.map((n) => `"${n}"`).join(', ')} that the model does not have`);
    // An undeclared input could not be fed; an undeclared output is merely ignored.
    const unknown = kind === 'input' ? names.filter((n) => !declaredNames.includes(n)) : [];
    if (unknown.length)
      problems.push(`the model has ${kind}(s) ${unknown.map((n) => `"${n}"`).join(', ')} that manifest.json does not declare`);
    if (missing.length || unknown.length) problems.push(`the model's ${kind}s are: ${names.join(', ')}`);
    for (const t of declared) {
      const meta = metadata.find((m) => m.name === t.name);
      if (!meta?.isTensor) continue;
      if (meta.type !== t.type) problems.push(`${kind} "${t.name}" is ${meta.type} in the model but ${t.type} in manifest.json`);
      const actual = meta.shape;
      const clash =
        actual.length > 0 &&
        (actual.length !== t.shape.length ||
          actual.some((d, i) => typeof d === 'number' && typeof t.shape[i] === 'number' && d !== t.shape[i]));
      if (clash)
        problems.push(`${kind} "${t.name}" has shape ${showShape(actual)} in the model but ${showShape(t.shape)} in manifest.json`);
    }
  };
  compare('input', spec.inputs, session.inputNames, session.inputMetadata);
  compare('output', spec.outputs, session.outputNames, session.outputMetadata);
  return problems;
}

export function assertSignature(path: string, spec: IoSpec, session: ort.InferenceSession): void {
  const problems = signatureProblems(spec, session);
  if (problems.length) throw new AppError('invalid_file', `${path} does not match its manifest.json: ${problems.join('; ')}`, path);
}

/**
 * How a model file differs from the tensors it must have, opened on the CPU
 * (for a downloaded pack, before it is installed); empty when it matches.
 */
export async function fileSignatureProblems(path: string, spec: IoSpec): Promise<string[]> {
  let session: ort.InferenceSession;
  try {
    // Every node still gets its CPU kernel (an operator this build lacks is refused), but the graph is not
    // optimised: only its signature is read here, and optimising a SAM 2 encoder takes seconds.
    session = await ort.InferenceSession.create(path, { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled' });
  } catch (error) {
    return [`onnxruntime cannot load it (${(error instanceof Error ? error.message : String(error)).split('\n')[0]})`];
  }
  try {
    return signatureProblems(spec, session);
  } finally {
    await session.release().catch(() => undefined);
  }
}
