// The app's preprocessing against values saved from each model family's
// reference code (test/fixtures/preprocess, made by
// models/training/fixtures/make_preprocess_reference.py with PIL, torch and
// OpenCV): decoding as PIL does, Segment Anything's Pillow resize and
// OpenCV's letterbox byte for byte, SAM 2's float stretch within a stated
// tolerance; then the segmenter end to end, following its manifest's rule,
// with the built-in model's rule unchanged and feature-cache keys that
// follow the rule.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import sharp from 'sharp';

import { AppError } from '../../../common/contract/result.js';
import { FeatureCache } from '../../../engine/worker/featureCache.js';
import { sam2ImageTensor } from '../../../engine/worker/imaging/antialiasResize.js';
import { decodePixels } from '../../../engine/worker/imaging/decodePixels.js';
import { letterboxImage, type LetterboxPlacement, letterboxTensor } from '../../../engine/worker/imaging/letterbox.js';
import { opencvLinearResize } from '../../../engine/worker/imaging/opencvResize.js';
import { pillowBilinearResize } from '../../../engine/worker/imaging/pillowResize.js';
import { resizedSize } from '../../../engine/worker/modelFrame.js';
import { parseManifest, readManifest } from '../../../engine/worker/models/segmenter/manifest.js';
import { ModelRuntime } from '../../../engine/worker/models/segmenter/modelRuntime.js';
import { normaliseHWC, preprocessImage, type PreprocessSpec } from '../../../engine/worker/models/segmenter/preprocess.js';
import { PromptableSegmenter } from '../../../engine/worker/models/segmenter/segmenter.js';
import type { RgbImage } from '../../../engine/worker/rgbImage.js';

const ROOT = join(__dirname, '..', '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'preprocess');
const PHOTOS = join(ROOT, 'assets', 'photos');
const SAM_FORMAT = join(ROOT, 'test', 'fixtures', 'sam-format');
const BUILTIN = join(ROOT, 'models', 'shapes-seem-tiny');

/**
 * SAM 2's tensor: largest |app − torch| allowed on a normalised value. The
 * app reproduces torch's float32 arithmetic but not its compiler's choice of
 * fused multiply-adds: measured differences are at most 1.8e-7 before
 * normalisation (2 float32 ulps at 1.0), so ≤ 8e-7 after dividing by the
 * std, plus the normalisation's own rounding; 2e-6 leaves margin while a
 * half-pixel shift or a missing antialias filter differs by 1e-2 or more.
 */
const STRETCH_TOLERANCE = 2e-6;
/** Channel means and stds over 3 million values: rounding noise averages out. */
const STATS_TOLERANCE = 1e-6;

type Samples = [number, number][];
interface Uint8Case {
  width: number;
  height: number;
  sha256: string;
  sum: number;
  samples: Samples;
}
interface ChannelStats {
  mean: number;
  std: number;
  min: number;
  max: number;
}
interface Reference {
  versions: Record<string, string>;
  decode: Record<string, Uint8Case>;
  pillow: (Uint8Case & { source: string; longSide: number; png?: string })[];
  stretch: { source: string; size: number; shape: number[]; float32Sha256: string; channels: ChannelStats[]; samples: Samples }[];
  letterbox: (Uint8Case & { source: string; size: number; placement: LetterboxPlacement; png?: string })[];
}

const reference = JSON.parse(readFileSync(join(FIXTURES, 'reference.json'), 'utf8')) as Reference;

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The generator's synthetic image: ((13x + 7y) xor (xy >> 4)) + 85c, mod 256. */
function synthetic(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const base = (x * 13 + y * 7) ^ ((x * y) >> 4);
      for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = (base + 85 * c) & 255;
    }
  }
  return { width, height, data };
}

const sources = new Map<string, Promise<RgbImage>>();
/** A reference case's input: a photo decoded with the stored values, or a synthetic image. */
function source(name: string): Promise<RgbImage> {
  let image = sources.get(name);
  if (!image) {
    const size = /^synthetic:(\d+)x(\d+)$/.exec(name);
    image = size ? Promise.resolve(synthetic(Number(size[1]), Number(size[2]))) : decodePixels(join(PHOTOS, name), 'stored');
    sources.set(name, image);
  }
  return image;
}

