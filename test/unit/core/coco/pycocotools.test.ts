// The reference implementation judges the export: pycocotools loads it, and
// COCOeval of perfect detections gives the same figures against the exported
// ground truth as against the imported one (a crowd region stays a crowd,
// areas stay the file's). Skipped where python3 cannot import pycocotools.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { rasterisePolygons } from '../../../../common/geometry/polygon.js';
import { maskToRle } from '../../../../common/geometry/rle.js';
import { exportCoco } from '../../../../core/coco/export.js';
import { importCoco } from '../../../../core/coco/import.js';
import { Project } from '../../../../core/store/project.js';
import { tempDir, writeImage } from '../store/fixtures.js';

// The PATH's python3 first, then Debian's (where the project's Python tooling lives).
const python = ['python3', '/usr/bin/python3'].find(
  (candidate) => spawnSync(candidate, ['-c', 'import pycocotools.cocoeval'], { encoding: 'utf8' }).status === 0,
);
const skip = python === undefined && 'python3 with pycocotools is not available';

const EVAL = `
import json, sys, io, contextlib
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval
source, exported = sys.argv[1], sys.argv[2]
def stats(gt_file):
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(gt_file)
        for a in gt.dataset['annotations']: gt.annToRLE(a)
        src = json.load(open(source))
        # Perfect detections of the non-crowd objects, by file name and category name (ids may differ).
        img = {i['file_name']: i['id'] for i in gt.dataset['images']}
        cat = {c['name']: c['id'] for c in gt.dataset['categories']}
        sname = {i['id']: i['file_name'] for i in src['images']}
        scat = {c['id']: c['name'] for c in src['categories']}
        dets = [{'image_id': img[sname[a['image_id']]], 'category_id': cat[scat[a['category_id']]], 'bbox': a['bbox'], 'score': 1.0}
                for a in src['annotations'] if not a.get('iscrowd')]
        ev = COCOeval(gt, gt.loadRes(dets), 'bbox')
        ev.evaluate(); ev.accumulate(); ev.summarize()
    return [round(float(s), 6) for s in ev.stats]
print(json.dumps({'source': stats(source), 'exported': stats(exported)}))
`;

test('pycocotools: the export evaluates exactly like the imported file', { skip }, async () => {
  const temp = tempDir();
  await writeImage(temp.dir, 'street.png', 64, 48);
  const project = Project.open(temp.dir);
  try {
    // A crowd region over the left half and two people inside it, the val2017 situation.
    const crowd = rasterisePolygons([{ outer: [0, 0, 32, 0, 32, 48, 0, 48], holes: [] }], 48, 64);
    const source = {
      images: [{ id: 139, file_name: 'street.png', width: 64, height: 48 }],
      categories: [{ id: 1, name: 'person', supercategory: 'person' }],
      annotations: [
        { id: 10, image_id: 139, category_id: 1, iscrowd: 1, area: 1400.0, bbox: [0, 0, 32, 48], segmentation: maskToRle(crowd, 48, 64) },
        {
          id: 11,
          image_id: 139,
          category_id: 1,
          iscrowd: 0,
          area: 150.0,
          bbox: [36, 10, 12, 14],
          segmentation: [[36, 10, 48, 10, 48, 24, 36, 24]],
        },
        {
          id: 12,
          image_id: 139,
          category_id: 1,
          iscrowd: 0,
          area: 900.0,
          bbox: [40, 26, 20, 20],
          segmentation: [[40, 26, 60, 26, 60, 46, 40, 46]],
        },
      ],
    };
    const sourceFile = join(temp.dir, 'source.json');
    writeFileSync(sourceFile, JSON.stringify(source));
    await importCoco(project, sourceFile);
    const exported = join(temp.dir, 'exported.json');
    await exportCoco(project, { outPath: exported, masks: 'polygons' });
    const run = spawnSync(python!, ['-c', EVAL, sourceFile, exported], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const { source: expected, exported: actual } = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, number[]>;
    assert.equal(expected![0], 1, 'perfect detections: AP 1.0 against the source');
    assert.deepEqual(actual, expected, 'the same twelve COCOeval figures against the export');
  } finally {
    project.close();
    temp.cleanup();
  }
});
