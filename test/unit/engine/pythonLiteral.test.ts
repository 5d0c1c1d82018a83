// Ultralytics' metadata values are Python reprs; the reader takes the few
// literal forms they use and nothing else (never evaluated), and class-name
// lists are validated the same way from a graph, a data.yaml or a text file.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { readNamesFile } from '../../../engine/recognition/namesFile.js';
import { classNamesFrom, parsePythonLiteral, PythonLiteralError } from '../../../engine/recognition/pythonLiteral.js';
import { tempDir } from '../core/store/fixtures.js';

describe('Python literal reader', () => {
  it('reads the forms Ultralytics writes', () => {
    assert.deepEqual(parsePythonLiteral("{0: 'person', 1: 'bicycle', 9: 'traffic light'}"), {
      entries: [
        [0, 'person'],
        [1, 'bicycle'],
        [9, 'traffic light'],
      ],
    });
    assert.deepEqual(parsePythonLiteral('[640, 640]'), [640, 640]);
    assert.deepEqual(parsePythonLiteral('(480, 640)'), [480, 640]);
    assert.equal(parsePythonLiteral('False'), false);
    assert.equal(parsePythonLiteral('True'), true);
    assert.equal(parsePythonLiteral('None'), null);
    assert.equal(parsePythonLiteral('32'), 32);
    assert.equal(parsePythonLiteral('-1.5e3'), -1500);
    assert.deepEqual(parsePythonLiteral("{'batch': 1, 'half': False, 'opset': None}"), {
      entries: [
        ['batch', 1],
        ['half', false],
        ['opset', null],
      ],
    });
    assert.deepEqual(parsePythonLiteral(`{0: "it's", 1: 'say \\'hi\\'', 2: 'caf\\xe9', 3: 'a\\\\b', 4: 'tab\\t'}`), {
      entries: [
        [0, "it's"],
        [1, "say 'hi'"],
        [2, 'café'],
        [3, 'a\\b'],
        [4, 'tab\t'],
      ],
    });
    assert.deepEqual(parsePythonLiteral("['a', 'b',]"), ['a', 'b']);
    assert.deepEqual(parsePythonLiteral('{}'), { entries: [] });
  });

  it('refuses anything else, saying where', () => {
    const refused = (text: string, message: RegExp): void =>
      assert.throws(
        () => parsePythonLiteral(text),
        (e: unknown) => e instanceof PythonLiteralError && message.test(e.message),
      );
    refused("__import__('os').system('rm -rf /')", /not a literal this reader accepts .* at character 1/);
    refused("{0: 'person'", /expected "," or "}"/);
    refused("{0: 'person'} + 1", /unexpected text after the value at character 15/);
    refused("'unclosed", /a string is not closed/);
    refused('{0: lambda: 1}', /not a literal/);
    refused("{[1]: 'x'}", /a dict key must be a string or a number/);
    refused("'\\q'", /an unknown escape/);
    refused('[[[[[[[[[[1]]]]]]]]]]', /nested deeper than 8/);
    refused('', /expected a value, found the end/);
    refused('x'.repeat(1024 * 1024 + 1), /longer than/);
  });

  it('validates class names: indexes 0..n-1 each once, non-empty names', () => {
    assert.deepEqual(classNamesFrom(parsePythonLiteral("{1: 'cat', 0: 'person'}"), 'names'), ['person', 'cat']);
    assert.deepEqual(classNamesFrom(parsePythonLiteral("['person', 'cat']"), 'names'), ['person', 'cat']);
    assert.throws(() => classNamesFrom(parsePythonLiteral("{0: 'a', 2: 'b'}"), 'names'), /class index 2 is not one of 0\.\.1/);
    assert.throws(() => classNamesFrom(parsePythonLiteral("{0: 'a', '0': 'b'}"), 'names'), /class index 0 is given twice/);
    assert.throws(() => classNamesFrom(parsePythonLiteral("{0: ''}"), 'names'), /class 0 is not a non-empty name/);
    assert.throws(() => classNamesFrom(parsePythonLiteral('[1, 2]'), 'names'), /class 0 is not a non-empty name/);
    assert.throws(() => classNamesFrom(parsePythonLiteral('5'), 'names'), /expected a dict of class index to name or a list/);
  });
});

describe('names files', () => {
  const temp = tempDir('promptlabel-names-');
  after(() => temp.cleanup());
  const file = (name: string, text: string): string => {
    const path = join(temp.dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('reads an Ultralytics data.yaml (list or map), an X-AnyLabeling classes list, and one name per line', async () => {
    assert.deepEqual(await readNamesFile(file('map.yaml', 'path: ../datasets/x\nnc: 2\nnames:\n  0: person\n  1: traffic light\n')), [
      'person',
      'traffic light',
    ]);
    assert.deepEqual(await readNamesFile(file('list.yml', 'names: [cat, dog]\n')), ['cat', 'dog']);
    assert.deepEqual(await readNamesFile(file('xal.yaml', 'type: yolov8\nclasses:\n  - a\n  - b\n')), ['a', 'b']);
    assert.deepEqual(await readNamesFile(file('names.txt', 'person\r\n\r\ncat\n')), ['person', 'cat']);
  });

  it('refuses what does not hold names, saying why', async () => {
    await assert.rejects(readNamesFile(file('nc.yaml', 'nc: 3\nnames: [a, b]\n')), /says nc: 3 but lists 2 names/);
    await assert.rejects(readNamesFile(file('none.yaml', 'train: images/\n')), /has no "names" \(or "classes"\) entry/);
    await assert.rejects(readNamesFile(file('bad.yaml', 'names: [a, b\n')), /bad\.yaml is not valid YAML/);
    await assert.rejects(readNamesFile(file('gap.yaml', 'names:\n  0: a\n  2: b\n')), /class index "2" is not one of 0\.\.1/);
    await assert.rejects(readNamesFile(file('empty.txt', '\n\n')), /lists no class names/);
    await assert.rejects(readNamesFile(join(temp.dir, 'missing.yaml')), /no such file/);
  });
});
