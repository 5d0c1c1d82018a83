// A model in Segment Anything's exact ONNX format (test/fixtures/sam-format,
// built from the shipped model by models/training/export_sam_format.py: an
// encoder taking [1,3,1024,1024] with ImageNet stats, the public SAM decoder
// inputs/outputs, no text encoder) through the same PromptableSegmenter as
// the built-in model. Good masks on the samples prove the adapter's SAM
// preprocessing (1024 px, ImageNet mean/std, padding) and its 1024 px
// coordinate frame; the rest covers load-time errors and provider fallback.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import * as ort from 'onnxruntime-node';

import { AppError } from '../../../common/contract/result.js';
import type { BinaryMask } from '../../../common/geometry/binaryMask.js';
import { maskIoU } from '../../../common/geometry/binaryMask.js';
import { verifyModelFiles } from '../../../engine/worker/integrity.js';
import { capabilitiesOf, manifestDims, parseManifest, SAM_DECODER_INPUTS, SAM_DECODER_OUTPUTS } from '../../../engine/worker/models/segmenter/manifest.js';
import type { SegmentPrompt } from '../../../engine/worker/models/segmenter/prompts.js';
import type { EncodedImage, SegmentResult } from '../../../engine/worker/models/segmenter/segmenter.js';
import { PromptableSegmenter } from '../../../engine/worker/models/segmenter/segmenter.js';
import { availableExecutionProviders, ORT_EXECUTION_PROVIDERS, resolveExecutionProvider } from '../../../engine/worker/sessions.js';
import type { CocoAnnotation } from './cocoGt.js';
import { annotationMask, interiorPoint, MODEL_DIR, probeObjects, readSamples, SAMPLES_DIR } from './cocoGt.js';

const SAM_DIR = join(__dirname, '..', '..', 'fixtures', 'sam-format');
const MODELS_DOC = join(__dirname, '..', '..', '..', 'docs', 'models.md');

interface Case {
  file: string;
  ann: CocoAnnotation;
  gt: BinaryMask;
  sam: EncodedImage;
  builtin: EncodedImage;
}

