// `promptlabel models add FILE…` and `promptlabel models fetch URL…`: a model
// the user brings, recognised from its graphs (SAM / MobileSAM, SAM 2, YOLO)
// and installed with a generated manifest; an X-AnyLabeling model YAML is
// imported the same way (its URLs only with --download). Progress goes to
// stderr (bytes, rate, time left for downloads), the result to stdout: what
// the files were recognised as, each file's sha256, and how long it took.
import { parseArgs } from 'node:util';

import { isModelPackError } from '../../engine/modelPacks/errors.js';
import { proxyFor, proxyLabel, resolveProxy } from '../../engine/modelPacks/proxy.js';
import {
  type AddedModel,
  addModelFromFiles,
  addModelFromUrls,
  type AddOptions,
  type AddProgress,
  importXAnyLabelingYaml,
  isYamlPath,
  planXAnyLabelingImport,
} from '../../engine/recognition/addModel.js';
import { listModels } from '../../engine/registry.js';
import { cliModelRoots } from './cliEngine.js';
import { modelTable } from './modelTable.js';
import { type CliIo, UsageError } from './types.js';

export const MODELS_ADD_USAGE =
  'promptlabel models add FILE.onnx [FILE2.onnx] | FOLDER | CONFIG.yaml [--names data.yaml] [--id ID] [--name TEXT] [--force] [--download]';
export const MODELS_FETCH_URL_USAGE =
  'promptlabel models fetch URL [URL2] [--sha256 HEX]… [--names data.yaml] [--id ID] [--name TEXT] [--proxy URL] [--force]';

