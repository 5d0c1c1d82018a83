// Importing X-AnyLabeling model YAMLs (issue 11 item 4): the peer's real
// config files (test/fixtures/xanylabeling, copied unchanged) read into
// plans; unknown types refused with the list of known ones; local paths
// taken relative to the YAML; URLs downloaded only when allowed, from a
// server on 127.0.0.1; the files still recognised and checked against the
// YAML's type and classes.
import assert from 'node:assert/strict';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { runCli } from '../../../cli/cli.js';
import { NO_PROXY_SETTINGS } from '../../../engine/modelPacks/proxy.js';
import { type AddOptions, importXAnyLabelingYaml, planXAnyLabelingImport } from '../../../engine/recognition/addModel.js';
import { parseXAnyLabelingConfig, XANYLABELING_TYPES } from '../../../engine/recognition/xAnyLabeling.js';
import { listModels } from '../../../engine/registry.js';
import { parseDetectorManifest } from '../../../engine/worker/models/yolo/manifest.js';
import { tempDir } from '../core/store/fixtures.js';
import { FileServer } from './urlFixtures.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const BUILTIN = join(ROOT, 'models');
const XAL = join(ROOT, 'test', 'fixtures', 'xanylabeling');
const RELEASES = 'https://github.com/CVHub520/X-AnyLabeling/releases/download';

describe('reading X-AnyLabeling model YAMLs', () => {
  it('reads the real configs: type, name, display name, files, classes, thresholds', async () => {
    const sam = await planXAnyLabelingImport(join(XAL, 'segment_anything_vit_b.yaml'));
    assert.deepEqual(
      [sam.type, sam.family, sam.name, sam.displayName, sam.inputSize],
      ['segment_anything', 'sam', 'segment_anything_vit_b-r20230810', 'Segment Anything (ViT-Base)', 1024],
    );
    assert.deepEqual(sam.files, [
      { role: 'encoder', location: `${RELEASES}/v0.2.0/sam_vit_b_01ec64.encoder.onnx`, remote: true },
      { role: 'decoder', location: `${RELEASES}/v0.2.0/sam_vit_b_01ec64.decoder.onnx`, remote: true },
    ]);
    const sam2 = await planXAnyLabelingImport(join(XAL, 'sam2_hiera_tiny.yaml'));
    assert.deepEqual([sam2.family, sam2.displayName, sam2.files.length, sam2.classes], ['sam2', 'Segment Anything 2.1 (Tiny)', 2, null]);
    const seg = await planXAnyLabelingImport(join(XAL, 'yolov8n_seg.yaml'));
    assert.deepEqual(
      [seg.family, seg.task, seg.classes?.length, seg.classes?.[9], seg.thresholds],
      ['yolo', 'segment', 80, 'traffic light', { conf: 0.25, iou: 0.45 }],
    );
    assert.deepEqual(seg.files, [{ role: 'model', location: `${RELEASES}/v0.1.0/yolov8n-seg.onnx`, remote: true }]);
    const det = await planXAnyLabelingImport(join(XAL, 'yolo11s.yaml'));
    assert.deepEqual([det.type, det.task, det.classes?.length], ['yolo11', 'detect', 80]);
  });

  it('refuses an unknown type with the list of known types, and other broken configs with what is wrong', () => {
    const known = Object.keys(XANYLABELING_TYPES).join(', ');
    const refused = (text: string, message: RegExp): void =>
      assert.throws(
        () => parseXAnyLabelingConfig(text, '/models/config.yaml'),
        (e: unknown) => e instanceof Error && message.test(e.message) && /Nothing was installed\.$/.test(e.message),
      );
    refused(
      'type: rtdetrv2\nname: rtdetr\nmodel_path: a.onnx\n',
      new RegExp(`type "rtdetrv2" is not one this app can import \\(known: ${known}\\)`),
    );
    refused('type: yolov8_pose\nname: pose\nmodel_path: a.onnx\n', /type "yolov8_pose" is not one/);
    refused('name: x\nmodel_path: a.onnx\n', new RegExp(`no "type" \\(known: ${known}\\)`));
    refused('type: yolov8\nname: x\n', /no "model_path"/);
    refused('type: segment_anything\nname: x\nencoder_model_path: e.onnx\n', /no "decoder_model_path"/);
    refused('type: yolov8\nname: x\nmodel_path: a.onnx\nconf_threshold: 2\n', /"conf_threshold" must be a number between 0 and 1/);
    refused('type: yolov8\nname: x\nmodel_path: s3://bucket/a.onnx\n', /a URL this app cannot download/);
    refused('type: [yolov8\n', /not valid YAML/);
    refused('- a\n- b\n', /expected a mapping/);
    refused('type: yolov8\nname: x\nmodel_path: a.onnx\nclasses: {0: cat, 5: dog}\n', /class index "5"/);
  });

  it('takes local paths relative to the YAML (nms_threshold as X-AnyLabeling documents, iou_threshold as it ships)', () => {
    const plan = parseXAnyLabelingConfig(
      'type: yolov8\nname: mine\nmodel_path: weights/best.onnx\nnms_threshold: 0.5\nconf_threshold: 0.3\nclasses: [a, b]\n',
      '/data/configs/mine.yaml',
    );
    assert.deepEqual(plan.files, [{ role: 'model', location: '/data/configs/weights/best.onnx', remote: false }]);
    assert.deepEqual(plan.thresholds, { conf: 0.3, iou: 0.5 });
    assert.equal(
      parseXAnyLabelingConfig('type: yolov8\nname: x\nmodel_path: /abs/m.onnx\n', '/data/c.yaml').files[0]!.location,
      '/abs/m.onnx',
    );
  });
});

