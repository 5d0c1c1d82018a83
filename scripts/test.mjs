// `npm test`: builds, then runs every test file (unit, model, end-to-end) in
// one node:test run so the summary covers all of them. `npm test -- unit`
// (or e2e, unit/models, …) runs one folder, building only for e2e. Node 20
// has no glob support in --test, so the files are listed here.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.argv.slice(2); // optional folders under test/, e.g. `npm test -- unit`

function testFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testFiles(path);
    return name.endsWith('.test.ts') ? [relative(root, path)] : [];
  });
}

const folders = only.length ? only.map((name) => join(root, 'test', name)) : [join(root, 'test')];
const files = folders.flatMap(testFiles).sort();
if (files.length === 0) {
  console.error('No test files found.');
  process.exit(1);
}

const run = (args) => spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' }).status ?? 1;
// Only the end-to-end tests load the built app.
const needsBuild = files.some((file) => file.startsWith(join('test', 'e2e')));
if (needsBuild && run([join(root, 'scripts', 'build.mjs')]) !== 0) process.exit(1);
// One file at a time: the end-to-end files each start a host and a browser on a 2-core machine.
process.exit(run(['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files]));
