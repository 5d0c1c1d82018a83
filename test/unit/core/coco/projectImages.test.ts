// withSizes reads the headers of images without a stored size (synchronously
// for PNG and JPEG) and still lets the event loop turn every few hundred
// reads; unreadable files are reported, links out of the project refused.
import assert from 'node:assert/strict';
import { linkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { withSizes } from '../../../../core/coco/projectImages.js';
import { Project } from '../../../../core/store/project.js';
import { tempDir, writeImage } from '../store/fixtures.js';

const temp = tempDir();
const projectDir = join(temp.dir, 'project');
const COPIES = 450; // more than two of withSizes' batches between event-loop turns, and not a multiple of one
let project: Project;
type Row = { id: number; rel_path: string; width: number | null; height: number | null };
const rows = () => project.db.prepare('SELECT id, rel_path, width, height FROM images ORDER BY rel_path').all() as Row[];

before(async () => {
  await writeImage(projectDir, 'wide.png', 30, 10);
  for (let i = 0; i < COPIES; i++) linkSync(join(projectDir, 'wide.png'), join(projectDir, `copy${String(i).padStart(3, '0')}.png`));
  await writeImage(temp.dir, 'outside.png', 5, 5);
  project = Project.open(projectDir);
});
after(() => {
  project.close();
  temp.cleanup();
});

test('every header is read, in the rows’ order, with the event loop turning meanwhile', async () => {
  let turns = 0;
  let finished = false;
  const turn = () => {
    turns++;
    if (!finished) setImmediate(turn);
  };
  setImmediate(turn);
  const given = rows();
  assert.equal(given.length, COPIES + 1);
  assert.ok(given.every((row) => row.width === null));
  const reads: number[] = [];
  const sized = await withSizes(project, given, (done) => reads.push(done));
  finished = true;
  assert.deepEqual(
    sized.map((image) => [image.relPath, image.width, image.height, image.sizeIsNew]),
    given.map((row) => [row.rel_path, 30, 10, true]),
  );
  assert.equal(reads.length, given.length);
  assert.ok(turns >= 2, `the event loop turned ${turns} times during ${given.length} header reads`);
});

test('a stored size is not read again; an unreadable file and a link out of the project are reported', async () => {
  writeFileSync(join(projectDir, 'broken.png'), 'not a png');
  symlinkSync(join(temp.dir, 'outside.png'), join(projectDir, 'escape.png'));
  const wide = rows().find((row) => row.rel_path === 'wide.png')!;
  const known = { ...wide, width: 7, height: 3 };
  const at = (relPath: string): Row => ({ id: -1, rel_path: relPath, width: null, height: null });
  const unreadable: [string, string][] = [];
  const sized = await withSizes(project, [known, at('broken.png'), at('escape.png')], undefined, (row, reason) =>
    unreadable.push([row.rel_path, reason]),
  );
  assert.deepEqual(
    sized.map((image) => [image.relPath, image.width, image.height, image.sizeIsNew]),
    [['wide.png', 7, 3, false]],
  );
  const reasons = new Map(unreadable);
  assert.deepEqual([...reasons.keys()].sort(), ['broken.png', 'escape.png']);
  assert.match(reasons.get('broken.png')!, /Cannot read the image broken\.png/);
  assert.match(reasons.get('escape.png')!, /leads outside the project folder/);
  await assert.rejects(withSizes(project, [at('broken.png')]), /Cannot read the image broken\.png/);
});