describe('importing an X-AnyLabeling YAML', () => {
  const temp = tempDir('promptlabel-xal-');
  const server = new FileServer();
  let base = '';
  const userModels = join(temp.dir, 'models');
  const options: AddOptions = { userModelsDir: userModels, builtinDir: BUILTIN, checkGraph: null, proxy: NO_PROXY_SETTINGS };
  before(async () => {
    base = await server.start();
    server.files.set('/v2.5.0/sam2.1_hiera_tiny.encoder.onnx', {
      bytes: readFileSync(join(ROOT, 'test/fixtures/sam2/encoder.onnx')),
      etag: '"e"',
    });
    server.files.set('/v2.5.0/sam2.1_hiera_tiny.decoder.onnx', {
      bytes: readFileSync(join(ROOT, 'test/fixtures/sam2/decoder.onnx')),
      etag: '"d"',
    });
    server.files.set('/v0.1.0/yolov8n-seg.onnx', { bytes: readFileSync(join(ROOT, 'test/fixtures/yolo/yolo-seg.onnx')), etag: '"y"' });
  });
  after(async () => {
    await server.close();
    temp.cleanup();
  });

  /** A real config with its release URLs pointed at the local server. */
  function localConfig(name: string): string {
    const path = join(temp.dir, name);
    writeFileSync(path, readFileSync(join(XAL, name), 'utf8').replaceAll(RELEASES, base));
    return path;
  }

  it('imports a config with local paths: named, thresholded and classed as the YAML says', async () => {
    copyFileSync(join(ROOT, 'test/fixtures/yolo/yolo-det-nonames.onnx'), join(temp.dir, 'detector.onnx'));
    const yaml = join(temp.dir, 'my_detector.yaml');
    writeFileSync(
      yaml,
      'type: yolov8\nname: my-detector-r1\ndisplay_name: My Detector\nmodel_path: detector.onnx\nconf_threshold: 0.35\nnms_threshold: 0.5\nclasses:\n  - person\n  - cat\n  - cup\n  - traffic light\n',
    );
    const added = await importXAnyLabelingYaml(yaml, options);
    assert.equal(added.id, 'my-detector-r1');
    const manifest = parseDetectorManifest(JSON.parse(readFileSync(join(added.dir, 'manifest.json'), 'utf8')), 'm');
    assert.equal(manifest.displayName, 'My Detector');
    assert.deepEqual(manifest.classes, ['person', 'cat', 'cup', 'traffic light']);
    assert.deepEqual([manifest.postprocessing.confThreshold, manifest.postprocessing.iouThreshold], [0.35, 0.5]);
    assert.equal(manifest.origin?.via, 'x-anylabeling-yaml');
    assert.equal(readFileSync(join(temp.dir, 'detector.onnx')).length > 0, true, 'the local file stays where it is');
  });

  it('downloads nothing unless allowed, then imports the real SAM 2.1 config from the local server', async () => {
    const yaml = localConfig('sam2_hiera_tiny.yaml');
    server.seen.length = 0;
    await assert.rejects(
      importXAnyLabelingYaml(yaml, options),
      /names 2 file\(s\) to download .*confirm the download to import it\. Nothing was installed\./,
    );
    assert.equal(server.seen.length, 0, 'nothing was fetched');
    const added = await importXAnyLabelingYaml(yaml, { ...options, allowDownload: true });
    assert.equal(added.id, 'sam2_hiera_tiny-r20240801');
    assert.equal(added.model.family, 'sam2');
    assert.equal(added.downloads.length, 2);
    const listed = (await listModels({ builtin: BUILTIN, user: userModels })).find((m) => m.id === added.id);
    assert.deepEqual([listed?.kind, listed?.displayName, listed?.problem], ['sam2', 'Segment Anything 2.1 (Tiny)', null]);
    assert.deepEqual(readdirSync(join(userModels, '.downloads')), [], 'downloads are not kept once installed');
  });

  it('refuses files that are not what the YAML type says, and class lists that do not fit the model', async () => {
    // The real YOLOv8n-seg config lists COCO's 80 classes; the fixture served in its place predicts 4.
    await assert.rejects(
      importXAnyLabelingYaml(localConfig('yolov8n_seg.yaml'), { ...options, allowDownload: true }),
      /predicts 4 classes but the given class list lists 80 names\. Nothing was installed\./,
    );
    const wrongType = join(temp.dir, 'wrong-type.yaml');
    writeFileSync(wrongType, `type: yolov8\nname: wrong\nmodel_path: ${join(ROOT, 'test/fixtures/yolo/yolo-seg.onnx')}\n`);
    await assert.rejects(
      importXAnyLabelingYaml(wrongType, options),
      /says type: yolov8 \(a detector\), but its model is Ultralytics YOLO instance segmenter/,
    );
    const wrongFamily = join(temp.dir, 'wrong-family.yaml');
    writeFileSync(
      wrongFamily,
      `type: segment_anything\nname: wrong\nencoder_model_path: ${join(ROOT, 'test/fixtures/sam2/encoder.onnx')}\ndecoder_model_path: ${join(ROOT, 'test/fixtures/sam2/decoder.onnx')}\n`,
    );
    await assert.rejects(importXAnyLabelingYaml(wrongFamily, options), /says type: segment_anything, but its files are SAM 2 decoder/);
    assert.deepEqual(
      readdirSync(userModels)
        .filter((n) => !n.startsWith('.'))
        .sort(),
      ['my-detector-r1', 'sam2_hiera_tiny-r20240801'],
    );
  });

  it('promptlabel models add CONFIG.yaml: asks for --download before fetching', async () => {
    const saved = process.env.PROMPTLABEL_USER_DATA;
    process.env.PROMPTLABEL_USER_DATA = join(temp.dir, 'cli-user');
    const out = { stdout: '', stderr: '' };
    const io = { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) };
    try {
      server.seen.length = 0;
      const yaml = localConfig('sam2_hiera_tiny.yaml');
      assert.equal(await runCli(['models', 'add', yaml], io), 2);
      assert.match(out.stderr, /names 2 file\(s\) to download; nothing is fetched unless you ask: run again with --download/);
      assert.equal(server.seen.length, 0);
      assert.equal(await runCli(['models', 'add', yaml, '--download'], io), 0, out.stderr);
      assert.match(out.stdout, /Installed sam2_hiera_tiny-r20240801 .*\n {2}recognised as: SAM 2 decoder/);
      assert.match(out.stdout, /downloaded http:\/\/127\.0\.0\.1:\d+\/v2\.5\.0\/sam2\.1_hiera_tiny\.encoder\.onnx: .*sha256 [0-9a-f]{64}/);
    } finally {
      if (saved === undefined) delete process.env.PROMPTLABEL_USER_DATA;
      else process.env.PROMPTLABEL_USER_DATA = saved;
    }
  });
});
