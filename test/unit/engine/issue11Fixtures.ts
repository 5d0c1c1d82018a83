// Model folders for the issue-11 fixtures (test/fixtures/sam2, test/fixtures/yolo):
// the ONNX files copied into a temporary user-models folder with a
// manifest.json written to the sam2-segmenter / yolo-detector schemas, as the
// recogniser writes them for a user's files. Shared by the SAM 2, YOLO and
// chain tests and the benchmark.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import sharp from 'sharp';

import type { ImageSource } from '../../../engine/engine.js';

export const ROOT = join(__dirname, '..', '..', '..');
export const SAM2_DIR = join(ROOT, 'test', 'fixtures', 'sam2');
export const YOLO_DIR = join(ROOT, 'test', 'fixtures', 'yolo');

function fileEntry(dir: string, name: string): { path: string; sha256: string; bytes: number } {
  const bytes = readFileSync(join(dir, name));
  return { path: name, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
}

function install(root: string, id: string, sources: [string, string][], manifest: Record<string, unknown>): string {
  const dir = join(root, id);
  mkdirSync(dir, { recursive: true });
  for (const [from, name] of sources) copyFileSync(from, join(dir, name));
  const files = Object.fromEntries(sources.map(([, name]) => [name.replace(/\.onnx$/, ''), fileEntry(dir, name)]));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, files }, null, 2));
  return dir;
}

const f32 = (name: string, shape: (number | string)[]) => ({ name, type: 'float32', shape });

/** The SAM 2 fixture pair (samexporter decoder) as a user model. */
export function installSam2(root: string, id = 'sam2-fixture'): string {
  return install(
    root,
    id,
    [
      [join(SAM2_DIR, 'encoder.onnx'), 'encoder.onnx'],
      [join(SAM2_DIR, 'decoder.onnx'), 'decoder.onnx'],
    ],
    {
      id,
      displayName: 'SAM 2 fixture (random weights)',
      kind: 'sam2-segmenter',
      version: '1',
      license: 'Apache-2.0',
      encoder: {
        file: 'encoder.onnx',
        inputs: [f32('image', [1, 3, 1024, 1024])],
        outputs: [
          f32('high_res_feats_0', [1, 32, 256, 256]),
          f32('high_res_feats_1', [1, 64, 128, 128]),
          f32('image_embed', [1, 256, 64, 64]),
        ],
      },
      decoder: {
        file: 'decoder.onnx',
        format: 'samexporter',
        numMasks: 3,
        maskThreshold: 0,
        maxPoints: 64,
        inputs: [
          f32('image_embed', [1, 256, 64, 64]),
          f32('high_res_feats_0', [1, 32, 256, 256]),
          f32('high_res_feats_1', [1, 64, 128, 128]),
          f32('point_coords', ['num_labels', 'num_points', 2]),
          f32('point_labels', ['num_labels', 'num_points']),
          f32('mask_input', ['num_labels', 1, 256, 256]),
          f32('has_mask_input', ['num_labels']),
        ],
        outputs: [f32('masks', ['B', 3, 256, 256]), f32('iou_predictions', ['B', 3])],
      },
      preprocessing: {
        inputSize: 1024,
        resize: 'stretch-bilinear-antialias',
        colour: 'stored',
        pixelMean: [123.675, 116.28, 103.53],
        pixelStd: [58.395, 57.12, 57.375],
        lowResMaskSize: 256,
      },
    },
  );
}

export type YoloFixture = 'yolo-det' | 'yolo-seg' | 'yolo-e2e';
export const YOLO_CLASSES = ['person', 'cat', 'cup', 'traffic light'];

/** One of the YOLO fixture graphs as a user model (id = file stem). */
export function installYolo(root: string, which: YoloFixture, id: string = which): string {
  const seg = which === 'yolo-seg';
  const e2e = which === 'yolo-e2e';
  const outputs = e2e
    ? [f32('output0', [1, 300, 6])]
    : [f32('output0', [1, seg ? 40 : 8, 8400]), ...(seg ? [f32('output1', [1, 32, 160, 160])] : [])];
  return install(root, id, [[join(YOLO_DIR, `${which}.onnx`), 'model.onnx']], {
    id,
    displayName: `${which} fixture`,
    kind: 'yolo-detector',
    version: '1',
    license: 'Apache-2.0',
    model: { file: 'model.onnx', inputs: [f32('images', [1, 3, 640, 640])], outputs },
    task: seg ? 'segment' : 'detect',
    head: e2e ? 'end2end' : 'anchors',
    classes: YOLO_CLASSES,
    preprocessing: { inputSize: 640, resize: 'letterbox', colour: 'stored', padValue: 114, pixelDivisor: 255 },
    postprocessing: { confThreshold: 0.25, iouThreshold: 0.7, maxDetections: 300, maskDims: seg ? 32 : 0 },
  });
}

export function readJson<T>(path: string): T {
  const bytes = readFileSync(path);
  return JSON.parse((path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8')) as T;
}

/** Image ids 1..n for these files, as the CLI's source does (no project, no feature files). */
export function filesSource(paths: readonly string[], labels: { labelId: string; name: string }[] = []): ImageSource {
  return {
    cacheDir: null,
    imagePath: (id) => {
      const path = paths[id - 1];
      if (!path) throw new Error(`no image ${id}`);
      return path;
    },
    imageSize: async (id) => {
      const meta = await sharp(paths[id - 1]).metadata();
      return { width: meta.width, height: meta.height };
    },
    labels: () => labels,
  };
}
