// `promptlabel autolabel` as pipelines use it: a run killed with SIGKILL at a
// random point resumes with nothing done twice or lost; shards with --out
// merge into another copy's review queue with `import --proposals`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import Database from 'better-sqlite3';

import { runCli } from '../../../cli/cli.js';
import { Project } from '../../../core/store/project.js';
import { sampleProject } from '../core/autolabel/support.js';
import { ROOT } from '../engine/issue11Fixtures.js';

const IMAGES = 6;
const LABELS = 'red circle,blue square,green triangle,yellow star,sky';
const ARGS = ['--by', 'names', '--model', 'shapes-seem-tiny', '--labels', LABELS, '--points-per-side', '8'];

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const code = await runCli(args, { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t) });
  return { code, ...out };
}

const doneCount = (dir: string): number => {
  const db = new Database(join(dir, '.promptlabel', 'project.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT COUNT(*) AS n FROM job_images WHERE state = 'done'").get() as { n: number }).n;
  } catch {
    return 0; // the child has not created the tables yet
  } finally {
    db.close();
  }
};

describe('promptlabel autolabel', () => {
  const opened: Project[] = [];
  after(() => opened.forEach((p) => p.close()));

  it('resumes a run killed with SIGKILL at a random point: every image once, no duplicate proposals', async () => {
    const { project, dir } = sampleProject(IMAGES);
    project.close();
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'cli', 'bin.ts'), 'autolabel', '--project', dir, ...ARGS], {
      cwd: ROOT,
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // Kill after the first image is committed, somewhere inside a later one.
    const deadline = Date.now() + 120_000;
    while (doneCount(dir) < 1 && Date.now() < deadline && child.exitCode === null) await sleep(100);
    await sleep(Math.floor(Math.random() * 1500));
    child.kill('SIGKILL');
    await exited;
    const before = doneCount(dir);
    assert.ok(before >= 1 && before < IMAGES, `killed with ${before} of ${IMAGES} images done`);

    const resumed = await cli(['autolabel', '--project', dir, ...ARGS]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, new RegExp(`Resuming job .*: ${before} of ${IMAGES} images done before`));
    const reopened = Project.open(dir);
    opened.push(reopened);
    const jobs = reopened.db.prepare('SELECT id, state FROM jobs').all() as { id: string; state: string }[];
    assert.deepEqual(
      jobs.map((j) => j.state),
      ['done'],
      'one job, resumed rather than started again',
    );
    const images = reopened.db.prepare('SELECT image_id, state, proposals FROM job_images').all() as {
      image_id: number;
      state: string;
      proposals: number;
    }[];
    assert.equal(images.length, IMAGES);
    for (const image of images) {
      assert.equal(image.state, 'done');
      const stored = reopened.db.prepare('SELECT label_id, geometry FROM proposals WHERE image_id = ?').all(image.image_id) as {
        label_id: string;
        geometry: string;
      }[];
      assert.equal(stored.length, image.proposals, `image ${image.image_id}: the proposals of one run, not two`);
      assert.equal(new Set(stored.map((p) => `${p.label_id} ${p.geometry}`)).size, stored.length, 'no proposal twice');
    }
  });

  it('shards with --out cover the folder once and merge into another copy with import --proposals', async () => {
    const { project, dir } = sampleProject(4);
    project.close();
    const outs = [0, 1].map((i) => join(dir, 'exports', `shard-${i}.json`));
    for (const [i, out] of outs.entries()) {
      const run = await cli(['autolabel', '--project', dir, ...ARGS, '--shard', `${i}/2`, '--out', out]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /Job .* done: 2 images done, 0 failed/);
    }
    const source = Project.open(dir);
    opened.push(source);
    const made = (source.db.prepare('SELECT COUNT(*) AS n FROM proposals').get() as { n: number }).n;
    const copy = sampleProject(4).project;
    opened.push(copy);
    let merged = 0;
    for (const out of outs) {
      const run = await cli(['import', '--project', copy.dir, '--proposals', out]);
      assert.equal(run.code, 0, run.stderr);
      merged += Number(/Imported (\d+) proposals/.exec(run.stdout)?.[1]);
    }
    assert.equal(merged, made);
    assert.equal((copy.db.prepare('SELECT COUNT(*) AS n FROM proposals').get() as { n: number }).n, made);
  });

  it('refuses bad arguments with the usage', async () => {
    const { project, dir } = sampleProject(1);
    project.close();
    for (const [args, message] of [
      [['--by', 'everything'], /--by must be one of/],
      [['--by', 'names', '--shard', '2/2'], /--shard must be I\/N/],
      [['--by', 'names', '--chain', 'x'], /--chain goes with --by detector/],
      [['--by', 'names', '--min-score', 'high'], /--min-score must be a number/],
    ] as const) {
      const run = await cli(['autolabel', '--project', dir, ...args]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, message);
    }
    const unknown = await cli(['autolabel', '--project', dir, '--by', 'names', '--model', 'shapes-seem-tiny', '--labels', 'unicorn']);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /No label named "unicorn"/);
  });
});