/** Sampled positions where `bytes` differs from the reference. */
function sampleMismatches(bytes: Uint8Array, samples: Samples): number {
  return samples.filter(([i, v]) => bytes[i] !== v).length;
}

function assertUint8Case(bytes: Uint8Array, expected: Uint8Case, what: string): void {
  assert.equal(bytes.length, expected.width * expected.height * 3, `${what}: size`);
  const mismatched = sampleMismatches(bytes, expected.samples);
  assert.equal(mismatched, 0, `${what}: ${mismatched} of ${expected.samples.length} sampled bytes differ`);
  assert.equal(
    bytes.reduce((s, v) => s + v, 0),
    expected.sum,
    `${what}: byte sum`,
  );
  assert.equal(sha256(bytes), expected.sha256, `${what}: sha256 of the whole image`);
}

/** Bytes that differ from a saved PNG (decoded losslessly); the PNG's size must match. */
async function pngMismatches(image: RgbImage, png: string): Promise<number> {
  const { data, info } = await sharp(join(FIXTURES, png)).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height, info.channels], [image.width, image.height, 3], `${png}: size`);
  let differing = 0;
  for (let i = 0; i < data.length; i++) if (data[i] !== image.data[i]) differing++;
  return differing;
}

describe('decoding: the stored values, as PIL reads them', () => {
  for (const [name, expected] of Object.entries(reference.decode)) {
    it(`${name}: byte-identical to np.array(Image.open(…).convert('RGB'))`, async () => {
      const rgb = await decodePixels(join(PHOTOS, name), 'stored');
      assert.deepEqual([rgb.width, rgb.height], [expected.width, expected.height]);
      assertUint8Case(rgb.data, expected, name);
    });
  }

  it("rocket.jpg: converting its Adobe RGB profile to sRGB (sharp's default) would change most pixels", async () => {
    const stored = await decodePixels(join(PHOTOS, 'rocket.jpg'), 'stored');
    const srgb = await decodePixels(join(PHOTOS, 'rocket.jpg'), 'srgb');
    let pixels = 0;
    let largest = 0;
    for (let p = 0; p < stored.data.length; p += 3) {
      const d = Math.max(...[0, 1, 2].map((c) => Math.abs(stored.data[p + c]! - srgb.data[p + c]!)));
      if (d > 0) pixels++;
      largest = Math.max(largest, d);
    }
    assert.ok(pixels / (stored.width * stored.height) > 0.8, `${pixels} pixels differ`);
    assert.ok(largest >= 40, `largest difference ${largest}`);
  });
});

