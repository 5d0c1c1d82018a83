// The file's kind is decided first: each refusal says what the file is and
// what is unsupported, through the core, the host and the CLI; nothing is
// written; no byte of a binary file is echoed.
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import sharp from 'sharp';

import { runCli } from '../../../../cli/cli.js';
import { AppError } from '../../../../common/contract/index.js';
import { detectCocoKind } from '../../../../core/coco/fileKind.js';
import { importCoco } from '../../../../core/coco/import.js';
import { createHost } from '../../../../core/host/createHost.js';
import { Project } from '../../../../core/store/project.js';
import { tempDir, writeImage } from '../store/fixtures.js';

const FOREIGN = join(import.meta.dirname, '../../../fixtures/coco-foreign');
const temp = tempDir();
let project: Project;
before(async () => {
  await writeImage(temp.dir, 'a.png', 20, 10);
  project = Project.open(temp.dir);
});
after(() => {
  project.close();
  temp.cleanup();
});

let counter = 0;
function write(content: string | Buffer): string {
  const file = join(temp.dir, `in-${++counter}.json`);
  writeFileSync(file, content);
  return file;
}

async function refusal(file: string): Promise<AppError> {
  const labels = project.labels().length;
  try {
    await importCoco(project, file);
  } catch (error) {
    assert.ok(error instanceof AppError && error.code === 'invalid_file', String(error));
    assert.equal(project.labels().length, labels, 'nothing was written');
    assert.equal(project.annotations(1).length, 0);
    return error;
  }
  assert.fail('the import was not refused');
}

test('kinds: instances, captions (also with "categories": []), results, panoptic', () => {
  assert.equal(
    detectCocoKind({ images: [], annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 1, 1] }], categories: [] }).kind,
    'instances',
  );
  assert.equal(detectCocoKind({ images: [], annotations: [{ id: 1, image_id: 1, caption: 'a cat' }], categories: [] }).kind, 'captions');
  assert.equal(detectCocoKind({ images: [], annotations: [] }).kind, 'captions');
  assert.equal(detectCocoKind({ images: [], annotations: [], categories: [{ id: 1, name: 'a' }] }).kind, 'instances');
  assert.equal(detectCocoKind([{ image_id: 1, category_id: 1, bbox: [0, 0, 1, 1], score: 0.5 }]).kind, 'results');
  assert.equal(
    detectCocoKind({ images: [], annotations: [{ image_id: 1, file_name: 'a.png', segments_info: [] }], categories: [] }).kind,
    'panoptic',
  );
  assert.equal(detectCocoKind(42).kind, 'unknown');
});

test('a captions file with "categories": [] (datumaro, CVAT) imports as captions', async () => {
  const file = write(
    JSON.stringify({
      info: {},
      categories: [],
      images: [{ id: 7, file_name: 'a.png', width: 20, height: 10 }],
      annotations: [{ id: 1, image_id: 7, caption: 'a blue picture' }],
    }),
  );
  const summary = await importCoco(project, file);
  assert.deepEqual([summary.kind, summary.captions, summary.annotations], ['captions', 1, 0]);
  assert.deepEqual(
    project.captions(1).map((c) => c.text),
    ['a blue picture'],
  );
});

test("cocoapi's results files are refused as results, with the proposals import to use instead", async () => {
  for (const name of [
    'cocoapi-fakebbox-results-excerpt.json',
    'cocoapi-fakesegm-results-excerpt.json',
    'cocoapi-fakecap-results-excerpt.json',
  ]) {
    const file = join(temp.dir, name);
    copyFileSync(join(FOREIGN, name), file);
    const error = await refusal(file);
    assert.match(
      error.message,
      /is a COCO results file .*import them as proposals to review \(promptlabel import --proposals FILE\)/,
      name,
    );
    assert.doesNotMatch(error.message, /caption/i, 'no word about captions');
  }
});

test('a panoptic file, a number, 1e400 and an object without annotations say what they are', async () => {
  const panoptic = await refusal(
    write(
      JSON.stringify({
        images: [],
        categories: [{ id: 1, name: 'a', isthing: 1 }],
        annotations: [{ image_id: 1, file_name: 'a.png', segments_info: [] }],
      }),
    ),
  );
  assert.match(panoptic.message, /is a COCO panoptic file .* panoptic import is not supported/);
  assert.match(
    (await refusal(write('1e400'))).message,
    /is not a COCO file: its top level is a number out of range \(beyond what a 64-bit float holds, like 1e400\)/,
  );
  assert.match((await refusal(write('{"images": []}'))).message, /is not a COCO file: it has no "annotations" list \(its keys: "images"\)/);
  const inBox = await refusal(
    write(
      '{"images":[{"id":1,"file_name":"a.png","width":20,"height":10}],"categories":[{"id":1,"name":"a"}],' +
        '"annotations":[{"id":1,"image_id":1,"category_id":1,"bbox":[1e400,0,1,1]}]}',
    ),
  );
  assert.equal(inBox.path, 'annotations[0].bbox[0]');
  assert.match(inBox.message, /annotations\[0\]\.bbox\[0\]: a number out of range/);
});

test('binary input is refused by kind, without a byte of it', async () => {
  const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#123456' } })
    .png()
    .toBuffer();
  const latin1 = Buffer.from([0x7b, 0x22, 0xe9, 0xff, 0xfe, 0x22, 0x7d]);
  for (const [bytes, kind] of [
    [png, 'a PNG image'],
    [latin1, 'bytes that are not UTF-8 text'],
    [Buffer.from('{"a": "\u0000secret"}'), 'NUL bytes'],
  ] as const) {
    const error = await refusal(write(bytes));
    assert.match(error.message, new RegExp(`is not a JSON file: it holds binary data \\(${kind}\\)`));
    assert.ok(!/PNG|IHDR|secret|\ufffd/.test(error.message.replace('a PNG image', '')), error.message);
  }
});

test('through the host and the CLI: a results file is refused as such, exit 1', async () => {
  const file = join(temp.dir, 'results.json');
  copyFileSync(join(FOREIGN, 'cocoapi-fakebbox-results-excerpt.json'), file);
  const host = createHost({ mode: 'browser', userDataDir: join(temp.dir, 'user-data') });
  try {
    assert.ok((await host.dispatch('project.open', { dir: temp.dir })).ok);
    const result = await host.dispatch('coco.import', { path: file });
    assert.ok(!result.ok && result.error.code === 'invalid_file' && /COCO results file/.test(result.error.message), JSON.stringify(result));
  } finally {
    await host.close();
  }
  const out = { stdout: '', stderr: '' };
  const io = { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) };
  project.close();
  try {
    assert.equal(await runCli(['import', '--project', temp.dir, '--coco', file], io), 1);
    assert.match(out.stderr, /COCO results file.*promptlabel import --proposals FILE/);
  } finally {
    project = Project.open(temp.dir);
  }
});
