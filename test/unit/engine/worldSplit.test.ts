// The evaluation worlds of `npm run eval:worlds` (scripts/eval-worlds.ts):
// evaluate.py's rules on hand-made masks, and a tiny split written by
// models/training/make_eval_split.py --world that must be evaluate.py's own
// scenes (scene_for) with ground truth and sidecar agreeing. The Python part
// is skipped where Debian's Python lacks numpy / Pillow / scikit-image.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { BinaryMask } from '../../../common/geometry/binaryMask.js';
import { clicksToReach, maskBox, readWorldSplit, type WorldSplit } from '../../../engine/evaluation/worldSplit.js';

const ROOT = join(__dirname, '..', '..', '..');
const TRAINING = join(ROOT, 'models', 'training');
const PYTHON = '/usr/bin/python3';
const hasPython = spawnSync(PYTHON, ['-c', 'import numpy, PIL, skimage'], { encoding: 'utf8' }).status === 0;
const skip = hasPython ? false : `${PYTHON} has no numpy / Pillow / scikit-image (models/training/README.md says how to install them)`;

function python(args: string[]): string {
  const r = spawnSync(PYTHON, args, { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `${args.join(' ')} failed:\n${r.stderr.slice(-3000)}`);
  return r.stdout;
}

function mask(width: number, height: number, on: [number, number][]): BinaryMask {
  const data = new Uint8Array(width * height);
  for (const [x, y] of on) data[y * width + x] = 1;
  return { width, height, data };
}

describe("evaluate.py's rules", () => {
  it('NoC: the first click reaching the threshold, else the maximum', () => {
    assert.equal(clicksToReach([0.5, 0.86, 0.91], 0.85, 20), 2);
    assert.equal(clicksToReach([0.5, 0.86, 0.91], 0.9, 20), 3);
    assert.equal(clicksToReach([0.95], 0.9, 20), 1);
    assert.equal(clicksToReach([0.9], 0.9, 20), 1);
    assert.equal(clicksToReach([0.2, 0.4], 0.85, 20), 20);
    assert.equal(clicksToReach([], 0.85, 20), 20);
    assert.equal(clicksToReach([0.1, 0.1, 0.95], 0.9, 2), 2);
  });

  it("a mask's box ends one past its last pixel (box_of), and an empty mask has none", () => {
    assert.deepEqual(maskBox(mask(5, 4, [[1, 1]])), [1, 1, 2, 2]);
    assert.deepEqual(
      maskBox(
        mask(5, 4, [
          [3, 2],
          [1, 1],
          [4, 3],
        ]),
      ),
      [1, 1, 5, 4],
    );
    assert.equal(maskBox(mask(5, 4, [])), null);
  });
});

describe('make_eval_split.py --world: a held-out split of evaluate.py scenes', { skip }, () => {
  let dir = '';
  let split: WorldSplit;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'eval-worlds-test-'));
    python([join(TRAINING, 'make_eval_split.py'), join(dir, 'heldout'), '--world', 'heldout', '--objects', '6']);
    split = readWorldSplit(join(dir, 'heldout'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('holds whole scenes until at least 6 objects of 20+ pixels, with exact masks matching the COCO boxes and areas', () => {
    assert.equal(split.world, 'heldout');
    assert.equal(split.seed, 2000);
    assert.ok(split.objects.length >= 6);
    assert.equal(split.images.size, split.scenes);
    const coco = JSON.parse(readFileSync(join(dir, 'heldout', 'annotations.coco.json'), 'utf8')) as {
      annotations: { id: number; bbox: number[]; area: number; segmentation: unknown }[];
      categories: { id: number; name: string }[];
    };
    const byId = new Map(coco.annotations.map((a) => [a.id, a]));
    for (const o of split.objects) {
      const a = byId.get(o.annotationId)!;
      const [x, y, w, h] = a.bbox as [number, number, number, number];
      assert.deepEqual(o.box, [x, y, x + w, y + h]);
      assert.equal(
        o.mask.data.reduce((n, v) => n + v, 0),
        a.area,
      );
      assert.ok(a.area >= 20);
      // named: one of the 64 "<colour> <shape>" names, with a referring phrase
      assert.equal(o.named, !o.category.endsWith(' shape'), o.category);
      if (o.named) assert.ok(o.referring.includes(o.category), `${o.referring} / ${o.category}`);
    }
    // the wide world's unnamed objects get categories after the 68
    assert.ok(coco.categories.length >= 68);
    assert.equal(coco.categories[67]!.name, 'sand');
  });

  it("is scene_for(EVAL_SEED, index, 'heldout'): same image size, objects, areas, phrases and held-out families", () => {
    const facts = JSON.parse(
      python([
        '-c',
        `import json, sys; sys.path.insert(0, ${JSON.stringify(TRAINING)})
from common import EVAL_SEED
from wide_world import scene_for
s = scene_for(EVAL_SEED, 0, "heldout")
print(json.dumps({"hw": list(s.image.shape[:2]), "objects": [[int(i.mask.sum()), i.referring, i.named, i.unique, i.family, i.fill]
      for i in s.instances if i.mask.sum() >= 20]}))`,
      ]),
    ) as { hw: [number, number]; objects: [number, string, boolean, boolean, string, string][] };
    const first = split.images.get(1)!;
    assert.deepEqual([first.height, first.width], facts.hw);
    const mine = split.objects
      .filter((o) => o.imageId === 1)
      .map((o) => [o.mask.data.reduce((n, v) => n + v, 0), o.referring, o.named, o.unique, o.family, o.fill]);
    assert.deepEqual(mine, facts.objects);
    assert.ok(split.objects.every((o) => o.named || ['crescent', 'arc', 'gear'].includes(o.family)));
  });

  it('refuses a sidecar that disagrees with the ground truth, naming the file and the annotation', () => {
    const sidecarPath = join(dir, 'heldout', 'objects.json');
    const good = readFileSync(sidecarPath, 'utf8');
    try {
      const bad = JSON.parse(good) as { annotations: { category: string }[] };
      bad.annotations[0]!.category = 'purple unicorn';
      writeFileSync(sidecarPath, JSON.stringify(bad));
      assert.throws(() => readWorldSplit(join(dir, 'heldout')), /annotations\.0 \(id 1\): image or category differs from .*objects\.json/);
      bad.annotations.pop();
      writeFileSync(sidecarPath, JSON.stringify(bad));
      assert.throws(() => readWorldSplit(join(dir, 'heldout')), /objects\.json: \d+ annotations, .*annotations\.coco\.json has \d+/);
    } finally {
      writeFileSync(sidecarPath, good);
    }
  });

  it('keeps the first form (COUNT scenes of the shapes world) that eval:autolabel calls', () => {
    python([join(TRAINING, 'make_eval_split.py'), join(dir, 'old'), '1']);
    const coco = JSON.parse(readFileSync(join(dir, 'old', 'annotations.coco.json'), 'utf8')) as {
      images: { file_name: string }[];
      categories: unknown[];
    };
    assert.deepEqual(
      coco.images.map((i) => i.file_name),
      ['eval_0001.png'],
    );
    assert.equal(coco.categories.length, 68);
  });
});
