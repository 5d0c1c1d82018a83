// `npm run lint:boundaries`: the layering by process, checked (issue 16).
// Each folder says which process runs it, and a folder may only import
// across the boundaries the rules below allow: the renderer is sandboxed,
// common/ is shared by every process, onnxruntime lives in the inference
// worker only (no file outside it may even reach it through other files),
// Electron in the Electron main process and preload only, and the engine
// knows nothing of the app around it.
//
// Plain Node, no dependencies: import specifiers (import/export … from,
// side-effect imports, import(), require()) are found with a regex over
// .ts/.tsx/.mts files once comments are blanked out, relative ones are
// resolved to files, and the rules are data. Tests and scripts are not
// constrained (they drive the code from outside); every source folder is.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Where each process's code lives. */
export const FOLDERS = {
  renderer: ['renderer/src/'],
  common: ['common/'],
  /** Node file-system helpers any Node process may use (atomic writes, folder creation, disk errors, JSON errors). */
  files: ['files/'],
  /** The Electron main process and the preload. */
  electron: ['electron/main/', 'electron/preload/'],
  server: ['server/'],
  cli: ['cli/'],
  core: ['core/'],
  engine: ['engine/'],
  worker: ['engine/worker/'],
};

/** Every folder of source code the rules cover (tests, scripts and build configs are not). */
export const SOURCE = [...new Set(Object.values(FOLDERS).flat()), 'electron/'];

/** The worker's model kinds; shared worker code reaches them only through createProvider.ts. */
const MODEL_KINDS = [
  'engine/worker/models/segmenter/',
  'engine/worker/models/foreground/',
  'engine/worker/models/classical/',
  'engine/worker/models/sam2/',
  'engine/worker/models/yolo/',
];

/**
 * The rules. `from`: the files a rule constrains, as path prefixes (`in`,
 * minus `notIn`). Then any of: `mayImport` (relative imports must land
 * there), `mayNotImport` (they must not; `except` lists files allowed all
 * the same), `packages` (`only`: the packages allowed; `deny`: forbidden;
 * 'node:' stands for every Node built-in), `reach` (a package no file in
 * `from` may reach, directly or through the files it imports).
 */
export const RULES = [
  {
    name: 'renderer-sandbox',
    why: 'the renderer is sandboxed (no Node): it imports renderer/ and common/ only, and talks to main through the contract',
    from: { in: FOLDERS.renderer },
    mayImport: { in: [...FOLDERS.renderer, ...FOLDERS.common] },
    packages: { deny: ['node:', 'electron', 'onnxruntime-node', 'better-sqlite3', 'sharp', 'ws'] },
  },
  {
    name: 'common-shared',
    why: 'common/ is loaded by every process: it imports common/ and zod only',
    from: { in: FOLDERS.common },
    mayImport: { in: FOLDERS.common },
    packages: { only: ['zod'] },
  },
  {
    name: 'onnxruntime-in-worker',
    why: 'only the inference worker loads onnxruntime: no other file imports it, or imports a file that reaches it',
    from: { in: SOURCE, notIn: FOLDERS.worker },
    reach: 'onnxruntime-node',
  },
  {
    name: 'electron-in-main',
    why: "only the Electron main process and preload import 'electron' (the rest runs in browser mode and the CLI too)",
    from: { in: SOURCE, notIn: FOLDERS.electron },
    packages: { deny: ['electron'] },
  },
  {
    name: 'engine-standalone',
    why: 'the engine knows nothing of the app around it: no imports from electron/, server/, cli/ or core/',
    from: { in: FOLDERS.engine },
    mayNotImport: { in: ['electron/', ...FOLDERS.server, ...FOLDERS.cli, ...FOLDERS.core] },
  },
  {
    name: 'files-bottom',
    why: 'files/ is the bottom Node layer, shared by core and the engine: it imports files/ and common/ only',
    from: { in: FOLDERS.files },
    mayImport: { in: [...FOLDERS.files, ...FOLDERS.common] },
    packages: { only: ['node:'] },
  },
  {
    name: 'worker-protocol-only',
    why: "the worker shares only the protocol with the engine's main side",
    from: { in: FOLDERS.worker },
    mayNotImport: { in: FOLDERS.engine, notIn: FOLDERS.worker },
    except: ['engine/protocol.ts'],
  },
  {
    name: 'worker-kinds-via-createProvider',
    why: 'shared worker code reaches a model kind only through createProvider.ts, so a new kind is one folder plus one case there',
    from: { in: FOLDERS.worker, notIn: ['engine/worker/models/', 'engine/worker/createProvider.ts'] },
    mayNotImport: { in: MODEL_KINDS },
  },
  {
    name: 'no-main-process-below',
    why: 'core, server and cli run without Electron: they never import the main process or preload',
    from: { in: [...FOLDERS.core, ...FOLDERS.server, ...FOLDERS.cli, ...FOLDERS.engine, ...FOLDERS.common, ...FOLDERS.files] },
    mayNotImport: { in: FOLDERS.electron },
  },
];

