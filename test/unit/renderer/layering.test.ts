// The renderer's layering, checked: each folder of renderer/src imports only
// from folders below it (or itself), so the pure modules stay at the bottom
// and nothing points upwards (store → canvas, tools → store, masks → tools,
// panels → canvas were the ones issue 16 removed). Import lines are read with
// a regex, comments blanked, relative specifiers resolved to their folder.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../../renderer/src/', import.meta.url));

/** Bottom to top; folders on one rung know nothing of each other. */
const LAYERS: readonly (readonly string[])[] = [
  ['lib', 'styles'], // pure helpers (view transform, corners, latest-wins, new annotation, region colours); stylesheets
  ['api', 'history', 'masks'], // the transport, undo as inverse ops, mask pixels and bitmaps
  ['tools'], // pointer state machines: lib/ and their context types only
  ['ai'], // the prompt draft and the AI session machine
  ['store'], // zustand: binds history, tools and the session to the app
  ['actions'], // commands: keys, overlay rows, toolbar buttons
  ['canvas', 'panels'], // React: Konva and the panels
  ['.'], // App.tsx, main.tsx
];

const rung = (folder: string): number => LAYERS.findIndex((folders) => folders.includes(folder));

interface SourceFile {
  /** Relative to renderer/src, with / separators. */
  path: string;
  text: string;
}

/** Every import that points upwards or sideways, as "from -> to". */
function layerViolations(files: readonly SourceFile[]): string[] {
  const problems: string[] = [];
  for (const file of files) {
    const from = file.path.includes('/') ? file.path.slice(0, file.path.indexOf('/')) : '.';
    const code = file.text.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, '');
    for (const [, spec] of code.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)'(\.[^']*)'/g)) {
      const target = posix.normalize(posix.join(posix.dirname(file.path), spec!));
      if (target.startsWith('..')) continue; // common/ and beyond: the boundary check's business
      const to = target.includes('/') ? target.slice(0, target.indexOf('/')) : '.';
      if (to === from) continue;
      if (rung(from) === -1 || rung(to) === -1) problems.push(`${file.path} -> ${target} (a folder no layer names)`);
      else if (rung(to) >= rung(from)) problems.push(`${file.path} -> ${target}`);
    }
  }
  return problems;
}

function sources(dir: string): SourceFile[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) ? [{ path: relative(SRC, path).split(/[\\/]/).join('/'), text: readFileSync(path, 'utf8') }] : [];
  });
}

test('renderer/src imports only downwards', () => {
  const files = sources(SRC);
  assert.ok(files.length > 50, `read ${files.length} files from ${dirname(SRC)}`);
  assert.deepEqual(layerViolations(files), []);
});

test('an upward or sideways import is caught, a downward one is not', () => {
  const problems = layerViolations([
    { path: 'store/viewSlice.ts', text: "import { fitView } from '../canvas/viewTransform.js';\nimport { api } from '../api/client.js';" },
    {
      path: 'tools/aiPromptTool.ts',
      text: "import type { Corners } from '../store/aiPrompts.js';\n// import { x } from '../store/commented.js';",
    },
    { path: 'panels/PromptPanel.tsx', text: "import { regionColour } from '../canvas/CandidateOverlay.js';\nimport '../styles/ai.css';" },
    {
      path: 'masks/maskCodec.ts',
      text: "import type { BinaryMask } from '../tools/toolTypes.js';\nimport { rleToMask } from '../../../common/geometry/rle.js';",
    },
    { path: 'lib/corners.ts', text: "const later = import('../ai/aiPrompts.js');" },
    { path: 'App.tsx', text: "import { useAppStore } from './store/appStore.js';" },
  ]);
  assert.deepEqual(problems, [
    'store/viewSlice.ts -> canvas/viewTransform.js',
    'tools/aiPromptTool.ts -> store/aiPrompts.js',
    'panels/PromptPanel.tsx -> canvas/CandidateOverlay.js',
    'masks/maskCodec.ts -> tools/toolTypes.js',
    'lib/corners.ts -> ai/aiPrompts.js',
  ]);
});
