// `promptlabel models add | remove | links` in-process, on a temporary user
// folder: what an add prints (recognised as, sha256 per file, timings, the
// model's line), a refusal's exit code and message with nothing installed,
// the list's kind and prompt columns, removal, and the suggestion list
// (nothing fetched); a MobileSAM raw-image encoder with the SAM decoder
// added, then segmenting with `segment` as SamPredictor does.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';

import { runCli } from '../../../cli/cli.js';
import { type BinaryMask, maskIoU } from '../../../common/geometry/binaryMask.js';
import { rleToMask } from '../../../common/geometry/rle.js';
import { tempDir } from '../core/store/fixtures.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const F = (...parts: string[]): string => join(ROOT, 'test', 'fixtures', ...parts);

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const code = await runCli(args, { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t) });
  return { code, ...out };
}

describe('promptlabel models add / remove / links', () => {
  const temp = tempDir('promptlabel-cli-models-');
  const saved = process.env.PROMPTLABEL_USER_DATA;
  const models = join(temp.dir, 'user', 'models');
  before(() => {
    process.env.PROMPTLABEL_USER_DATA = join(temp.dir, 'user');
  });
  after(() => {
    if (saved === undefined) delete process.env.PROMPTLABEL_USER_DATA;
    else process.env.PROMPTLABEL_USER_DATA = saved;
    temp.cleanup();
  });

  it('adds the SAM-format pair: recognised as, sha256 of each file, timings, and its line in the list', async () => {
    const r = await cli([
      'models',
      'add',
      F('sam-format', 'encoder.onnx'),
      F('sam-format', 'decoder.onnx'),
      '--id',
      'dropped',
      '--name',
      'Dropped SAM',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Installed dropped in .*dropped\n {2}recognised as: Segment Anything decoder \(3 masks/);
    assert.match(r.stdout, /encoder\.onnx: 2\.2 MB, sha256 [0-9a-f]{64}\n {2}decoder\.onnx: 1\.8 MB, sha256 [0-9a-f]{64}/);
    assert.match(r.stdout, /recognition \d+\.\d s, copy \d+\.\d s, onnxruntime check \d+\.\d s, total \d+\.\d s/);
    assert.match(r.stdout, /dropped\s+user\s+points,box,scribble\s+ok/);
    assert.match(r.stderr, /recognising the model from its graphs…\ncopying the files/);
    const list = await cli(['models']);
    assert.match(list.stdout, /^ID\s+SOURCE\s+PROMPTS\s+STATUS/);
    assert.match(list.stdout, /dropped\s+user\s+points/);
  });

  it('refuses a decoder alone with exit 1 and the reason, installing nothing', async () => {
    const r = await cli(['models', 'add', F('signatures', 'sam-decoder.onnx')]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /promptlabel models: sam-decoder\.onnx was recognised as Segment Anything decoder .*needs its encoder.*Nothing was installed\./,
    );
    assert.deepEqual(readdirSync(models).sort(), ['dropped']);
  });

  it('usage errors: nothing to add, --download without a YAML, a bad --sha256', async () => {
    assert.equal((await cli(['models', 'add'])).code, 2);
    assert.equal((await cli(['models', 'add', F('yolo', 'yolo-det.onnx'), '--download'])).code, 2);
    const sha = await cli(['models', 'fetch', 'https://example.invalid/m.onnx', '--sha256', 'xyz']);
    assert.equal(sha.code, 2);
    assert.match(sha.stderr, /--sha256 xyz is not a sha256/);
  });

  it('removes a user model and refuses a built-in one', async () => {
    const builtin = await cli(['models', 'remove', 'shapes-seem-tiny']);
    assert.equal(builtin.code, 1);
    assert.match(builtin.stderr, /is a built-in model; only your own models can be removed/);
    const r = await cli(['models', 'remove', 'dropped']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(existsSync(join(models, 'dropped')), false);
  });

  it('lists public model links as suggestions, each not verified here, fetching nothing', async () => {
    const r = await cli(['models', 'links']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /yolov8n {2}YOLOv8n \(COCO, 80 classes\) {2}\[not verified here\]/);
    assert.match(
      r.stdout,
      /promptlabel models fetch https:\/\/github\.com\/CVHub520\/X-AnyLabeling\/releases\/download\/v2\.5\.0\/sam2\.1_hiera_tiny\.encoder\.onnx https:\/\/\S+decoder\.onnx/,
    );
    assert.match(r.stderr, /Nothing was downloaded/);
  });

  it("adds a MobileSAM raw-image encoder with the SAM decoder (encoderInput raw-hwc), and segment gives SamPredictor's masks", async () => {
    const r = await cli(['models', 'add', F('mobilesam', 'encoder.onnx'), F('sam', 'decoder.onnx'), '--id', 'mobilesam']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /recognised as: Segment Anything decoder \(4 masks.*raw-image \[H, W, 3\] input/);
    assert.match(r.stdout, /mobilesam\s+user\s+points,box,scribble\s+ok/);
    const manifest = JSON.parse(readFileSync(join(models, 'mobilesam', 'manifest.json'), 'utf8')) as {
      preprocessing: { encoderInput: string };
    };
    assert.equal(manifest.preprocessing.encoderInput, 'raw-hwc');

    type Rle = { size: [number, number]; counts: string };
    const reference = JSON.parse(gunzipSync(readFileSync(F('mobilesam', 'reference.json.gz'))).toString('utf8')) as {
      photos: { file: string; prompts: { name: string; predict_args: { point_coords?: [number, number][] }; masks: Rle[] }[] }[];
    };
    const photo = reference.photos[0]!;
    const click = photo.prompts.find((p) => p.name === 'click')!;
    const [x, y] = click.predict_args.point_coords![0]!;
    const out = join(temp.dir, 'mobilesam-click.json');
    const run = await cli([
      'segment',
      '--model',
      'mobilesam',
      '--image',
      join(ROOT, photo.file),
      '--point',
      `${x},${y}`,
      '--candidate',
      'all',
      '--out',
      out,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const mask = (rle: Rle): BinaryMask => ({ width: rle.size[1], height: rle.size[0], data: rleToMask(rle) });
    const result = JSON.parse(readFileSync(out, 'utf8')) as { candidates: { index: number; rle: Rle }[] };
    assert.equal(result.candidates.length, 4);
    for (const c of result.candidates) {
      const iou = maskIoU(mask(c.rle), mask(click.masks[c.index]!));
      assert.ok(iou >= 0.99, `candidate ${c.index}: IoU ${iou.toFixed(5)}`);
    }
  });
});
