// The demo project: the sample images, and the sample's categories as labels
// (stuff marked, no annotations), so auto-label by name works from the first start.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { ensureDemoProject } from '../../../../core/host/demoProject.js';
import { Project } from '../../../../core/store/project.js';
import { SAMPLES_DIR } from '../../models/cocoGt.js';

test('the demo project gets the sample images and their labels, stuff marked, without annotations', () => {
  const userData = mkdtempSync(join(tmpdir(), 'promptlabel-demo-'));
  const dir = ensureDemoProject(userData, SAMPLES_DIR);
  assert.equal(readdirSync(dir).filter((f) => f.endsWith('.jpg')).length, 24);
  const project = Project.open(dir);
  try {
    const labels = project.labels();
    assert.equal(labels.length, 68);
    assert.deepEqual(
      labels.filter((l) => l.stuff).map((l) => l.name),
      ['sky', 'water', 'grass', 'sand'],
    );
    assert.equal((project.db.prepare('SELECT COUNT(*) AS n FROM annotations').get() as { n: number }).n, 0);
  } finally {
    project.close();
  }
  assert.equal(ensureDemoProject(userData, SAMPLES_DIR), dir, 'made once');
});
