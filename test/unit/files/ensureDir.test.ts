// Folders are created without Node's recursive mkdir, which spins forever on
// ENOENT under an existing parent (/proc/newdir), and nothing is created where
// a project cannot live.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { AppError } from '../../../common/contract/index.js';
import { Project } from '../../../core/store/project.js';
import { ensureDir } from '../../../files/ensureDir.js';
import { tempDir } from '../core/store/fixtures.js';

const hasProc = existsSync('/proc/self');

test('ensureDir makes every missing parent and accepts a folder that exists', () => {
  const temp = tempDir();
  try {
    const deep = join(temp.dir, 'a', 'b', 'c');
    ensureDir(deep);
    assert.ok(statSync(deep).isDirectory());
    ensureDir(deep);
    ensureDir(temp.dir);
  } finally {
    temp.cleanup();
  }
});

test('ensureDir refuses a file in the way, in words', () => {
  const temp = tempDir();
  try {
    writeFileSync(join(temp.dir, 'file'), 'x');
    assert.throws(
      () => ensureDir(join(temp.dir, 'file', 'sub', 'deeper')),
      (error: unknown) => error instanceof AppError && error.code === 'bad_request' && /is a file, not a folder/.test(error.message),
    );
  } finally {
    temp.cleanup();
  }
});

test('ensureDir under /proc fails at once instead of spinning', { skip: !hasProc && 'no /proc here' }, () => {
  const started = performance.now();
  assert.throws(
    () => ensureDir('/proc/promptlabel-newdir/x'),
    (error: unknown) => error instanceof AppError && error.code === 'bad_request' && /Cannot create folders in \/proc/.test(error.message),
  );
  assert.ok(performance.now() - started < 1000);
});

test('system folders and the root of the file system cannot be opened as projects', { skip: !hasProc && 'no /proc here' }, () => {
  for (const dir of ['/proc', '/sys/kernel', '/dev', '/']) {
    assert.throws(
      () => Project.open(dir),
      (error: unknown) =>
        error instanceof AppError && error.code === 'bad_request' && /system folder|root of a file system/.test(error.message),
      dir,
    );
  }
  assert.equal(existsSync('/proc/.promptlabel'), false);
});

test(
  'a host answers project.open /proc and coco.export /proc/newdir/x.json promptly (no hang)',
  { skip: !hasProc && 'no /proc here' },
  () => {
    const child = fileURLToPath(new URL('../core/store/systemPathsChild.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', child], { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
    assert.equal(run.signal, null, `the host hung (killed after 60 s)\n${run.stdout}\n${run.stderr}`);
    assert.equal(run.status, 0, run.stderr);
    const answers = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { request: string; result: { ok: boolean; error?: { code: string; message: string } } });
    assert.equal(answers.length, 9);
    for (const { request, result } of answers) {
      assert.equal(result.ok, false, request);
      assert.equal(result.error?.code, 'bad_request', `${request}: ${result.error?.message}`);
    }
    assert.match(answers.find((a) => a.request === 'export /proc/newdir/x.json')!.result.error!.message, /\/proc/);
  },
);