const EXTENSIONS = ['.ts', '.tsx', '.mts'];
const SKIP_DIRS = new Set(['node_modules', 'dist', 'release', 'coverage']);
const BUILTINS = new Set(builtinModules);

/** Comments blanked (strings kept), so a commented-out import is not an import. */
function blankComments(text) {
  return text.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\/|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`/g, (m) =>
    m.startsWith('/') ? m.replace(/[^\n]/g, ' ') : m,
  );
}

const SPECIFIER =
  /\b(?:import|export)\s+(?:type\s+)?[^'";]*?\bfrom\s*(['"])([^'"\n]+)\1|\bimport\s*(['"])([^'"\n]+)\3|\bimport\s*\(\s*(['"])([^'"\n]+)\5\s*\)|\brequire\s*\(\s*(['"])([^'"\n]+)\7\s*\)/g;

/** The module specifiers a source file imports, in order. */
export function importSpecifiers(text) {
  const found = [];
  for (const m of blankComments(text).matchAll(SPECIFIER)) found.push(m[2] ?? m[4] ?? m[6] ?? m[8]);
  return found;
}

/** The .ts/.tsx/.mts files under the source folders, root-relative with '/'. */
function sourceFiles(root) {
  const walk = (dir) => {
    if (!existsSync(join(root, dir))) return [];
    return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
      if (entry.name.startsWith('.') || SKIP_DIRS.has(entry.name)) return [];
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) return walk(rel);
      return entry.isFile() && EXTENSIONS.some((e) => entry.name.endsWith(e)) && !entry.name.endsWith('.d.ts') ? [rel] : [];
    });
  };
  const tops = [...new Set(SOURCE.map((p) => p.split('/')[0]))];
  return tops.flatMap(walk).filter((f) => SOURCE.some((p) => f.startsWith(p)));
}

function readSource(root, file) {
  try {
    return readFileSync(join(root, file), 'utf8');
  } catch (error) {
    if (error.code === 'ENOENT') return ''; // removed while the check ran
    throw error;
  }
}

/** A relative specifier as a root-relative path: the file when it exists (`.js` written for `.ts`), else the normalised path. */
function resolveRelative(root, from, specifier) {
  const base = posix.normalize(posix.join(posix.dirname(from), specifier));
  const stem = base.replace(/\.(c|m)?js$/, '');
  const candidates = [base, ...EXTENSIONS.map((e) => stem + e), ...EXTENSIONS.map((e) => `${base}/index${e}`)];
  for (const c of candidates) if (existsSync(join(root, c)) && statSync(join(root, c)).isFile()) return { path: c, exists: true };
  return { path: base, exists: false };
}

function packageOf(specifier) {
  if (specifier.startsWith('node:')) return 'node:';
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return BUILTINS.has(name) ? 'node:' : name;
}

const under = (path, prefixes) => prefixes.some((p) => (p.endsWith('/') ? path.startsWith(p) : path === p));
const selects = (selector, path) => under(path, selector.in) && !under(path, selector.notIn ?? []);
const shown = (pkg) => (pkg === 'node:' ? 'Node built-ins' : pkg);

/**
 * Every import under `root` that crosses a boundary `rules` forbid. Each
 * violation names the importing file, the specifier as written, what it
 * resolves to, and the rule (for `reach`, the chain of files that leads to
 * the package).
 */
export function checkBoundaries(root, rules = RULES) {
  const files = sourceFiles(root);
  /** file -> [{ specifier, kind: 'file' | 'package', target, exists }] */
  const graph = new Map();
  for (const file of files) {
    const edges = importSpecifiers(readSource(root, file)).map((specifier) => {
      if (!specifier.startsWith('.')) return { specifier, kind: 'package', target: packageOf(specifier), exists: true };
      const { path, exists } = resolveRelative(root, file, specifier);
      return { specifier, kind: 'file', target: path, exists };
    });
    graph.set(file, edges);
  }

  /** For `reach`: the shortest chain of files from `file` to one importing `pkg` (memoised), or null. */
  const chains = new Map();
  const chainTo = (file, pkg) => {
    const key = `${pkg}\0${file}`;
    if (!chains.has(key)) chains.set(key, shortestChain(file, pkg));
    return chains.get(key);
  };
  function shortestChain(file, pkg) {
    const previous = new Map([[file, null]]);
    const queue = [file];
    while (queue.length) {
      const current = queue.shift();
      for (const edge of graph.get(current) ?? []) {
        if (edge.kind === 'package' && edge.target === pkg) {
          const chain = [];
          for (let at = current; at !== null; at = previous.get(at)) chain.unshift(at);
          return { chain };
        }
        if (edge.kind === 'file' && edge.exists && !previous.has(edge.target)) {
          previous.set(edge.target, current);
          queue.push(edge.target);
        }
      }
    }
    return null;
  }

  const violations = [];
  for (const rule of rules) {
    for (const file of files) {
      if (!selects(rule.from, file)) continue;
      for (const edge of graph.get(file)) {
        const report = (problem) =>
          violations.push({ rule: rule.name, why: rule.why, file, specifier: edge.specifier, target: edge.target, problem });
        if (edge.kind === 'file') {
          if (under(edge.target, rule.except ?? [])) continue;
          if (rule.mayImport && !selects(rule.mayImport, edge.target))
            report(`imports ${edge.target}, outside ${rule.mayImport.in.join(', ')}`);
          if (rule.mayNotImport && selects(rule.mayNotImport, edge.target)) report(`imports ${edge.target}`);
        } else {
          const { only, deny } = rule.packages ?? {};
          if (only && !only.includes(edge.target)) report(`imports the package ${shown(edge.target)} (allowed: ${only.join(', ')})`);
          if (deny?.includes(edge.target)) report(`imports ${shown(edge.target)}`);
        }
      }
      // A file is at fault where it crosses over: it imports the package, or a file
      // outside `from` that reaches it (files that only reach it through another
      // constrained file are not reported; that file is).
      if (rule.reach) {
        for (const edge of graph.get(file)) {
          const direct = edge.kind === 'package' && edge.target === rule.reach;
          const crossing =
            edge.kind === 'file' && edge.exists && !selects(rule.from, edge.target) ? chainTo(edge.target, rule.reach) : null;
          if (!direct && !crossing) continue;
          const chain = direct ? [file] : [file, ...crossing.chain];
          violations.push({
            rule: rule.name,
            why: rule.why,
            file,
            specifier: edge.specifier,
            target: rule.reach,
            chain,
            problem: direct ? `imports ${rule.reach}` : `reaches ${rule.reach} through ${chain.slice(1).join(' → ')}`,
          });
        }
      }
    }
  }
  return violations;
}

/** One line per violation, for people. */
export function formatViolation(v) {
  return `${v.file}: '${v.specifier}' ${v.problem} [${v.rule}: ${v.why}]`;
}

const invoked = process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url;
if (invoked) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  const violations = checkBoundaries(root);
  for (const v of violations) console.error(formatViolation(v));
  const checked = sourceFiles(root).length;
  if (violations.length) {
    console.error(
      `\n${violations.length} import${violations.length === 1 ? '' : 's'} cross a boundary (${relative(process.cwd(), root) || '.'}${sep}scripts/check-boundaries.mjs lists the rules).`,
    );
    process.exit(1);
  }
  console.log(`Boundaries: ${checked} source files, ${RULES.length} rules, no violation.`);
}
