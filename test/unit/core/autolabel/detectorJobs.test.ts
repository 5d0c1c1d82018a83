// Auto-label with a detector: the YOLO fixture's detections become proposals
// labeled through the project's labels (by class name), masks from the
// chained SAM 2 fixture, boxes without one; a stuff label is one region.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { projectImageSource } from '../../../../core/host/aiHandlers.js';
import { Project } from '../../../../core/store/project.js';
import { ProposalTable } from '../../../../core/store/proposals.js';
import { InferenceEngine } from '../../../../engine/engine.js';
import { installSam2, installYolo, ROOT } from '../../engine/issue11Fixtures.js';
import { runnerFor } from './support.js';

describe('auto-label jobs with a detector', () => {
  let project: Project;
  let engine: InferenceEngine;
  const labelIds: Record<string, string> = { person: 'l-person', cat: 'l-cat', cup: 'l-cup' };

  before(() => {
    const user = mkdtempSync(join(tmpdir(), 'promptlabel-detector-jobs-'));
    installYolo(user, 'yolo-det');
    installSam2(user);
    const dir = mkdtempSync(join(tmpdir(), 'promptlabel-detector-project-'));
    for (const f of ['rocket.jpg', 'chelsea.jpg']) copyFileSync(join(ROOT, 'assets', 'photos', f), join(dir, f));
    project = Project.open(dir);
    project.applyBatch(
      Object.entries(labelIds).map(([name, id]) => ({
        type: 'label.put' as const,
        label: { id, name, colour: '#123456', hotkey: null, ...(name === 'cup' ? { stuff: true } : {}) },
      })),
    );
    engine = new InferenceEngine({
      roots: { builtin: join(ROOT, 'models'), user },
      settingsPath: null,
      settings: { executionProvider: 'cpu', modelId: 'shapes-seem-tiny' },
    });
  });
  after(async () => {
    await engine.close();
    project.close();
  });

  it('proposes the detections, labeled by class name, as boxes; chained, as that model’s masks; stuff as one region', async () => {
    const images = projectImageSource(project);
    const ids = project.listImages({ offset: 0, limit: 10 }).items.map((i) => i.id);
    const runner = runnerFor(project, engine);
    const boxes = await runner.start({ source: 'detector', modelId: 'yolo-det', minScore: 0 });
    await runner.idle();
    assert.equal(runner.store.require(boxes.id).state, 'done');
    const proposals = new ProposalTable(project.db);
    const boxProposals = proposals.all().filter((p) => p.jobId === boxes.id);
    for (const imageId of ids) {
      const detected = await engine.detect(images, { imageId, modelId: 'yolo-det' });
      const mine = boxProposals.filter((p) => p.imageId === imageId);
      assert.equal(mine.length, detected.detections.length, `image ${imageId}: one proposal per detection`);
      for (const d of detected.detections) {
        const expected = d.label?.labelId ?? null;
        assert.ok(
          mine.some((p) => p.labelId === expected && p.geometry.kind === 'box' && Math.abs(p.score - d.score) < 1e-9),
          `detection ${d.className} ${d.score.toFixed(3)} is a box proposal labeled ${expected}`,
        );
      }
    }
    assert.ok(
      boxProposals.some((p) => p.labelId === labelIds.person),
      'class names map onto project labels',
    );

    const chained = await runner.start({ source: 'detector', modelId: 'yolo-det', chainModelId: 'sam2-fixture', minScore: 0 });
    await runner.idle();
    const masks = proposals.all().filter((p) => p.jobId === chained.id);
    assert.ok(masks.length > 0 && masks.every((p) => p.geometry.kind === 'mask'), 'every chained proposal is a mask');
    for (const imageId of ids)
      assert.ok(masks.filter((p) => p.imageId === imageId && p.labelId === labelIds.cup).length <= 1, 'stuff: one region');
    assert.equal(proposals.all().filter((p) => p.jobId === boxes.id).length, boxProposals.length, 'another source’s proposals stay');
  });
});
