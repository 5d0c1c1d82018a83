// A file that is not JSON is refused with the line, column and what was
// expected, never with its own text: importing /etc/shadow or
// /proc/self/environ used to answer with their first characters.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { AppError } from '../../../../common/contract/index.js';
import { importCoco } from '../../../../core/coco/import.js';
import { createHost } from '../../../../core/host/createHost.js';
import { Project } from '../../../../core/store/project.js';
import { readManifest } from '../../../../engine/worker/models/segmenter/manifest.js';
import { describeJsonSyntaxError } from '../../../../files/jsonSyntax.js';
import { tempDir } from '../store/fixtures.js';
import { writeProjectImages } from './cocoFixtures.js';

const SECRET = 'hunter2-s3cr3t-T0KEN';
const temp = tempDir();
let project: Project;
before(async () => {
  await writeProjectImages(temp.dir);
  project = Project.open(temp.dir);
});
after(() => {
  project.close();
  temp.cleanup();
});

async function importMessage(file: string): Promise<string> {
  let message = '';
  await assert.rejects(importCoco(project, file), (error: unknown) => {
    assert.ok(error instanceof AppError && error.code === 'invalid_file', String(error));
    message = error.message;
    return true;
  });
  return message;
}

test('secret-looking text is refused by position, without a byte of it in the message', async () => {
  const cases: [string, RegExp][] = [
    [`${SECRET}:x:0:0:root:/root:/bin/bash\n`, /line 1, column 1: expected a value .*found a letter/],
    [
      `{"images": [], "annotations": [], "categories": [],\n  "note": "${SECRET}\n"}`,
      /line 2, column \d+: expected an escape such as \\n instead of a raw line break/,
    ],
    [`{"images": []\n,\n  ${SECRET}: 1}`, /line 3, column 3: expected a property name in double quotes, found a letter/],
    [`[1, 2, ${SECRET}]`, /line 1, column 8: expected a value/],
    [`{"a": "${SECRET}"`, /line 1, column \d+: expected ',' or '}', found the end of the text/],
  ];
  for (const [index, [text, expected]] of cases.entries()) {
    const file = join(temp.dir, `secret-${index}.json`);
    writeFileSync(file, text);
    const message = await importMessage(file);
    assert.match(message, expected);
    for (const fragment of [SECRET, SECRET.slice(0, 6), 'root:x', 'hunter'])
      assert.ok(!message.includes(fragment), `${message} leaks "${fragment}"`);
  }
});

test('system files answer without their contents', { skip: !existsSync('/proc/self/environ') && 'no /proc here' }, async () => {
  process.env.PROMPTLABEL_TEST_SECRET = SECRET;
  for (const file of ['/proc/self/environ', '/etc/passwd', '/etc/hostname'].filter((path) => existsSync(path))) {
    const message = await importMessage(file);
    // NUL-separated /proc files are binary; the others text that is not JSON.
    assert.match(message, /is not valid JSON: line \d+, column \d+: expected|is not a JSON file: it holds binary data \(NUL bytes\)/, file);
    assert.ok(!message.includes(SECRET) && !message.includes('PATH=') && !message.includes('root:'), message);
  }
});

test('the host answers coco.import of a secret file by position only', async () => {
  const host = createHost({ mode: 'browser', userDataDir: join(temp.dir, 'user-data') });
  try {
    assert.ok((await host.dispatch('project.open', { dir: temp.dir })).ok);
    const file = join(temp.dir, 'shadow');
    writeFileSync(file, `root:${SECRET}:19000:0:99999:7:::\n`);
    const result = await host.dispatch('coco.import', { path: file });
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.error.code, 'invalid_file');
      assert.ok(!result.error.message.includes(SECRET) && !result.error.message.includes('root'), result.error.message);
    }
  } finally {
    await host.close();
  }
});

test('a model manifest that is not JSON is refused the same way', async () => {
  const dir = join(temp.dir, 'model');
  mkdirSync(dir);
  writeFileSync(join(dir, 'manifest.json'), SECRET);
  await assert.rejects(
    readManifest(dir),
    (error: unknown) => error instanceof AppError && /line 1, column 1/.test(error.message) && !error.message.includes(SECRET),
  );
});

test('the scanner agrees with JSON.parse on valid text and on deep nesting', () => {
  assert.equal(describeJsonSyntaxError(JSON.stringify({ a: [1, -2.5e-3, 'x\n"y', true, null, { b: {} }] })), 'it does not parse');
  assert.match(describeJsonSyntaxError('['.repeat(200_000)), /column 200001: expected a value/);
  assert.match(describeJsonSyntaxError('{"a":1}}'), /column 8: expected the end of the text, found '}'/);
});