/** Rejects with an AppError of this code whose message contains every fragment. */
async function rejectsWith(promise: Promise<unknown>, code: AppError['code'], fragments: string[]): Promise<AppError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof AppError, `expected an AppError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  for (const f of fragments) assert.ok(caught.message.includes(f), `"${f}" not in: ${caught.message}`);
  return caught;
}

interface RawTensor {
  name: string;
  type: string;
  shape: (number | string)[];
}
type RawManifest = Record<string, unknown> & { decoder: Record<string, unknown> & { file: string; inputs: RawTensor[]; outputs: RawTensor[] } };

/** A copy of a model folder in a temp dir, with its manifest edited and some files left out. */
async function modelCopy(root: string, from: string, edit: (m: RawManifest) => void, files: string[]): Promise<string> {
  const dir = await mkdtemp(join(root, 'model-'));
  const manifest = JSON.parse(await readFile(join(from, 'manifest.json'), 'utf8')) as RawManifest;
  edit(manifest);
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
  for (const f of files) await copyFile(join(from, f), join(dir, f));
  return dir;
}

describe('manifest validation', () => {
  const builtinManifest = async (): Promise<RawManifest> => JSON.parse(await readFile(join(MODEL_DIR, 'manifest.json'), 'utf8')) as RawManifest;
  const problemsOf = (raw: unknown): string => {
    try {
      parseManifest(raw, 'x/manifest.json');
    } catch (error) {
      assert.ok(error instanceof AppError && error.code === 'invalid_file');
      return error.message;
    }
    return '';
  };

  it("accepts docs/models.md's SAM ViT-B example once its placeholders are filled in", async () => {
    const doc = await readFile(MODELS_DOC, 'utf8');
    const block = /validates this block[^\n]*\n```json\n([\s\S]*?)\n```/.exec(doc)?.[1];
    assert.ok(block, 'the example manifest block is in docs/models.md');
    const filled = block.replace(/"<sha256 of [^"]+>"/g, `"${'0'.repeat(64)}"`).replace(/"<size of [^"]+>"/g, '1');
    const m = parseManifest(JSON.parse(filled), 'docs/models.md');
    assert.deepEqual(capabilitiesOf(m), { points: true, box: true, scribble: true, text: false, reference: false, labels: false, wand: false, regions: false, everything: true, caption: false });
    assert.deepEqual(manifestDims(m), { channels: 256, grid: 64, inputSize: 1024, maskInputSize: 256, textDim: null, classDim: null });
    assert.equal(m.decoder.bestMask, 'sam-select');
    assert.deepEqual(m.labels, { things: [], stuff: [], all: [] });
  });

  it('explains what is wrong, by field', async () => {
    const cases: [string, (m: RawManifest) => void, string][] = [
      ['text encoder without tokenizer', (m) => delete m['tokenizer'], 'textEncoder and tokenizer go together'],
      ['file outside the folder', (m) => (m.decoder.file = '../decoder.onnx'), 'decoder.file: must be a path inside the model folder'],
      ['file not listed', (m) => (m.decoder.file = 'other.onnx'), '"other.onnx" is not listed in "files"'],
      ['half a pair', (m) => (m.decoder.inputs = m.decoder.inputs.filter((t) => t.name !== 'has_ref_embedding')), '"ref_embedding" and "has_ref_embedding" go together'],
      ['mask size', (m) => ((m['preprocessing'] as { lowResMaskSize: number }).lowResMaskSize = 256), 'mask_input must be [1, 1, 256, 256]'],
      ['stride', (m) => ((m['preprocessing'] as { embeddingStride: number }).embeddingStride = 16), 'embeddingStride x embeddingGrid must equal inputSize (256)'],
      ['caption graph not listed', (m) => (captioner(m).step.file = 'step.onnx'), '"step.onnx" is not listed in "files"'],
      ['caption inputs out of order', (m) => captioner(m).step.inputs.reverse(), 'must be [caption_memory, token_ids] in this order'],
      ['caption token outside the vocab', (m) => (captioner(m)['eosId'] = 100_000), 'captioner.eosId: must be a vocab index'],
      [
        'caption embeddings of another shape',
        (m) => (captioner(m).context.inputs[0]!.shape = [1, 8, 32, 32]),
        'image_embeddings must have the shape of the encoder output',
      ],
    ];
    for (const [what, edit, expected] of cases) {
      const m = await builtinManifest();
      edit(m);
      const message = problemsOf(m);
      assert.ok(message.startsWith('x/manifest.json is not a valid model manifest: '), `${what}: ${message}`);
      assert.ok(message.includes(expected), `${what}: ${message}`);
    }
    assert.equal(problemsOf(await builtinManifest()), '');
  });

  it('labels follow class_embedding + text encoder; text follows text encoder + text input', async () => {
    const m = await builtinManifest();
    m.decoder.outputs = m.decoder.outputs.filter((t) => t.name !== 'class_embedding');
    assert.deepEqual(capabilitiesOf(parseManifest(m, 'x')), { points: true, box: true, scribble: true, text: true, reference: true, labels: false, wand: false, regions: false, everything: true, caption: true });
    delete m['textEncoder'];
    delete m['tokenizer'];
    assert.deepEqual(capabilitiesOf(parseManifest(m, 'x')), { points: true, box: true, scribble: true, text: false, reference: true, labels: false, wand: false, regions: false, everything: true, caption: true });
    delete m['captioner'];
    assert.equal(capabilitiesOf(parseManifest(m, 'x')).caption, false);
  });
});

/** The built-in manifest's caption head entry, to edit. */
function captioner(m: RawManifest): { context: RawManifest['decoder']; step: RawManifest['decoder'] } & Record<string, unknown> {
  return m['captioner'] as { context: RawManifest['decoder']; step: RawManifest['decoder'] } & Record<string, unknown>;
}

describe('a Segment Anything format model (test/fixtures/sam-format)', () => {
  let sam: PromptableSegmenter;
  let builtin: PromptableSegmenter;
  let scratch: string;
  const cases: Case[] = [];

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'promptlabel-samformat-'));
    [sam, builtin] = await Promise.all([PromptableSegmenter.load(SAM_DIR), PromptableSegmenter.load(MODEL_DIR)]);
    // The objects samples.test.ts uses.
    const coco = await readSamples();
    for (const { image: img, ann } of probeObjects(coco)) {
      const path = join(SAMPLES_DIR, img.file_name);
      const [samImage, builtinImage] = await Promise.all([sam.encodeImage(path), builtin.encodeImage(path)]);
      cases.push({ file: img.file_name, ann, gt: await annotationMask(ann, img.width, img.height), sam: samImage, builtin: builtinImage });
    }
    assert.ok(cases.length >= 3, 'not enough sample objects');
  });

  after(async () => {
    await Promise.all([sam?.release(), builtin?.release()]);
    await rm(scratch, { recursive: true, force: true });
  });

  const bestMask = (r: SegmentResult): BinaryMask => r.candidates[r.best]!.mask();
  const boxOf = (c: Case): [number, number, number, number] => {
    const [x, y, w, h] = c.ann.bbox;
    return [x, y, x + w, y + h];
  };
  const clickOf = (c: Case): SegmentPrompt => {
    const p = interiorPoint(c.gt);
    return { clicks: [{ x: p.x, y: p.y, positive: true }] };
  };

  it('has the exact SAM signature in its manifest and its ONNX sessions, and intact files', async () => {
    const m = sam.manifest;
    assert.deepEqual(await verifyModelFiles(SAM_DIR, m), []);
    assert.deepEqual(m.decoder.inputs.map((t) => t.name), [...SAM_DECODER_INPUTS]);
    assert.deepEqual(m.decoder.outputs.map((t) => t.name), [...SAM_DECODER_OUTPUTS]);
    assert.equal(m.textEncoder, undefined);
    assert.equal(m.tokenizer, undefined);
    assert.deepEqual(m.labels.all, []);
    const { encoder, decoder, textEncoder } = sam.sessions();
    assert.equal(textEncoder, null);
    assert.deepEqual([...decoder.inputNames], [...SAM_DECODER_INPUTS]);
    assert.deepEqual([...decoder.outputNames], [...SAM_DECODER_OUTPUTS]);
    const shapes = Object.fromEntries(decoder.inputMetadata.map((t) => [t.name, t.isTensor ? [...t.shape] : null]));
    assert.deepEqual(shapes, {
      image_embeddings: [1, 256, 64, 64],
      point_coords: [1, 'num_points', 2],
      point_labels: [1, 'num_points'],
      mask_input: [1, 1, 256, 256],
      has_mask_input: [1],
      orig_im_size: [2],
    });
    const encIn = encoder.inputMetadata[0]!;
    assert.ok(encIn.isTensor);
    assert.deepEqual([...encIn.shape], [1, 3, 1024, 1024]);
    assert.deepEqual(m.preprocessing.pixelMean, [123.675, 116.28, 103.53]);
    assert.deepEqual(m.preprocessing.pixelStd, [58.395, 57.12, 57.375]);
    assert.equal(sam.maskInputSize, 256);
    assert.deepEqual(sam.dims, { channels: 256, grid: 64, inputSize: 1024, maskInputSize: 256, textDim: null, classDim: null });
  });

  it('reports its capabilities: points, box, scribble; no text, reference or labels', () => {
    const expected = { points: true, box: true, scribble: true, text: false, reference: false, labels: false, wand: false, regions: false, everything: true, caption: false };
    assert.deepEqual(sam.capabilities, expected);
    assert.deepEqual(capabilitiesOf(sam.manifest), expected);
    assert.deepEqual(builtin.capabilities, { points: true, box: true, scribble: true, text: true, reference: true, labels: true, wand: false, regions: false, everything: true, caption: true });
  });

  it('preprocesses to the 1024 frame: longest side 1024, embeddings [256, 64, 64]', () => {
    for (const c of cases) {
      const f = c.sam.frame;
      assert.equal(f.inputSize, 1024);
      assert.equal(Math.max(f.resizedWidth, f.resizedHeight), 1024, c.file);
      assert.equal(c.sam.embeddings.data.length, 256 * 64 * 64);
      assert.equal(c.sam.embeddings.stride, 16);
    }
  });

  it('a box gives IoU >= 0.8 against the ground truth, within 0.03 of the built-in model', async () => {
    for (const c of cases) {
      const r = await sam.segment(c.sam, { box: boxOf(c) });
      const direct = await builtin.segment(c.builtin, { box: boxOf(c) });
      const iou = maskIoU(bestMask(r), c.gt);
      const directIoU = maskIoU(bestMask(direct), c.gt);
      assert.equal(r.candidates.length, 3);
      assert.equal(r.candidates[0]!.low.data.length, 256 * 256);
      assert.equal(r.candidates[0]!.classEmbedding, null);
      assert.ok(iou >= 0.8, `box on ${c.file}: IoU ${iou.toFixed(3)}`);
      assert.ok(iou >= directIoU - 0.03, `box on ${c.file}: ${iou.toFixed(3)} vs built-in ${directIoU.toFixed(3)}`);
    }
  });

  it('a click gives the same masks as the built-in model (best candidate IoU >= 0.8 vs ground truth)', async () => {
    for (const c of cases) {
      const r = await sam.segment(c.sam, clickOf(c));
      const direct = await builtin.segment(c.builtin, clickOf(c));
      const agreement = maskIoU(bestMask(r), bestMask(direct));
      assert.ok(agreement >= 0.9, `click on ${c.file}: SAM format vs built-in mask IoU ${agreement.toFixed(3)}`);
      const bestCandidate = Math.max(...r.candidates.map((k) => maskIoU(k.mask(), c.gt)));
      assert.ok(bestCandidate >= 0.8, `click on ${c.file}: best candidate IoU ${bestCandidate.toFixed(3)}`);
    }
  });

  it('takes its own 256x256 low-res mask back as the memory prompt', async () => {
    for (const c of cases) {
      const first = await sam.segment(c.sam, { box: boxOf(c) });
      const refined = await sam.segment(c.sam, { box: boxOf(c), maskInput: first.candidates[first.best]!.low.data });
      const iou = maskIoU(bestMask(refined), c.gt);
      assert.ok(iou >= 0.8, `box + memory on ${c.file}: IoU ${iou.toFixed(3)}`);
    }
  });

  it('a scribble (sampled to points) covers the object', async () => {
    const c = cases[0]!;
    const p = interiorPoint(c.gt);
    const stroke: [number, number][] = [];
    for (let x = 0; x < c.gt.width; x += 0.5) if (c.gt.data[Math.floor(p.y) * c.gt.width + Math.floor(x)]) stroke.push([x, p.y]);
    assert.ok(stroke.length > 10);
    const r = await sam.segment(c.sam, { scribble: stroke });
    const best = Math.max(...r.candidates.map((k) => maskIoU(k.mask(), c.gt)));
    assert.ok(best > 0.5, `scribble IoU ${best.toFixed(3)}`);
  });

  it("preselects by predicted IoU, or by SAM's select_masks rule when the manifest asks for it", async () => {
    const c = cases[1]!;
    const argmax = (xs: number[]): number => xs.indexOf(Math.max(...xs));
    const oneClick = clickOf(c);
    const twoClicks: SegmentPrompt = { clicks: [...oneClick.clicks!, { x: 1, y: 1, positive: false }] };
    const byIoU = await sam.segment(c.sam, oneClick);
    assert.equal(byIoU.best, argmax(byIoU.candidates.map((k) => k.score)));

    const dir = await modelCopy(scratch, SAM_DIR, (m) => {
      m.decoder['bestMask'] = 'sam-select';
    }, ['encoder.onnx', 'decoder.onnx']);
    const samSelect = await PromptableSegmenter.load(dir);
    try {
      // One click + the padding point, or a box: 2 points, so mask 0 is never the pick.
      for (const prompt of [oneClick, { box: boxOf(c) }]) {
        const r = await samSelect.segment(c.sam, prompt);
        assert.equal(r.best, 1 + argmax(r.candidates.slice(1).map((k) => k.score)));
      }
      // Two clicks + padding: 3 points, mask 0 always.
      assert.equal((await samSelect.segment(c.sam, twoClicks)).best, 0);
    } finally {
      await samSelect.release();
    }
  });

  it('refuses text and reference prompts with a clear error', async () => {
    const c = cases[0]!;
    await rejectsWith(sam.embedText('red circle'), 'unsupported', ['sam-format-fixture', 'no text encoder']);
    const text = await builtin.embedText('red circle');
    await rejectsWith(sam.segment(c.sam, { textEmbedding: text }), 'unsupported', ['takes no text prompts']);
    await rejectsWith(sam.segment(c.sam, { clicks: clickOf(c).clicks, refEmbedding: new Float32Array(256) }), 'unsupported', ['reference-region']);
  });

  it('refuses features encoded by another model, a wrong-sized mask input and an empty prompt', async () => {
    const c = cases[0]!;
    await rejectsWith(sam.segment(c.builtin, { box: boxOf(c) }), 'bad_request', ['encoded for another model', '1024']);
    await rejectsWith(sam.segment(c.sam, { box: boxOf(c), maskInput: new Float32Array(128 * 128) }), 'bad_request', ['256 x 256']);
    await rejectsWith(sam.segment(c.sam, {}), 'bad_request', ['at least one prompt']);
  });

  it('a misspelt decoder input in the manifest is an error naming the manifest and the name', async () => {
    const dir = await modelCopy(scratch, SAM_DIR, (m) => {
      m.decoder.inputs[1]!.name = 'point_coord';
    }, ['encoder.onnx', 'decoder.onnx']);
    await rejectsWith(PromptableSegmenter.load(dir), 'invalid_file', [join(dir, 'manifest.json'), '"point_coord" is not a decoder input', '"point_coords" is missing']);
  });

  it('a declared input the ONNX file does not have is an error naming the file and the names', async () => {
    const dir = await modelCopy(scratch, SAM_DIR, (m) => {
      m.decoder.inputs.push({ name: 'ref_embedding', type: 'float32', shape: [1, 256] }, { name: 'has_ref_embedding', type: 'float32', shape: [1] });
    }, ['encoder.onnx', 'decoder.onnx']);
    await rejectsWith(PromptableSegmenter.load(dir), 'invalid_file', [join(dir, 'decoder.onnx'), '"ref_embedding", "has_ref_embedding"', 'the model does not have', "model's inputs are: image_embeddings"]);
  });

  it('an ONNX input the manifest does not declare is an error naming the file and the input', async () => {
    // The built-in decoder has the text/ref inputs; a manifest without the ref pair cannot feed it.
    const copy = await modelCopy(scratch, MODEL_DIR, (m) => {
      m.decoder.inputs = m.decoder.inputs.filter((t) => !t.name.includes('ref_embedding'));
    }, ['encoder.onnx', 'decoder.onnx', 'text_encoder.onnx', 'tokenizer.json', 'caption_context.onnx', 'caption_step.onnx']);
    await rejectsWith(PromptableSegmenter.load(copy), 'invalid_file', [join(copy, 'decoder.onnx'), '"ref_embedding", "has_ref_embedding" that manifest.json does not declare']);
  });

  it('a missing model file or manifest is a not_found error naming the path', async () => {
    const dir = await modelCopy(scratch, SAM_DIR, () => undefined, ['encoder.onnx']);
    await rejectsWith(PromptableSegmenter.load(dir), 'not_found', [join(dir, 'decoder.onnx')]);
    const empty = await mkdtemp(join(scratch, 'empty-'));
    await rejectsWith(PromptableSegmenter.load(empty), 'not_found', [join(empty, 'manifest.json')]);
  });

  it('a file that is not an ONNX model is an error naming it; verifyFiles catches a changed file first', async () => {
    const dir = await modelCopy(scratch, SAM_DIR, () => undefined, ['encoder.onnx']);
    await writeFile(join(dir, 'decoder.onnx'), 'not a model');
    await rejectsWith(PromptableSegmenter.load(dir), 'invalid_file', ['cannot load', join(dir, 'decoder.onnx')]);
    await rejectsWith(PromptableSegmenter.load(dir, { verifyFiles: true }), 'invalid_file', ['decoder.onnx: size']);
  });

  describe('execution providers', () => {
    it("'auto' resolves to the platform's GPU provider or cpu, never to webgpu or an unknown name", () => {
      const available = availableExecutionProviders();
      assert.equal(available[0], 'cpu');
      const gpuOr = (native: string): string[] => [native, ...(available.includes('cuda') ? ['cuda'] : ['cpu'])];
      assert.ok(gpuOr('cuda').includes(resolveExecutionProvider('auto', 'linux')));
      assert.ok(gpuOr('coreml').includes(resolveExecutionProvider('auto', 'darwin')));
      assert.ok(gpuOr('dml').includes(resolveExecutionProvider('auto', 'win32')));
      assert.notEqual(resolveExecutionProvider('auto'), 'webgpu');
      assert.equal(resolveExecutionProvider('cuda'), 'cuda');
      assert.throws(() => resolveExecutionProvider('tpu' as 'cpu'), /Unknown execution provider "tpu"/);
    });

    // On this machine (no GPU) every non-CPU provider falls back, quickly (webgpu: no adapter, ~20 ms;
    // cuda: add-on not installed; dml/coreml: not in the Linux build); where one works the model runs on it.
    // Either way the model must segment, and a fallback must say why.
    for (const provider of ORT_EXECUTION_PROVIDERS.filter((p) => p !== 'cpu')) {
      it(`'${provider}' runs on it or falls back to cpu with a note`, async () => {
        const seg = await PromptableSegmenter.load(SAM_DIR, { executionProvider: provider });
        try {
          if (seg.activeProvider === provider) assert.equal(seg.providerNote, null);
          else {
            assert.equal(seg.activeProvider, 'cpu');
            const note = seg.providerNote ?? '';
            assert.ok(note.startsWith(`${provider} `) && note.endsWith('running on cpu'), note);
            assert.ok(note.length < 400 && !note.includes('/onnxruntime_src/'), `the note is for people: ${note}`);
          }
          const c = cases[0]!;
          const image = await seg.encodeImage(join(SAMPLES_DIR, c.file));
          const iou = maskIoU(bestMask(await seg.segment(image, { box: boxOf(c) })), c.gt);
          assert.ok(iou >= 0.8, `box IoU on ${provider}: ${iou.toFixed(3)}`);
        } finally {
          await seg.release();
        }
      });
    }

    it('cuda is offered exactly when its add-on library sits next to the binding (docs/models.md, GPU in practice)', (t) => {
      if (!ort.listSupportedBackends().some((b) => b.name === 'cuda' && !b.bundled)) return t.skip('this onnxruntime build has no CUDA add-on');
      const bindingDir = mkdtempSync(join(tmpdir(), 'promptlabel-ort-'));
      try {
        assert.ok(!availableExecutionProviders(bindingDir).includes('cuda'));
        writeFileSync(join(bindingDir, 'libonnxruntime_providers_cuda.so'), '');
        assert.ok(availableExecutionProviders(bindingDir).includes('cuda'));
      } finally {
        rmSync(bindingDir, { recursive: true, force: true });
      }
    });

    it('a provider missing from this onnxruntime installation falls back to cpu and names it', async (t) => {
      const missing = ORT_EXECUTION_PROVIDERS.find((p) => !availableExecutionProviders().includes(p));
      if (!missing) return t.skip('every provider is installed here');
      const seg = await PromptableSegmenter.load(SAM_DIR, { executionProvider: missing });
      assert.equal(seg.activeProvider, 'cpu');
      assert.match(seg.providerNote ?? '', new RegExp(`^${missing} is not available in this onnxruntime installation \\(available: cpu`));
      await seg.release();
    });
  });
});
