// The ONNX signature reader: hand-built protobuf bytes with each field the
// reader uses (and ones it must skip), refusals of empty, truncated and
// garbage input with clear messages, and every real ONNX file of the
// repository read the same way onnxruntime reads it.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import * as ort from 'onnxruntime-node';

import { OnnxFormatError, readOnnxBytes, readOnnxFile } from '../../../engine/recognition/onnxGraph.js';
import { tempDir } from '../core/store/fixtures.js';
import { bytesField, initializer, intField, message, modelBytes, tag, valueInfo, varint } from './onnxBytes.js';

const FLOAT = 1;
const INT32 = 6;
const INT64 = 7;
const FLOAT16 = 10;

async function refused(bytes: Uint8Array, message: RegExp): Promise<void> {
  await assert.rejects(readOnnxBytes(bytes, 'model.onnx'), (error: unknown) => {
    assert.ok(error instanceof OnnxFormatError, `expected an OnnxFormatError, got ${String(error)}`);
    assert.match(error.message, message);
    return true;
  });
}

describe('ONNX signature reader (hand-built bytes)', () => {
  it('reads inputs, outputs, element types, shapes, metadata, opsets and producer', async () => {
    const bytes = modelBytes({
      producer: 'exporter',
      opset: 17,
      graph: [
        message(1, bytesField(1, 'x'), bytesField(2, 'y'), bytesField(4, 'Identity')), // a node: skipped
        valueInfo(11, 'images', FLOAT, [1, 3, 'height', 'width']),
        valueInfo(11, 'sizes', INT32, [2]),
        valueInfo(11, 'anything', INT64, null),
        valueInfo(12, 'output0', FLOAT, [1, 84, null]),
        valueInfo(12, 'half', FLOAT16, [-1, 2]),
      ],
      metadata: [
        ['names', "{0: 'person', 1: 'bicycle'}"],
        ['task', 'detect'],
      ],
    });
    const info = await readOnnxBytes(bytes);
    assert.equal(info.irVersion, 8);
    assert.equal(info.producer, 'exporter');
    assert.deepEqual(info.opsets, { '': 17 });
    assert.deepEqual(info.inputs, [
      { name: 'images', type: 'float32', shape: [1, 3, 'height', 'width'] },
      { name: 'sizes', type: 'int32', shape: [2] },
      { name: 'anything', type: 'int64', shape: null },
    ]);
    assert.deepEqual(info.outputs, [
      { name: 'output0', type: 'float32', shape: [1, 84, null] },
      { name: 'half', type: 'float16', shape: [null, 2] },
    ]);
    assert.deepEqual(info.metadata, { names: "{0: 'person', 1: 'bicycle'}", task: 'detect' });
  });

  it('leaves out initializers listed as inputs (IR < 4 exporters) and collects external-data files', async () => {
    const bytes = modelBytes({
      irVersion: 3,
      graph: [
        initializer('weight'),
        initializer('big', 'encoder.onnx.data'),
        initializer('bigger', 'encoder.onnx.data'),
        initializer('other', 'weights/part2.bin'),
        valueInfo(11, 'x', FLOAT, [1, 3, 8, 8]),
        valueInfo(11, 'weight', FLOAT, [4]),
        valueInfo(11, 'big', FLOAT, [4]),
        valueInfo(12, 'y', FLOAT, [1, 4]),
      ],
    });
    const info = await readOnnxBytes(bytes);
    assert.deepEqual(
      info.inputs.map((t) => t.name),
      ['x'],
    );
    assert.deepEqual(info.externalData, ['encoder.onnx.data', 'weights/part2.bin']);
  });

  it('skips fields it does not know, in any order, of every wire type', async () => {
    const unknown = [
      bytesField(6, 'a doc string'),
      intField(5, 42),
      Buffer.concat([tag(30, 1), Buffer.alloc(8)]),
      Buffer.concat([tag(31, 5), Buffer.alloc(4)]),
      message(20, bytesField(1, 'training info')),
    ];
    const info = await readOnnxBytes(
      modelBytes({ prefix: unknown, graph: [valueInfo(11, 'a', FLOAT, [1]), valueInfo(12, 'b', FLOAT, [1])] }),
    );
    assert.deepEqual(
      info.outputs.map((t) => t.name),
      ['b'],
    );
  });

  it('refuses an empty file', async () => {
    await refused(new Uint8Array(0), /empty \(0 bytes\)/);
  });

  it('refuses every truncation that cuts into the graph, naming the byte', async () => {
    const bytes = modelBytes({
      graph: [valueInfo(11, 'image_embeddings', FLOAT, [1, 256, 64, 64]), valueInfo(12, 'masks', FLOAT, [1, 4, 'H', 'W'])],
    });
    const graphStart = bytes.indexOf(Buffer.from([0x3a])); // field 7, wire type 2
    const graphEnd = bytes.indexOf(Buffer.from([0x42]), graphStart + 2); // opset_import follows the graph
    assert.ok(graphStart > 0 && graphEnd > graphStart);
    for (let cut = graphStart + 1; cut < graphEnd; cut++) {
      await refused(bytes.subarray(0, cut), /not a readable ONNX model: .*\(at byte \d+\); is it truncated, or another kind of file\?/);
    }
  });

  it('refuses text, images and random bytes', async () => {
    await refused(Buffer.from('{"name": "not a model"}'), /not a readable ONNX model/);
    await refused(Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), /not a readable ONNX model/);
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 200; i++) {
      const garbage = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 300) }, () => Math.floor(random() * 256)));
      await refused(garbage, /not a readable ONNX model|not a usable ONNX model/);
    }
  });

  it('refuses protobuf that is not a model: no ir_version, no graph, a group, field 0, an over-long number', async () => {
    const graph = [valueInfo(12, 'y', FLOAT, [1])];
    await refused(modelBytes({ irVersion: null, graph }), /no ONNX ir_version/);
    await refused(modelBytes({ graph: null }), /no graph/);
    await refused(Buffer.concat([intField(1, 8), tag(9, 3)]), /wire type 3/);
    await refused(Buffer.concat([Buffer.from([0x00]), intField(1, 8)]), /field number 0/);
    await refused(Buffer.concat([tag(1, 0), Buffer.alloc(11, 0xff)]), /longer than 10 bytes/);
    await refused(modelBytes({ graph: [] }), /declares no outputs/);
  });

  it('bounds what it reads: a metadata value over 1 MB and a name over 4 kB are refused', async () => {
    const graph = [valueInfo(12, 'y', FLOAT, [1])];
    await refused(modelBytes({ graph, metadata: [['names', 'x'.repeat(1024 * 1024 + 1)]] }), /more than the 1048576 allowed/);
    await refused(modelBytes({ graph: [valueInfo(12, 'y'.repeat(5000), FLOAT, [1])] }), /more than the 4096 allowed/);
  });

  it('reads a file in windows: a 3 MB initializer is skipped, a 100 kB metadata value read across windows', async () => {
    const temp = tempDir('promptlabel-onnx-');
    try {
      const big = message(5, intField(1, 750_000), intField(2, 1), bytesField(8, 'w'), bytesField(9, Buffer.alloc(3_000_000, 1)));
      const value = 'v'.repeat(100_000);
      const bytes = modelBytes({
        graph: [valueInfo(11, 'x', FLOAT, [1, 3]), big, valueInfo(12, 'y', FLOAT, [1, 3])],
        metadata: [
          ['long', value],
          ['after', 'ok'],
        ],
      });
      const path = join(temp.dir, 'big.onnx');
      writeFileSync(path, bytes);
      const info = await readOnnxFile(path);
      assert.deepEqual([info.inputs[0]?.name, info.outputs[0]?.name], ['x', 'y']);
      assert.equal(info.metadata.long, value);
      assert.equal(info.metadata.after, 'ok');
      writeFileSync(join(temp.dir, 'empty.onnx'), '');
      await assert.rejects(readOnnxFile(join(temp.dir, 'empty.onnx')), /empty.onnx is empty \(0 bytes\)/);
      await assert.rejects(readOnnxFile(join(temp.dir, 'missing.onnx')), /no such file/);
    } finally {
      temp.cleanup();
    }
  });

  it('writes varints the way protobuf does (a check of the test writer itself)', () => {
    assert.deepEqual([...varint(300)], [0xac, 0x02]);
    assert.deepEqual([...varint(-1)].length, 10);
  });
});