describe("pillow-bilinear: Segment Anything's ResizeLongestSide, byte for byte", () => {
  for (const c of reference.pillow) {
    it(`${c.source} → longest side ${c.longSide} (${c.width}×${c.height})`, async () => {
      const image = await source(c.source);
      const size = resizedSize(image.width, image.height, c.longSide);
      assert.deepEqual([size.width, size.height], [c.width, c.height], "SAM's target size int(x·s + 0.5)");
      const out = pillowBilinearResize(image, size.width, size.height);
      assertUint8Case(out.data, c, `${c.source} at ${c.longSide}`);
      if (c.png) assert.equal(await pngMismatches(out, c.png), 0, `${c.png}: bytes differ`);
    });
  }

  it("sharp's linear kernel, the rule before manifests stated one, is not it (half a pixel off when enlarging)", async () => {
    const expected = reference.pillow.find((c) => c.source === 'rocket.jpg' && c.longSide === 1024)!;
    const { data } = await sharp(join(PHOTOS, 'rocket.jpg'))
      .keepIccProfile()
      .resize(expected.width, expected.height, { fit: 'fill', kernel: 'linear' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    assert.ok(sampleMismatches(data, expected.samples) > expected.samples.length / 4, 'most sampled bytes differ');
  });
});

describe("stretch-bilinear-antialias: SAM 2's tensor, within float rounding", () => {
  for (const c of reference.stretch) {
    it(`${c.source} → ${c.size}² (|Δ| ≤ ${STRETCH_TOLERANCE} per value)`, async (t) => {
      const tensor = sam2ImageTensor(await source(c.source), c.size);
      assert.equal(
        tensor.length,
        c.shape.reduce((n, d) => n * d, 1),
      );
      const worst = Math.max(...c.samples.map(([i, v]) => Math.abs(tensor[i]! - v)));
      assert.ok(worst <= STRETCH_TOLERANCE, `${c.source}: sampled values differ by up to ${worst}`);
      const plane = c.size * c.size;
      c.channels.forEach((expected, ch) => {
        let sum = 0;
        let squares = 0;
        let min = Infinity;
        let max = -Infinity;
        for (let i = ch * plane; i < (ch + 1) * plane; i++) {
          const v = tensor[i]!;
          sum += v;
          squares += v * v;
          if (v < min) min = v;
          if (v > max) max = v;
        }
        const mean = sum / plane;
        const std = Math.sqrt(squares / plane - mean * mean);
        assert.ok(Math.abs(mean - expected.mean) <= STATS_TOLERANCE, `channel ${ch} mean ${mean} vs ${expected.mean}`);
        assert.ok(Math.abs(std - expected.std) <= STATS_TOLERANCE, `channel ${ch} std ${std} vs ${expected.std}`);
        assert.ok(
          Math.abs(min - expected.min) <= STRETCH_TOLERANCE && Math.abs(max - expected.max) <= STRETCH_TOLERANCE,
          `channel ${ch} range`,
        );
      });
      const bitExact = sha256(new Uint8Array(tensor.buffer, tensor.byteOffset, tensor.byteLength)) === c.float32Sha256;
      t.diagnostic(
        `${c.source}: max sampled |Δ| ${worst.toExponential(2)}; float32 bytes ${bitExact ? 'identical to' : 'not identical to'} torch ${reference.versions['torch']}`,
      );
    });
  }
});

describe("letterbox: Ultralytics' LetterBox with OpenCV INTER_LINEAR, byte for byte", () => {
  for (const c of reference.letterbox) {
    it(`${c.source} → ${c.size}² (${c.placement.newWidth}×${c.placement.newHeight} inside)`, async () => {
      const boxed = letterboxImage(await source(c.source), c.size);
      assert.deepEqual(boxed.placement, c.placement);
      assertUint8Case(boxed.image.data, c, `${c.source} at ${c.size}`);
      if (c.png) assert.equal(await pngMismatches(boxed.image, c.png), 0, `${c.png}: bytes differ`);
    });
  }

  it('the tensor is the letterboxed bytes / 255, CHW, no mean or std', async () => {
    const image = await source('chelsea.jpg');
    const { tensor, placement } = letterboxTensor(image, 320);
    const boxed = letterboxImage(image, 320).image.data;
    const plane = 320 * 320;
    for (const p of [0, 1234, 50_000, plane - 1]) {
      for (let c = 0; c < 3; c++) assert.equal(tensor[c * plane + p], Math.fround(boxed[p * 3 + c]! / 255));
    }
    assert.equal(tensor[0], Math.fround(114 / 255), 'padding is grey 114');
    assert.deepEqual([placement.top, placement.bottom], [53, 54], 'the odd padding pixel goes to the bottom');
  });

  it("equals opencv.js's own cv.resize(INTER_LINEAR) on 24 random sizes", async () => {
    const cv = await loadOpenCvResize();
    let state = 12345;
    const next = (n: number): number => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return 1 + (state % n);
    };
    for (let k = 0; k < 24; k++) {
      const [w, h, nw, nh] = [next(300), next(300), next(400), next(400)];
      const data = new Uint8Array(w * h * 3).map(() => next(256) - 1);
      const expected = cv.resize({ width: w, height: h, data }, nw, nh);
      const actual = opencvLinearResize({ width: w, height: h, data }, nw, nh);
      let differing = 0;
      for (let i = 0; i < expected.length; i++) if (expected[i] !== actual.data[i]) differing++;
      assert.equal(differing, 0, `${w}×${h} → ${nw}×${nh}: ${differing} bytes differ`);
    }
  });
});

describe('the segmenter follows its manifest', () => {
  const temp = mkdtempSync(join(tmpdir(), 'pl-preprocess-'));
  after(() => rmSync(temp, { recursive: true, force: true }));

  const samManifest = (): Record<string, unknown> & { preprocessing: Record<string, unknown> } =>
    JSON.parse(readFileSync(join(SAM_FORMAT, 'manifest.json'), 'utf8')) as Record<string, unknown> & {
      preprocessing: Record<string, unknown>;
    };
  const problem = (raw: unknown): string => {
    try {
      parseManifest(raw, 'x/manifest.json');
      return '';
    } catch (error) {
      assert.ok(error instanceof AppError);
      return error.message;
    }
  };

  it("defaults to Segment Anything's rule; a free-text resize (manifests older than the field) is a description", () => {
    const raw = samManifest();
    assert.equal(typeof raw.preprocessing['resize'], 'string', 'the fixture carries the old descriptive text');
    assert.match(String(raw.preprocessing['resize']), /\s/);
    const m = parseManifest(raw, 'sam-format/manifest.json');
    assert.equal(m.preprocessing.resize, 'pillow-bilinear');
    assert.equal(m.preprocessing.colour, 'stored');
    delete raw.preprocessing['resize'];
    assert.equal(parseManifest(raw, 'x').preprocessing.resize, 'pillow-bilinear');
  });

  it('the built-in model names its own rule: sharp-linear on sRGB', async () => {
    const m = await readManifest(BUILTIN);
    assert.equal(m.preprocessing.resize, 'sharp-linear');
    assert.equal(m.preprocessing.colour, 'srgb');
  });

  it('refuses rules of other model kinds and misspellings, naming the ones it takes', () => {
    for (const [resize, fragment] of [
      ['letterbox', '"letterbox" is not a resize rule this model kind takes: use "pillow-bilinear" or "sharp-linear"'],
      ['stretch-bilinear-antialias', 'use "pillow-bilinear" or "sharp-linear"'],
      ['pillow-bilinaer', '"pillow-bilinaer" is not a resize rule'],
    ] as const) {
      const raw = samManifest();
      raw.preprocessing['resize'] = resize;
      assert.ok(problem(raw).includes(fragment), problem(raw));
    }
    const raw = samManifest();
    raw.preprocessing['colour'] = 'display-p3';
    assert.ok(problem(raw).includes('preprocessing.colour'), problem(raw));
  });

  it("a SAM manifest's preprocessImage gives ResizeLongestSide's pixels exactly (rocket.jpg, 1024), zero-padded", async () => {
    const spec: PreprocessSpec = parseManifest(samManifest(), 'sam').preprocessing;
    const expected = reference.pillow.find((c) => c.source === 'rocket.jpg' && c.longSide === 1024)!;
    const { frame, tensor } = await preprocessImage(join(PHOTOS, 'rocket.jpg'), spec);
    assert.deepEqual(frame, {
      origWidth: 640,
      origHeight: 427,
      resizedWidth: expected.width,
      resizedHeight: expected.height,
      inputSize: 1024,
    });
    const s = spec.inputSize;
    const bytes = new Uint8Array(frame.resizedWidth * frame.resizedHeight * 3);
    let padding = 0;
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < s; y++) {
        for (let x = 0; x < s; x++) {
          const v = tensor[c * s * s + y * s + x]!;
          if (x < frame.resizedWidth && y < frame.resizedHeight)
            bytes[(y * frame.resizedWidth + x) * 3 + c] = Math.round(v * spec.pixelStd[c]! + spec.pixelMean[c]!);
          else if (v !== 0) padding++;
        }
      }
    }
    assert.equal(padding, 0, 'padding after normalisation is 0');
    assertUint8Case(bytes, expected, 'preprocessImage(rocket.jpg)');
  });

  it("the built-in model's input is what it always was (sharp linear on sRGB), on every photo", async () => {
    const spec: PreprocessSpec = (await readManifest(BUILTIN)).preprocessing;
    for (const name of ['rocket.jpg', 'chelsea.jpg', 'retina.jpg', 'camera.png']) {
      const path = join(PHOTOS, name);
      const { frame, tensor } = await preprocessImage(path, spec);
      // The code this replaced, verbatim in effect.
      const { data } = await sharp(path)
        .removeAlpha()
        .toColourspace('srgb')
        .resize(frame.resizedWidth, frame.resizedHeight, { fit: 'fill', kernel: 'linear' })
        .raw()
        .toBuffer({ resolveWithObject: true });
      assert.deepEqual(tensor, normaliseHWC(data, frame, spec), name);
    }
  });

  it('feature-cache keys change with the resize and colour rules, not otherwise', async () => {
    const variant = (name: string, edit: (pre: Record<string, unknown>) => void): string => {
      const dir = join(temp, name);
      const raw = samManifest();
      edit(raw.preprocessing);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify(raw));
      for (const f of ['encoder.onnx', 'decoder.onnx']) copyFileSync(join(SAM_FORMAT, f), join(dir, f));
      return dir;
    };
    const dirs = [
      variant('legacy', () => undefined),
      variant('explicit', (p) => Object.assign(p, { resize: 'pillow-bilinear', colour: 'stored' })),
      variant('sharp', (p) => (p['resize'] = 'sharp-linear')),
      variant('srgb', (p) => (p['colour'] = 'srgb')),
    ];
    const image = { imageId: 1, path: join(PHOTOS, 'rocket.jpg'), cacheDir: null };
    const keys: string[] = [];
    for (const dir of dirs) {
      const segmenter = await PromptableSegmenter.load(dir);
      try {
        keys.push(new ModelRuntime('sam-format', segmenter, new FeatureCache(1 << 20)).featureKey(image).key);
      } finally {
        await segmenter.release();
      }
    }
    assert.equal(keys[0], keys[1], 'an unstated rule is the default rule');
    assert.equal(new Set(keys).size, 3, 'a different rule, a different key');
  });
});

