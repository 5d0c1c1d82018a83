// Adding a model by its files (issue 11 item 1): each fixture recognised from
// its graphs alone (the real-format SAM, MobileSAM, SAM 2 and YOLO fixtures,
// the built-in model rewritten in SAM's format, and the tiny signature
// graphs of test/fixtures/signatures); every refusal names what was found
// and what was expected and installs nothing; an install copies (never
// touches the originals), writes a manifest its kind's schema accepts, and
// the registry lists the model with its prompt capabilities. One install
// goes through onnxruntime and the engine, timed from the files to a mask.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { AppError } from '../../../common/contract/result.js';
import { InferenceEngine } from '../../../engine/engine.js';
import { addModelFromFiles, type AddOptions } from '../../../engine/recognition/addModel.js';
import { recogniseModel } from '../../../engine/recognition/recognise.js';
import { removeUserModel } from '../../../engine/recognition/removeModel.js';
import { listModels } from '../../../engine/registry.js';
import { parseSam2Manifest } from '../../../engine/worker/models/sam2/manifest.js';
import { parseManifest } from '../../../engine/worker/models/segmenter/manifest.js';
import { parseDetectorManifest } from '../../../engine/worker/models/yolo/manifest.js';
import { tempDir } from '../core/store/fixtures.js';
import { filesSource } from './issue11Fixtures.js';
import { initializer, modelBytes, valueInfo } from './onnxBytes.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const BUILTIN = join(ROOT, 'models');
const F = (...parts: string[]): string => join(ROOT, 'test', 'fixtures', ...parts);
const SIG = (name: string): string => F('signatures', name);
const has = (...paths: string[]): boolean => paths.every((p) => existsSync(p));

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Every file under a folder (hidden ones too): a refused add must leave none. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('recognising a model from its files', () => {
  const cases: { name: string; paths: string[]; names?: string; family: string; description: RegExp; present?: boolean }[] = [
    {
      name: 'the built-in model in SAM format (folder)',
      paths: [F('sam-format')],
      family: 'sam',
      description: /Segment Anything decoder \(3 masks.*normalised \[1, 3, 1024, 1024\]/,
    },
    {
      name: 'the official SAM decoder export + normalised encoder (real fixture)',
      paths: [F('sam', 'encoder.onnx'), F('sam', 'decoder.onnx')],
      family: 'sam',
      description: /decoder \(4 masks, embeddings \[1, 256, 64, 64\]\) \+ Segment Anything encoder \(normalised/,
    },
    {
      name: 'MobileSAM raw-image encoder + the SAM decoder (real fixture)',
      paths: [F('mobilesam', 'encoder.onnx'), F('sam', 'decoder.onnx')],
      family: 'sam',
      description: /raw-image \[H, W, 3\] input, preprocessing inside the graph/,
    },
    {
      name: 'SAM 2 pair, samexporter decoder (real fixture, folder)',
      paths: [F('sam2')],
      family: 'sam2',
      description: /SAM 2 decoder \(samexporter format.*3 masks\) \+ SAM 2 encoder \(1024² input\)/,
    },
    {
      name: 'YOLO detector with names in its metadata',
      paths: [F('yolo', 'yolo-det.onnx')],
      family: 'yolo',
      description: /YOLO detector \(640² input, anchor head, 4 classes\), class names from the graph metadata/,
    },
    {
      name: 'YOLO instance segmenter',
      paths: [F('yolo', 'yolo-seg.onnx')],
      family: 'yolo',
      description: /YOLO instance segmenter \(640² input, anchor head, 4 classes\)/,
    },
    {
      name: 'YOLO end-to-end head',
      paths: [F('yolo', 'yolo-e2e.onnx')],
      family: 'yolo',
      description: /YOLO detector \(640² input, end-to-end head, 4 classes\)/,
    },
    {
      name: 'YOLO without names + data.yaml',
      paths: [F('yolo', 'yolo-det-nonames.onnx')],
      names: F('yolo', 'data.yaml'),
      family: 'yolo',
      description: /4 classes\), class names from data\.yaml/,
    },
    {
      name: 'YOLO without names, its data.yaml dropped beside it',
      paths: [F('yolo', 'yolo-det-nonames.onnx'), F('yolo', 'data.yaml')],
      family: 'yolo',
      description: /class names from data\.yaml/,
    },
    {
      name: 'SAM decoder (4 masks) + encoder (signature graphs)',
      paths: [SIG('sam-decoder.onnx'), SIG('sam-encoder.onnx')],
      family: 'sam',
      description: /4 masks/,
    },
    {
      name: 'SAM single-mask decoder',
      paths: [SIG('sam-encoder.onnx'), SIG('sam-decoder-single.onnx')],
      family: 'sam',
      description: /\(1 mask,/,
    },
    {
      name: 'SAM 2 ibaiGorordo-style decoder',
      paths: [SIG('sam2-encoder.onnx'), SIG('sam2-decoder-ibai.onnx')],
      family: 'sam2',
      description: /ibaiGorordo format, orig_im_size, full-size masks/,
    },
    {
      name: 'SAM 2 samexporter decoder',
      paths: [SIG('sam2-encoder.onnx'), SIG('sam2-decoder-samexporter.onnx')],
      family: 'sam2',
      description: /samexporter format/,
    },
    {
      name: 'YOLO dynamic export (size from imgsz metadata)',
      paths: [SIG('yolo-dynamic.onnx')],
      family: 'yolo',
      description: /detector \(320² input/,
    },
    {
      name: 'YOLO end-to-end instance segmenter',
      paths: [SIG('yolo-seg-e2e.onnx')],
      family: 'yolo',
      description: /instance segmenter \(640² input, end-to-end head/,
    },
  ];
  for (const c of cases) {
    it(c.name, { skip: !has(...c.paths) && 'fixture not present' }, async () => {
      const model = await recogniseModel(c.paths, { namesFile: c.names ?? null });
      assert.equal(model.family, c.family);
      assert.match(model.description, c.description);
      if (model.family === 'yolo') assert.deepEqual(model.classes, ['person', 'cat', 'cup', 'traffic light']);
    });
  }

  it('does not go by file names: a YOLO detector named encoder.onnx is still a detector', async () => {
    const temp = tempDir('promptlabel-names-');
    try {
      copyFileSync(F('yolo', 'yolo-det.onnx'), join(temp.dir, 'sam_vit_b.encoder.onnx'));
      const model = await recogniseModel([join(temp.dir, 'sam_vit_b.encoder.onnx')]);
      assert.equal(model.family, 'yolo');
    } finally {
      temp.cleanup();
    }
  });
});

describe('refusing what is not one recognisable model (and installing nothing)', () => {
  const temp = tempDir('promptlabel-refuse-');
  after(() => temp.cleanup());
  const userModels = join(temp.dir, 'models');
  const options: AddOptions = { userModelsDir: userModels, builtinDir: BUILTIN, checkGraph: null };
  const junk = join(temp.dir, 'junk');
  mkdirSync(junk);
  writeFileSync(join(junk, 'empty.onnx'), '');
  writeFileSync(join(junk, 'notes.onnx'), 'these are my notes, not a model\n');
  copyFileSync(join(ROOT, 'assets', 'photos', 'coffee.jpg'), join(junk, 'photo.onnx'));
  writeFileSync(join(junk, 'yolo11n.pt'), Buffer.from('504b030400000000', 'hex'));
  mkdirSync(join(junk, 'no-models'));
  writeFileSync(join(junk, 'no-models', 'readme.txt'), 'nothing here');

  const refusals: { name: string; paths: string[]; message: RegExp; code?: string }[] = [
    {
      name: 'renamed inputs',
      paths: [SIG('sam-encoder.onnx'), SIG('sam-decoder-renamed.onnx')],
      message:
        /sam-decoder-renamed\.onnx looks like a Segment Anything \/ MobileSAM decoder, but input "point_coords" is missing \(it has "point_coord" instead\)\. Expected inputs image_embeddings, point_coords.*found inputs .*point_coord float32.*docs\/models\.md/,
    },
    {
      name: 'a decoder without its encoder',
      paths: [SIG('sam-decoder.onnx')],
      message: /sam-decoder\.onnx was recognised as Segment Anything decoder \(4 masks.*needs its encoder .*give both files together/,
    },
    {
      name: 'a SAM 2 decoder without its encoder',
      paths: [F('sam2', 'decoder.onnx')],
      message: /was recognised as SAM 2 decoder .*needs its encoder \(a SAM 2 encoder\)/,
    },
    { name: 'an encoder without its decoder', paths: [SIG('sam-encoder.onnx')], message: /needs its decoder/ },
    { name: 'a 0-byte file', paths: [join(junk, 'empty.onnx')], message: /empty\.onnx is empty \(0 bytes\): not an ONNX model/ },
    {
      name: 'a text file named .onnx',
      paths: [join(junk, 'notes.onnx')],
      message: /notes\.onnx is not a readable ONNX model: .*\(at byte \d+\); is it truncated, or another kind of file\?/,
    },
    { name: 'a JPEG named .onnx', paths: [join(junk, 'photo.onnx')], message: /photo\.onnx is not a readable ONNX model/ },
    {
      name: 'a PyTorch checkpoint',
      paths: [join(junk, 'yolo11n.pt')],
      message: /not a readable ONNX model.*PyTorch checkpoint: export it to ONNX first/,
    },
    {
      name: 'a graph of another kind (salient-object model)',
      paths: [SIG('isnet-like.onnx')],
      message:
        /isnet-like\.onnx is not a model this app recognises \(found inputs input float32 \[1, 3, 1024, 1024\]; outputs output float32 \[1, 1, 1024, 1024\]\)\. Recognised: .*docs\/models\.md/,
    },
    {
      name: 'a text encoder',
      paths: [join(BUILTIN, 'shapes-seem-tiny', 'text_encoder.onnx')],
      message: /is not a model this app recognises \(found inputs token_ids int64/,
    },
    {
      name: 'a decoder with inputs the official export lacks',
      paths: [SIG('sam-encoder.onnx'), SIG('sam-decoder-text.onnx')],
      message: /it has input\(s\) "text_embedding", "has_text_embedding" that the official export does not/,
    },
    {
      name: 'an encoder and a decoder that do not belong together',
      paths: [SIG('sam-encoder-small-grid.onnx'), SIG('sam-decoder.onnx')],
      message: /do not belong together: the encoder gives \[1, 256, 32, 32\] embeddings, the decoder takes \[1, 256, 64, 64\]/,
    },
    {
      name: 'parts of two families',
      paths: [F('sam2', 'encoder.onnx'), SIG('sam-decoder.onnx')],
      message: /These files do not make one model: encoder\.onnx: SAM 2 encoder.*sam-decoder\.onnx: Segment Anything decoder/,
    },
    {
      name: 'three files',
      paths: [SIG('sam-encoder.onnx'), SIG('sam-decoder.onnx'), SIG('sam-decoder-single.onnx')],
      message: /3 \.onnx files were given .*one model at a time/,
    },
    {
      name: 'a YOLO model with another file',
      paths: [F('yolo', 'yolo-det.onnx'), SIG('sam-decoder.onnx')],
      message: /A YOLO model is one file/,
    },
    {
      name: 'a YOLO pose model',
      paths: [SIG('yolo-pose.onnx')],
      message:
        /looks like an Ultralytics YOLO detector or instance segmenter, but its task is "pose" \(metadata\); only detect and segment/,
    },
    {
      name: 'YOLO names that do not match its head',
      paths: [SIG('yolo-names-mismatch.onnx')],
      message: /output0 has 4 class rows but the "names" metadata lists 3 classes/,
    },
    { name: 'a rectangular YOLO export', paths: [SIG('yolo-rect.onnx')], message: /its input is 640x384; only square inputs/ },
    {
      name: 'a YOLO model without class names',
      paths: [F('yolo', 'yolo-det-nonames.onnx')],
      message: /carries no class names in its metadata; give them with --names data\.yaml/,
    },
    { name: 'a folder without .onnx files', paths: [join(junk, 'no-models')], message: /holds no \.onnx file \(found: readme\.txt\)/ },
    { name: 'a path that does not exist', paths: [join(junk, 'missing.onnx')], message: /does not exist/, code: 'not_found' },
  ];
  for (const r of refusals) {
    it(r.name, async () => {
      await assert.rejects(addModelFromFiles(r.paths, options), (error: unknown) => {
        assert.ok(error instanceof AppError, String(error));
        assert.match(error.message, r.message);
        assert.match(error.message, /Nothing was installed\.$/);
        assert.equal(error.code, r.code ?? 'invalid_file');
        return true;
      });
      assert.deepEqual(filesUnder(userModels), [], 'nothing may be left in the user models folder');
    });
  }

  it('a names file whose count differs from the head is refused', async () => {
    const names = join(temp.dir, 'three.txt');
    writeFileSync(names, 'person\ncat\ncup\n');
    await assert.rejects(
      addModelFromFiles([F('yolo', 'yolo-det-nonames.onnx')], { ...options, namesFile: names }),
      /predicts 4 classes but three\.txt lists 3 names/,
    );
    assert.deepEqual(filesUnder(userModels), []);
  });

  it('a graph onnxruntime cannot open is refused after the copy, and the copy is removed', async () => {
    await assert.rejects(addModelFromFiles([SIG('yolo-missing-op.onnx')], { ...options, checkGraph: undefined }), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.match(
        error.message,
        /onnxruntime does not accept yolo-missing-op\.onnx as recognised: onnxruntime cannot load it .*NoSuchOperator.*Nothing was installed\./,
      );
      return true;
    });
    assert.deepEqual(filesUnder(userModels), []);
  });
});

describe('installing a recognised model', () => {
  const temp = tempDir('promptlabel-install-');
  after(() => temp.cleanup());
  const userModels = join(temp.dir, 'models');
  const options: AddOptions = { userModelsDir: userModels, builtinDir: BUILTIN, checkGraph: null };

  it('copies the files (originals untouched), records sha256 and size, and writes a manifest of the right kind', async () => {
    const originals = [F('sam-format', 'encoder.onnx'), F('sam-format', 'decoder.onnx')];
    const before = originals.map((p) => ({ hash: sha256(p), mtime: statSync(p).mtimeMs }));
    const added = await addModelFromFiles([F('sam-format')], options);
    assert.equal(added.id, 'sam-format');
    assert.deepEqual(
      originals.map((p) => ({ hash: sha256(p), mtime: statSync(p).mtimeMs })),
      before,
    );
    const manifest = JSON.parse(readFileSync(join(added.dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    const parsed = parseManifest(manifest, 'installed');
    assert.equal(parsed.kind, 'promptable-segmenter');
    assert.equal(parsed.decoder.numMasks, 3);
    assert.equal(parsed.decoder.bestMask, 'max-iou');
    assert.equal(parsed.preprocessing.inputSize, 1024);
    assert.deepEqual(parsed.preprocessing.pixelMean, [123.675, 116.28, 103.53]);
    assert.equal(parsed.files.encoder?.sha256, before[0]!.hash);
    assert.equal(parsed.files.decoder?.sha256, before[1]!.hash);
    assert.equal(parsed.files.decoder?.bytes, statSync(originals[1]!).size);
    assert.deepEqual((manifest.origin as { via: string; from: string[] }).from, [F('sam-format')]);
    assert.match((manifest.origin as { recognisedAs: string }).recognisedAs, /Segment Anything decoder/);
    assert.equal((manifest.preprocessing as { resize: string }).resize, 'pillow-bilinear');
  });

  it('SAM 2 and YOLO get their own kinds; the registry lists each with its prompt capabilities', async () => {
    await addModelFromFiles([F('sam2')], options);
    await addModelFromFiles([F('yolo', 'yolo-seg.onnx')], options);
    await addModelFromFiles([F('yolo', 'yolo-det-nonames.onnx')], {
      ...options,
      namesFile: F('yolo', 'data.yaml'),
      id: 'my-detector',
      displayName: 'My detector',
    });
    if (has(F('sam', 'encoder.onnx')))
      await addModelFromFiles([F('sam', 'decoder.onnx'), F('sam', 'encoder.onnx')], { ...options, id: 'sam-vit-tiny' });

    const sam2 = parseSam2Manifest(JSON.parse(readFileSync(join(userModels, 'sam2', 'manifest.json'), 'utf8')), 'sam2');
    assert.equal(sam2.decoder.format, 'samexporter');
    assert.equal(sam2.preprocessing.resize, 'stretch-bilinear-antialias');
    assert.equal(sam2.preprocessing.colour, 'stored');
    const yolo = parseDetectorManifest(JSON.parse(readFileSync(join(userModels, 'yolo-seg', 'manifest.json'), 'utf8')), 'yolo-seg');
    assert.deepEqual([yolo.task, yolo.head, yolo.preprocessing.inputSize, yolo.postprocessing.maskDims], ['segment', 'anchors', 640, 32]);
    assert.deepEqual([yolo.postprocessing.confThreshold, yolo.postprocessing.iouThreshold], [0.25, 0.7]);

    const models = await listModels({ builtin: BUILTIN, user: userModels });
    const byId = new Map(models.map((m) => [m.id, m]));
    for (const id of ['sam-format', 'sam2', 'yolo-seg', 'my-detector'])
      assert.equal(byId.get(id)?.problem, null, `${id}: ${byId.get(id)?.problem}`);
    assert.equal(byId.get('sam2')?.kind, 'sam2');
    assert.equal(byId.get('sam2')?.capabilities.box, true);
    assert.equal(byId.get('sam2')?.capabilities.points, true);
    const detector = byId.get('my-detector')!;
    assert.equal(detector.kind, 'detector');
    assert.equal(detector.displayName, 'My detector');
    assert.deepEqual(detector.classNames, ['person', 'cat', 'cup', 'traffic light']);
    assert.equal(
      detector.capabilities.points || detector.capabilities.box || detector.capabilities.scribble,
      false,
      'a detector takes no clicks or boxes',
    );
    assert.equal(detector.capabilities.detect, true);
    if (byId.has('sam-vit-tiny')) {
      assert.equal(byId.get('sam-vit-tiny')?.kind, 'segmenter');
      assert.equal(
        parseManifest(JSON.parse(readFileSync(join(userModels, 'sam-vit-tiny', 'manifest.json'), 'utf8')), 'sam').decoder.bestMask,
        'sam-select',
      );
    }
  });

  it('installs a raw-image encoder (samexporter --use-preprocess) with preprocessing.encoderInput raw-hwc and its symbolic [H, W, 3] input', async () => {
    const added = await addModelFromFiles([SIG('sam-encoder-raw.onnx'), SIG('sam-decoder.onnx')], { ...options, id: 'sam-raw-image' });
    const parsed = parseManifest(JSON.parse(readFileSync(join(added.dir, 'manifest.json'), 'utf8')), 'installed');
    assert.equal(parsed.preprocessing.encoderInput, 'raw-hwc');
    assert.equal(parsed.preprocessing.inputSize, 1024);
    assert.equal(parsed.encoder.inputs[0]?.shape.length, 3);
    assert.equal(parsed.encoder.inputs[0]?.shape[2], 3);
    const normalised = await addModelFromFiles([SIG('sam-encoder.onnx'), SIG('sam-decoder.onnx')], { ...options, id: 'sam-normalised' });
    assert.equal(
      parseManifest(JSON.parse(readFileSync(join(normalised.dir, 'manifest.json'), 'utf8')), 'installed').preprocessing.encoderInput,
      'normalised-nchw',
    );
    for (const id of ['sam-raw-image', 'sam-normalised']) await removeUserModel(id, { userModelsDir: userModels, builtinDir: BUILTIN });
  });

  it('refuses an id that is taken (a built-in, or installed) unless replacing, and replaces only with force', async () => {
    await assert.rejects(
      addModelFromFiles([F('yolo', 'yolo-det.onnx')], { ...options, id: 'shapes-seem-tiny' }),
      /A built-in model already has the id "shapes-seem-tiny"/,
    );
    await assert.rejects(
      addModelFromFiles([F('yolo', 'yolo-e2e.onnx')], { ...options, id: 'yolo-seg' }),
      /already exists; choose another id with --id, or replace it with --force/,
    );
    await assert.rejects(addModelFromFiles([F('yolo', 'yolo-det.onnx')], { ...options, id: '../escape' }), /cannot be a model id/);
    const replaced = await addModelFromFiles([F('yolo', 'yolo-e2e.onnx')], { ...options, id: 'yolo-seg', force: true });
    assert.equal(parseDetectorManifest(JSON.parse(readFileSync(join(replaced.dir, 'manifest.json'), 'utf8')), 'x').head, 'end2end');
    assert.deepEqual(
      readdirSync(userModels).filter((n) => n.startsWith('.')),
      [],
      'no work or replaced folders left behind',
    );
  });

  it('copies external-data files beside the graph (and refuses a graph whose data file is missing)', async () => {
    const source = join(temp.dir, 'external');
    mkdirSync(source);
    const graph = modelBytes({
      graph: [
        initializer('w', 'big-detector.onnx.data'),
        valueInfo(11, 'images', 1, [1, 3, 320, 320]),
        valueInfo(12, 'output0', 1, [1, 6, 2100]),
      ],
      metadata: [
        ['task', 'detect'],
        ['names', "{0: 'person', 1: 'cat'}"],
      ],
    });
    writeFileSync(join(source, 'big-detector.onnx'), graph);
    await assert.rejects(
      addModelFromFiles([join(source, 'big-detector.onnx')], options),
      /keeps its weights in big-detector\.onnx\.data, which is not next to it/,
    );
    writeFileSync(join(source, 'big-detector.onnx.data'), Buffer.alloc(4096, 7));
    const added = await addModelFromFiles([join(source, 'big-detector.onnx')], options);
    assert.deepEqual(Object.keys(added.files).sort(), ['data:big-detector.onnx.data', 'model']);
    assert.equal(added.files['data:big-detector.onnx.data']?.sha256, sha256(join(source, 'big-detector.onnx.data')));
    assert.ok(existsSync(join(added.dir, 'big-detector.onnx.data')));
    assert.equal((await listModels({ builtin: BUILTIN, user: userModels })).find((m) => m.id === 'big-detector')?.problem, null);
  });

  it('removes a user model, never a built-in or the one in use', async () => {
    await assert.rejects(removeUserModel('shapes-seem-tiny', { userModelsDir: userModels, builtinDir: BUILTIN }), /is a built-in model/);
    await assert.rejects(
      removeUserModel('my-detector', { userModelsDir: userModels, builtinDir: BUILTIN, inUse: ['my-detector'] }),
      /is the model in use/,
    );
    await assert.rejects(removeUserModel('nope', { userModelsDir: userModels, builtinDir: BUILTIN }), /No user model "nope"/);
    assert.equal(await removeUserModel('my-detector', { userModelsDir: userModels, builtinDir: BUILTIN }), join(userModels, 'my-detector'));
    assert.equal(existsSync(join(userModels, 'my-detector')), false);
    assert.ok(!(await listModels({ builtin: BUILTIN, user: userModels })).some((m) => m.id === 'my-detector'));
  });

  it('from dropped files to a mask: the SAM-format pair added (onnxruntime check included) and segmenting in the engine', async (t) => {
    const root = join(temp.dir, 'timed-models');
    const started = performance.now();
    const added = await addModelFromFiles([F('sam-format', 'encoder.onnx'), F('sam-format', 'decoder.onnx')], {
      userModelsDir: root,
      builtinDir: BUILTIN,
      id: 'dropped-sam',
    });
    const addedMs = performance.now() - started;
    const listed = (await listModels({ builtin: BUILTIN, user: root })).find((m) => m.id === 'dropped-sam');
    assert.equal(listed?.problem, null);
    const usableMs = performance.now() - started;
    const engine = new InferenceEngine({ roots: { builtin: BUILTIN, user: root }, settingsPath: null, settings: { prefetchCount: 0 } });
    try {
      const photo = join(ROOT, 'assets', 'photos', 'coffee.jpg');
      const set = await engine.segment(filesSource([photo]), {
        imageId: 1,
        modelId: 'dropped-sam',
        prompt: { clicks: [], scribbles: [], box: [100, 50, 400, 350] },
      });
      assert.ok(set.candidates.length > 0);
      const maskMs = performance.now() - started;
      t.diagnostic(
        `sam-format pair: add ${addedMs.toFixed(0)} ms (recognition ${added.timings.recogniseMs} ms, copy ${added.timings.copyMs} ms, onnxruntime check ${added.timings.checkMs} ms); listed usable at ${usableMs.toFixed(0)} ms; first mask at ${maskMs.toFixed(0)} ms`,
      );
    } finally {
      await engine.close();
    }
  });
});
