#!/usr/bin/env node
// `npm run lint:electron`: Doyensec's Electronegativity over the Electron code
// (electron/) and the renderer it loads (renderer/index.html, renderer/src),
// offline. Every finding must be listed, with its justification, in
// scripts/electronegativity.allow.json; a finding that is not listed, or a
// listed one that no longer occurs, fails the run (exit 1), so a new finding
// fails CI and the list cannot go stale.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const configPath = join(root, 'scripts', 'electronegativity.allow.json');
const config = JSON.parse(readFileSync(configPath, 'utf8'));
const require = createRequire(import.meta.url);

// Offline, always: the scanner fetches fresh translations from S3 at start-up
// (and its excluded AvailableSecurityFixes check, Electron's release list).
// Its `got` answers "offline" at once, so it uses the translations it ships.
const scanner = dirname(require.resolve('@doyensec/electronegativity/package.json'));
const gotPath = createRequire(join(scanner, 'dist', 'locales', 'i18n.js')).resolve('got');
const offline = new Module(gotPath);
offline.filename = gotPath;
offline.loaded = true;
offline.exports = () => Promise.reject(new Error('electronegativity runs offline here'));
require.cache[gotPath] = offline;
const run = require('@doyensec/electronegativity');

function electronVersion() {
  try {
    return JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
  } catch {
    const range = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies?.electron ?? '';
    return range.replace(/^[^\d]*/, '');
  }
}

// The scanned tree, staged so finding paths read "electron/main/main.ts" and nothing else is scanned.
const stage = mkdtempSync(join(tmpdir(), 'promptlabel-electronegativity-'));
let result;
const quietLog = console.log;
try {
  for (const path of config.scan) {
    cpSync(join(root, path), join(stage, path), { recursive: true, filter: (source) => !source.split(sep).includes('node_modules') });
  }
  console.log = (...args) => {
    if (!/Could not retrieve updated translations/.test(String(args[0]))) quietLog(...args);
  };
  result = await run(
    {
      input: stage,
      isRelative: true,
      customScan: [],
      excludeFromScan: config.excludeChecks.map((entry) => entry.check.toLowerCase()),
      parserPlugins: [],
      electronVersionOverride: electronVersion(),
    },
    false,
  );
} finally {
  console.log = quietLog;
  rmSync(stage, { recursive: true, force: true });
}

const posix = (file) => file.split(sep).join('/');
const unparsed = result.errors.filter((error) => !error.tolerable);
const findings = result.issues.map((issue) => ({
  id: issue.id,
  file: issue.file === 'N/A' ? 'N/A' : posix(relative(stage, issue.file).startsWith('..') ? issue.file : relative(stage, issue.file)),
  line: issue.location?.line ?? 0,
  sample: typeof issue.sample === 'string' && issue.sample !== '' ? issue.sample : null,
  description: issue.description,
}));

// Each allow-list entry accounts for one finding: same check, same file, same source line (or CSP).
const unused = config.allow.map((entry, index) => ({ ...entry, index }));
const rows = findings.map((finding) => {
  const match = unused.findIndex(
    (entry) => entry.id === finding.id && entry.file === finding.file && (entry.sample ?? null) === finding.sample,
  );
  const entry = match >= 0 ? unused.splice(match, 1)[0] : null;
  return { finding, entry };
});

console.log(
  `Electronegativity ${require('@doyensec/electronegativity/package.json').version} (Electron ${electronVersion()}), ${result.atomicChecks} atomic + ${result.globalChecks} global checks over ${config.scan.join(', ')}`,
);
for (const { finding, entry } of rows) {
  const where = `${finding.file}:${finding.line}`;
  console.log(`  ${entry ? 'allowed' : 'NEW    '}  ${finding.id}  ${where}`);
  console.log(`           ${entry ? entry.why : `${finding.description}${finding.sample ? `\n           ${finding.sample}` : ''}`}`);
}
for (const entry of unused)
  console.log(
    `  STALE    ${entry.id}  ${entry.file}: listed in ${relative(root, configPath)} (entry ${entry.index + 1}) but no longer reported; remove it`,
  );
for (const error of unparsed)
  console.log(`  UNPARSED ${posix(relative(stage, error.file))}: ${error.message} (the scanner could not read it)`);

const fresh = rows.filter((row) => !row.entry).length;
console.log(
  `${findings.length} finding(s): ${findings.length - fresh} allowed, ${fresh} new; ${unused.length} stale allow-list entr${unused.length === 1 ? 'y' : 'ies'}; ${unparsed.length} unparsed file(s).`,
);
if (fresh > 0 || unused.length > 0 || unparsed.length > 0) {
  console.log(`Fix the new findings, or list a reviewed false positive with its justification in ${relative(root, configPath)}.`);
  process.exit(1);
}