/** opencv.js's cv.resize, loaded directly (the classical tools' loader exposes only what they use). */
interface CvResize {
  resize(image: RgbImage, width: number, height: number): Uint8Array;
}
async function loadOpenCvResize(): Promise<CvResize> {
  interface Mat {
    data: Uint8Array;
    delete(): void;
  }
  interface Cv {
    Mat: new (rows?: number, cols?: number, type?: number) => Mat;
    Size: new (width: number, height: number) => unknown;
    CV_8UC3: number;
    INTER_LINEAR: number;
    resize(src: Mat, dst: Mat, size: unknown, fx: number, fy: number, interpolation: number): void;
    onRuntimeInitialized?: () => void;
  }
  const before = { uncaught: new Set(process.listeners('uncaughtException')), rejection: new Set(process.listeners('unhandledRejection')) };
  // A plain require (not import()): the module object is a thenable, so it must not pass through a promise.
  const cv = createRequire(__filename)('@techstark/opencv-js') as Cv;
  // Emscripten's glue adds process-wide handlers; the test runner's own stay in charge.
  for (const l of process.listeners('uncaughtException')) if (!before.uncaught.has(l)) process.removeListener('uncaughtException', l);
  for (const l of process.listeners('unhandledRejection')) if (!before.rejection.has(l)) process.removeListener('unhandledRejection', l);
  await new Promise<void>((resolve) => {
    if (typeof cv.Mat === 'function') resolve();
    else cv.onRuntimeInitialized = () => resolve();
  });
  return {
    resize(image, width, height) {
      const src = new cv.Mat(image.height, image.width, cv.CV_8UC3);
      const dst = new cv.Mat();
      try {
        src.data.set(image.data);
        cv.resize(src, dst, new cv.Size(width, height), 0, 0, cv.INTER_LINEAR);
        return dst.data.slice();
      } finally {
        src.delete();
        dst.delete();
      }
    },
  };
}
