import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import sharp from 'sharp';

import { imageBytes } from '../../../../core/store/imageFiles.js';
import { Project } from '../../../../core/store/project.js';
import { RecentProjects } from '../../../../core/store/recent.js';
import { tempDir, writeImage } from './fixtures.js';

const temp = tempDir();
let project: Project;
const idOf = (relPath: string) => project.listImages({ offset: 0, limit: 10, search: relPath }).items[0]!.id;

before(async () => {
  await writeImage(temp.dir, 'big.jpg', 1000, 500, 'jpeg');
  await writeImage(temp.dir, 'scan.tiff', 40, 30, 'tiff');
  project = Project.open(temp.dir);
});
after(() => {
  project.close();
  temp.cleanup();
});

test('full bytes of a browser format are the file itself', async () => {
  const { body, contentType } = await imageBytes(project, idOf('big.jpg'), 'full');
  assert.equal(contentType, 'image/jpeg');
  assert.deepEqual(body, readFileSync(join(temp.dir, 'big.jpg')));
});

test('TIFF is served as a cached PNG', async () => {
  const { body, contentType } = await imageBytes(project, idOf('scan.tiff'), 'full');
  assert.equal(contentType, 'image/png');
  const meta = await sharp(body).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['png', 40, 30]);
  assert.equal(readdirSync(join(temp.dir, '.promptlabel', 'cache')).length, 1);
});

test('thumbnails are ≤256 px JPEGs, cached, and refreshed when the file changes', async () => {
  const id = idOf('big.jpg');
  const { body, contentType } = await imageBytes(project, id, 'thumb');
  assert.equal(contentType, 'image/jpeg');
  const meta = await sharp(body).metadata();
  assert.deepEqual([meta.width, meta.height], [256, 128]);
  const thumbs = join(temp.dir, '.promptlabel', 'thumbs');
  assert.equal(readdirSync(thumbs).length, 1);
  await imageBytes(project, id, 'thumb');
  assert.equal(readdirSync(thumbs).length, 1, 'second request uses the cache');
  await writeImage(temp.dir, 'big.jpg', 100, 400, 'jpeg');
  utimesSync(join(temp.dir, 'big.jpg'), new Date(), new Date(Date.now() + 5000));
  const fresh = await sharp((await imageBytes(project, id, 'thumb')).body).metadata();
  assert.deepEqual([fresh.width, fresh.height], [64, 256]);
});

test('recent projects: most recent first, de-duplicated, capped, bad file ignored', () => {
  const file = join(temp.dir, 'config', 'recent.json');
  const recent = new RecentProjects(file);
  assert.deepEqual(recent.list(), []);
  recent.add('/a');
  recent.add('/b');
  recent.add('/a');
  assert.deepEqual(recent.list(), ['/a', '/b']);
  for (let i = 0; i < 20; i++) recent.add(`/p${i}`);
  assert.equal(recent.list().length, 10);
  assert.equal(recent.list()[0], '/p19');
  writeFileSync(file, '{"projects": [42]}');
  assert.deepEqual(recent.list(), []);
  writeFileSync(file, 'not json');
  assert.deepEqual(recent.list(), []);
  recent.add('/c');
  assert.deepEqual(recent.list(), ['/c']);
  assert.ok(existsSync(file));
});
