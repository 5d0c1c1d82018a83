// Builds the main-process bundles (esbuild) and the renderer (Vite) into dist/.
import { fileURLToPath } from 'node:url';

import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.argv[2]; // 'main' | 'renderer' | undefined (both)

const node = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  logLevel: 'warning',
  // Dependencies stay in node_modules (native add-ons cannot be bundled).
  packages: 'external',
};

if (only !== 'renderer') {
  await Promise.all([
    esbuild({ ...node, entryPoints: { main: 'electron/main/main.ts' }, outdir: 'dist/electron', outExtension: { '.js': '.cjs' } }),
    esbuild({ ...node, entryPoints: { cli: 'cli/bin.ts' }, outdir: 'dist/electron', outExtension: { '.js': '.cjs' } }),
    // The inference worker thread (onnxruntime sessions, feature cache): its own entry next to main and cli.
    esbuild({
      ...node,
      entryPoints: { inferenceWorker: 'engine/worker/inferenceWorker.ts' },
      outdir: 'dist/electron',
      outExtension: { '.js': '.cjs' },
    }),
    // The host's dataset-figures thread (its own read-only SQLite connection): core/host/datasetStatsService.ts finds it here.
    esbuild({
      ...node,
      entryPoints: { statsWorker: 'core/statsWorker/statsWorker.ts' },
      outdir: 'dist/electron',
      outExtension: { '.js': '.cjs' },
    }),
    // A sandboxed preload must be one file that requires nothing but 'electron'.
    esbuild({
      ...node,
      packages: undefined,
      external: ['electron'],
      entryPoints: { preload: 'electron/preload/preload.ts' },
      outdir: 'dist/electron',
      outExtension: { '.js': '.cjs' },
    }),
  ]);
}
if (only !== 'main') {
  await viteBuild({ configFile: `${root}renderer/vite.config.mts`, logLevel: 'warn' });
}