describe('ONNX signature reader (real files), against onnxruntime', () => {
  const root = join(import.meta.dirname, '..', '..', '..');
  const folders = [
    'test/fixtures/sam-format',
    'test/fixtures/sam2',
    'test/fixtures/yolo',
    'test/fixtures/sam',
    'test/fixtures/mobilesam',
    'test/fixtures/signatures',
    'models/shapes-seem-tiny',
  ];
  const files = folders.flatMap((f) =>
    existsSync(join(root, f))
      ? readdirSync(join(root, f))
          .filter((n) => n.endsWith('.onnx'))
          .map((n) => join(f, n))
      : [],
  );
  const temp = tempDir('promptlabel-onnx-real-');
  after(() => temp.cleanup());

  it('finds the repository fixtures', () => {
    assert.ok(files.length >= 20, `only ${files.length} ONNX files found`);
  });

  for (const file of files) {
    it(`reads ${file} as onnxruntime does`, async () => {
      const path = join(root, file);
      const info = await readOnnxFile(path);
      if (file.endsWith('missing-op.onnx')) {
        // Made to be refused by onnxruntime (an operator no build has); its signature still reads.
        await assert.rejects(ort.InferenceSession.create(path, { executionProviders: ['cpu'] }), /NoSuchOperator/);
        assert.deepEqual([info.inputs[0]?.name, info.outputs[0]?.name], ['images', 'output0']);
        return;
      }
      // No graph optimisation: only the declared signature is compared, and SAM 2's encoder takes seconds to optimise.
      const session = await ort.InferenceSession.create(path, { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled' });
      try {
        assert.deepEqual(
          info.inputs.map((t) => t.name),
          [...session.inputNames],
        );
        assert.deepEqual(
          info.outputs.map((t) => t.name),
          [...session.outputNames],
        );
        // Inputs as declared; onnxruntime reports outputs after its own shape inference, so only their types and ranks compare.
        const compare = (mine: (typeof info.inputs)[number], theirs: ort.InferenceSession.ValueMetadata, dims: boolean): void => {
          assert.ok(theirs.isTensor);
          assert.equal(mine.type, theirs.type, `${mine.name} type`);
          const shape = mine.shape ?? [];
          assert.equal(shape.length, theirs.shape.length, `${mine.name} rank`);
          if (dims) shape.forEach((d, i) => d !== null && assert.equal(d, theirs.shape[i], `${mine.name} dim ${i}`));
        };
        info.inputs.forEach((t, i) => compare(t, session.inputMetadata[i]!, true));
        info.outputs.forEach((t, i) => compare(t, session.outputMetadata[i]!, false));
      } finally {
        await session.release();
      }
      // A truncated copy is refused, never read past its end.
      const cut = join(temp.dir, file.replace(/[\\/]/g, '_'));
      const bytes = readFileSync(path);
      writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
      await assert.rejects(readOnnxFile(cut), OnnxFormatError);
    });
  }

  it(
    'reads the Ultralytics metadata of the YOLO fixture as the generator wrote it',
    { skip: !existsSync(join(root, 'test/fixtures/yolo/expected.json')) },
    async () => {
      const info = await readOnnxFile(join(root, 'test/fixtures/yolo/yolo-det.onnx'));
      const expected = JSON.parse(readFileSync(join(root, 'test/fixtures/yolo/expected.json'), 'utf8')) as {
        names: Record<string, string>;
      };
      assert.equal(
        info.metadata.names,
        `{${Object.entries(expected.names)
          .map(([k, v]) => `${k}: '${v}'`)
          .join(', ')}}`,
      );
      assert.equal(info.metadata.task, 'detect');
      assert.equal(info.metadata.imgsz, '[640, 640]');
    },
  );
});
