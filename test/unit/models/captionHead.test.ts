// A caption head on the shipped model's frozen features (models/training:
// caption_head_data.py -> encode_scenes.ts -> train_caption_head.py ->
// export_caption_head.py), run end to end on a few scenes: the exported
// folder passes the app's file checks, loads with its captioner, and the
// app's decoding reproduces PyTorch's greedy words and points.
// Skipped where Debian's Python has no torch (the training code's only home).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { verifyModelFiles } from '../../../engine/worker/integrity.js';
import { readManifest } from '../../../engine/worker/models/segmenter/manifest.js';
import { PromptableSegmenter } from '../../../engine/worker/models/segmenter/segmenter.js';
import { MODEL_DIR } from './cocoGt.js';
import { assertCaptionerParity, captionParityEmbeddings, readParitySummary } from './parityInputs.js';

const ROOT = join(__dirname, '..', '..', '..');
const TRAINING = join(ROOT, 'models', 'training');
const PYTHON = '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch, numpy, PIL'], { encoding: 'utf8' }).status === 0;
const skip = hasTorch ? false : `${PYTHON} has no torch (models/training/README.md says how to install it)`;

function run(command: string, args: string[]): { status: number | null; out: string } {
  const r = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  return { status: r.status, out: `${r.stdout.slice(-2000)}\n${r.stderr.slice(-3000)}` };
}
function ok(command: string, args: string[]): string {
  const r = run(command, args);
  assert.equal(r.status, 0, `${args.join(' ')} failed:\n${r.out}`);
  return r.out;
}

describe('caption head on the shipped model: data, features from the app, training, export', { skip }, () => {
  let dir = '';
  let model = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'caption-head-'));
    model = join(dir, 'model');
    cpSync(MODEL_DIR, model, { recursive: true });
    for (const [name, extra] of [
      ['train', ['6']],
      ['eval', ['3', '--seed', '2000', '--idmaps']],
    ] as const) {
      ok(PYTHON, [join(TRAINING, 'caption_head_data.py'), join(dir, name), ...extra]);
      ok(process.execPath, ['--import', 'tsx', join(TRAINING, 'encode_scenes.ts'), join(dir, name), model]);
    }
    ok(PYTHON, [
      join(TRAINING, 'train_caption_head.py'),
      ...['--data', join(dir, 'train'), '--eval', join(dir, 'eval'), '--steps', '12', '--batch', '4', '--eval-scenes', '2'],
      ...['--out', join(dir, 'head.pt')],
    ]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the scenes and the features the app computed for them', () => {
    const info = JSON.parse(readFileSync(join(dir, 'train', 'features.json'), 'utf8')) as { count: number; shape: number[]; model: string };
    assert.equal(info.count, 6);
    assert.equal(info.model, 'shapes-seem-tiny');
    const lines = readFileSync(join(dir, 'train', 'meta.jsonl'), 'utf8').trim().split('\n');
    assert.equal(lines.length, 6);
    const first = JSON.parse(lines[0]!) as { caption: number[]; points: number[][] };
    assert.equal(first.caption.length, first.points.length, 'one point per caption word');
  });

  it('exports into the model folder: files listed with their hashes, the captioner loads, and decoding matches PyTorch', async () => {
    ok(PYTHON, [join(TRAINING, 'export_caption_head.py'), '--weights', join(dir, 'head.pt'), '--model', model]);
    const manifest = await readManifest(model);
    assert.deepEqual(await verifyModelFiles(model, manifest), []);
    assert.ok(manifest.captioner);
    const seg = await PromptableSegmenter.load(model);
    try {
      assert.ok(seg.capabilities.caption && seg.captioner);
      const { captioner } = readParitySummary(model);
      assert.ok(captioner, 'the export wrote the caption head\'s parity reference');
      await assertCaptionerParity(seg, captioner, captionParityEmbeddings(seg.dims.channels, seg.dims.grid));
    } finally {
      await seg.release();
    }
  });

  it("refuses a head trained on another model's features", () => {
    const other = join(dir, 'other');
    cpSync(MODEL_DIR, other, { recursive: true });
    const manifestPath = join(other, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { id: string };
    manifest.id = 'someone-else';
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const r = run(PYTHON, [join(TRAINING, 'export_caption_head.py'), '--weights', join(dir, 'head.pt'), '--model', other]);
    assert.notEqual(r.status, 0);
    assert.match(r.out, /trained on shapes-seem-tiny's features/);
  });
});