const megabytes = (bytes: number): string => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`);
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

const PHASE_TEXT: Record<AddProgress['phase'], string> = {
  download: 'downloading',
  recognise: 'recognising the model from its graphs',
  copy: 'copying the files into the model folder (sha256 on the way)',
  check: 'opening each graph in onnxruntime',
  install: 'installing',
};

/** Phase changes as lines, byte counts at most once a second. */
export function addProgressReporter(io: CliIo): (progress: AddProgress) => void {
  let phase = '';
  let last = 0;
  return (p) => {
    const key = p.phase === 'download' ? `download ${p.file}` : p.phase;
    if (key !== phase) {
      phase = key;
      last = 0;
      io.stderr(`${PHASE_TEXT[p.phase]}${p.phase === 'download' && p.files > 1 ? ` (file ${p.file} of ${p.files})` : ''}…\n`);
      if (p.phase === 'download' && p.resumedFrom > 0) io.stderr(`  resuming at ${megabytes(p.resumedFrom)}\n`);
    }
    if (p.phase !== 'download' && p.phase !== 'copy') return;
    const now = Date.now();
    const total = p.phase === 'download' ? p.total : p.total;
    const finished = total !== null && p.done >= total;
    if (now - last < 1000 && !finished) return;
    last = now;
    const share = total ? ` (${Math.round((100 * p.done) / total)}%)` : '';
    const rate = p.phase === 'download' && p.bytesPerSecond ? `, ${megabytes(p.bytesPerSecond)}/s` : '';
    const eta = p.phase === 'download' && p.etaSeconds !== null && !finished ? `, ${Math.ceil(p.etaSeconds)} s left` : '';
    io.stderr(`  ${megabytes(p.done)}${total !== null ? ` / ${megabytes(total)}` : ''}${share}${rate}${eta}\n`);
  };
}

/** The result, on stdout: recognised as, files and sha256, timings, warnings, and the model's line in the list. */
async function report(added: AddedModel, io: CliIo): Promise<void> {
  const t = added.timings;
  const lines = [
    `Installed ${added.id} in ${added.dir}`,
    `  recognised as: ${added.model.description}`,
    ...added.downloads.map((d) => `  downloaded ${d.url}: ${megabytes(d.bytes)}, sha256 ${d.sha256}${d.resumed ? ' (resumed)' : ''}`),
    ...Object.values(added.files).map((f) => `  ${f.path}: ${megabytes(f.bytes)}, sha256 ${f.sha256}`),
    `  ${t.downloadMs ? `download ${seconds(t.downloadMs)}, ` : ''}recognition ${seconds(t.recogniseMs)}, copy ${seconds(t.copyMs)}, onnxruntime check ${seconds(t.checkMs)}, total ${seconds(t.downloadMs + t.recogniseMs + t.totalMs)}`,
    ...added.warnings.map((w) => `  warning: ${w}`),
  ];
  io.stdout(`${lines.join('\n')}\n`);
  const model = (await listModels(cliModelRoots())).find((m) => m.id === added.id);
  if (model) io.stdout(modelTable([model]));
}

function baseOptions(values: { names?: string; id?: string; name?: string; force?: boolean }, signal: AbortSignal, io: CliIo): AddOptions {
  const roots = cliModelRoots();
  if (!roots.user) throw new UsageError('there is no user model folder to install into');
  return {
    userModelsDir: roots.user,
    builtinDir: roots.builtin,
    namesFile: values.names ?? null,
    id: values.id ?? null,
    displayName: values.name ?? null,
    force: values.force === true,
    signal,
    onProgress: addProgressReporter(io),
  };
}

/** Runs `work` with Ctrl-C as a cancel; answers the exit code. */
async function cancellable(io: CliIo, work: (signal: AbortSignal) => Promise<AddedModel>): Promise<number> {
  const controller = new AbortController();
  const onInterrupt = (): void => controller.abort();
  process.once('SIGINT', onInterrupt);
  try {
    await report(await work(controller.signal), io);
    return 0;
  } catch (error) {
    if (controller.signal.aborted || isModelPackError(error, 'cancelled')) {
      io.stderr(`promptlabel models: ${(error as Error).message}\n`);
      return 130;
    }
    throw error;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}

const COMMON_OPTIONS = { names: { type: 'string' }, id: { type: 'string' }, name: { type: 'string' }, force: { type: 'boolean' } } as const;

export async function runModelsAdd(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { ...COMMON_OPTIONS, download: { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  if (!positionals.length) throw new UsageError('give one or two .onnx files, a folder holding them, or an X-AnyLabeling model YAML');
  return cancellable(io, async (signal) => {
    const options = baseOptions(values, signal, io);
    if (positionals.length === 1 && isYamlPath(positionals[0]!)) {
      const plan = await planXAnyLabelingImport(positionals[0]!);
      const remote = plan.files.filter((f) => f.remote);
      io.stderr(
        `${positionals[0]}: X-AnyLabeling ${plan.type} "${plan.displayName}"; files: ${plan.files.map((f) => `${f.role} ${f.location}`).join(', ')}\n`,
      );
      if (remote.length && !values.download) {
        throw new UsageError(
          `${positionals[0]} names ${remote.length} file(s) to download; nothing is fetched unless you ask: run again with --download`,
        );
      }
      return importXAnyLabelingYaml(positionals[0]!, { ...options, allowDownload: values.download === true, proxy: resolveProxy() });
    }
    if (values.download) throw new UsageError('--download applies to an X-AnyLabeling YAML only');
    return addModelFromFiles(positionals, options);
  });
}

export async function runModelsFetchUrl(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { ...COMMON_OPTIONS, sha256: { type: 'string', multiple: true }, proxy: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length < 1 || positionals.length > 2) throw new UsageError('give the URL of a model file, or two (encoder and decoder)');
  const expected = values.sha256 ?? [];
  for (const hex of expected) if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new UsageError(`--sha256 ${hex} is not a sha256 (64 hex digits)`);
  if (expected.length > positionals.length)
    throw new UsageError(
      `${expected.length} --sha256 values for ${positionals.length} URL(s): give at most one per URL, in the same order`,
    );
  const proxy = resolveProxy({ explicit: values.proxy ?? null });
  for (const url of positionals) {
    let via;
    try {
      via = proxyFor(proxy, new URL(url));
    } catch {
      throw new UsageError(`"${url}" is not a URL`);
    }
    io.stderr(
      `Fetching ${url}${via ? ` through ${proxyLabel(via)}` : ''}${expected.length ? '' : ' (no --sha256 given: its sha256 will be shown and recorded, not checked)'}\n`,
    );
  }
  io.stderr('Ctrl-C stops; fetching the same URL again resumes the download.\n');
  return cancellable(io, (signal) =>
    addModelFromUrls(positionals, { ...baseOptions(values, signal, io), proxy, expectedSha256: expected.map((h) => h.toLowerCase()) }),
  );
}
