// Auto-label jobs end to end on the built-in model and the sample images: a
// real project database, a real worker, the sample ground truth.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { type AutolabelJob, type ProposalRecord, proposalSchema } from '../../../../common/contract/index.js';
import type { BinaryMask } from '../../../../common/geometry/binaryMask.js';
import { maskIoU } from '../../../../common/geometry/binaryMask.js';
import { rleToMask } from '../../../../common/geometry/rle.js';
import { acceptOps, rejectOps } from '../../../../common/review/proposalOps.js';
import { cocoResultSchema, exportResults, importResults } from '../../../../core/autolabel/cocoResults.js';
import { cocoIds } from '../../../../core/coco/cocoIds.js';
import type { Project } from '../../../../core/store/project.js';
import { ProposalTable } from '../../../../core/store/proposals.js';
import type { InferenceEngine } from '../../../../engine/engine.js';
import { annotationMask, type CocoAnnotation, readSamples } from '../../models/cocoGt.js';
import { builtinEngine, runnerFor, sampleProject, STUFF_NAMES } from './support.js';

const IMAGES = 3;

function maskOf(p: ProposalRecord): BinaryMask {
  assert.equal(p.geometry.kind, 'mask');
  if (p.geometry.kind !== 'mask') throw new Error('not a mask');
  return { width: p.geometry.rle.size[1], height: p.geometry.rle.size[0], data: rleToMask(p.geometry.rle) };
}

describe('auto-label jobs on the built-in model', () => {
  let project: Project;
  let engine: InferenceEngine;
  let proposals: ProposalTable;
  const gt: { imageId: number; labelId: string; mask: BinaryMask; ann: CocoAnnotation }[] = [];

  before(async () => {
    ({ project } = sampleProject(IMAGES));
    engine = builtinEngine();
    await engine.useProject(project.dir);
    await engine.configure({ modelId: 'shapes-seem-tiny' });
    proposals = new ProposalTable(project.db);
    const coco = await readSamples();
    const images = project.listImages({ offset: 0, limit: 100 }).items;
    for (const image of images) {
      const sample = coco.images.find((i) => i.file_name === image.relPath)!;
      for (const ann of coco.annotations.filter((a) => a.image_id === sample.id))
        gt.push({ imageId: image.id, labelId: `c${ann.category_id}`, mask: await annotationMask(ann, sample.width, sample.height), ann });
    }
  });
  after(async () => {
    await engine.close();
    project.close();
  });

  it('by name: finds the named objects, one proposal per stuff label, no duplicates, only the chosen labels', async () => {
    const things = [...new Set(gt.filter((g) => !STUFF_NAMES.some((s) => `c${s}` === g.labelId)).map((g) => g.labelId))];
    const stuffIds = project
      .labels()
      .filter((l) => l.stuff)
      .map((l) => l.id);
    const chosen = [...things, ...stuffIds];
    const runner = runnerFor(project, engine);
    const job = await runner.start({ source: 'names', labelIds: chosen, minScore: 0.3 });
    await runner.idle();
    const end = runner.store.require(job.id);
    assert.equal(end.state, 'done');
    assert.equal(end.done, IMAGES);
    assert.ok(end.proposals > 0);
    const all = proposals.all();
    assert.ok(
      all.every((p) => p.labelId !== null && chosen.includes(p.labelId)),
      'only chosen labels are proposed',
    );
    for (const image of new Set(all.map((p) => p.imageId))) {
      const mine = all.filter((p) => p.imageId === image);
      for (const stuff of stuffIds) assert.ok(mine.filter((p) => p.labelId === stuff).length <= 1, 'stuff is one region per image');
      for (const [i, a] of mine.entries())
        for (const b of mine.slice(i + 1))
          if (a.labelId === b.labelId) assert.ok(maskIoU(maskOf(a), maskOf(b)) <= 0.5 + 1e-9, 'duplicates are removed');
    }
    // Recall of the things: a proposal of the right label over each ground-truth object.
    const objects = gt.filter((g) => things.includes(g.labelId));
    const found = objects.filter((g) =>
      all.some((p) => p.imageId === g.imageId && p.labelId === g.labelId && maskIoU(maskOf(p), g.mask) >= 0.5),
    );
    const anyLabel = objects.filter((g) => all.some((p) => p.imageId === g.imageId && maskIoU(maskOf(p), g.mask) >= 0.5));
    console.log(
      `by name: ${found.length}/${objects.length} objects found with their label at IoU >= 0.5 (${anyLabel.length} with any label)`,
    );
    assert.ok(anyLabel.length >= objects.length * 0.5, `masks found for ${anyLabel.length} of ${objects.length} objects`);
    assert.ok(found.length >= objects.length * 0.25, `labeled right for ${found.length} of ${objects.length} objects`);
  });

  it('a re-run replaces its own proposals and never touches accepted annotations', async () => {
    const first = proposals.all();
    const image = first[0]!.imageId;
    // Accept one: it becomes an annotation that keeps its model, job and score.
    const accepted = first.find((p) => p.imageId === image)!;
    project.applyBatch(acceptOps(accepted, 'accepted-1', 1));
    const annotation = project.annotations(image).find((a) => a.id === 'accepted-1')!;
    assert.equal(annotation.jobId, accepted.jobId);
    assert.equal(annotation.source, 'shapes-seem-tiny');
    assert.equal(annotation.score, accepted.score);
    const before = proposals.all().length;
    const job = runnerFor(project, engine);
    const params = runnerFor(project, engine).jobs()[0]!.params;
    await job.start(params);
    await job.idle();
    assert.equal(proposals.all().length, before + 1, 'the same proposals again (the accepted one proposed anew), none doubled');
    assert.deepEqual(
      project.annotations(image).find((a) => a.id === 'accepted-1'),
      annotation,
    );
  });

  it('accept and reject are document batches whose inverse restores the proposal', () => {
    const [a, b] = proposals.all();
    const accept = project.applyBatch(acceptOps(a!, 'accepted-2', 2));
    const reject = project.applyBatch(rejectOps(b!));
    assert.equal(proposals.get(a!.id), null);
    assert.equal(proposals.get(b!.id), null);
    project.applyBatch(reject.inverse);
    project.applyBatch(accept.inverse);
    assert.deepEqual(proposals.get(a!.id), a);
    assert.deepEqual(proposals.get(b!.id), b);
    assert.equal(
      project.annotations(a!.imageId).some((x) => x.id === 'accepted-2'),
      false,
    );
    assert.equal(accept.change.proposalImageIds.includes(a!.imageId), true);
    // A proposal reviewed elsewhere meanwhile: the whole batch is refused.
    project.applyBatch(rejectOps(a!));
    assert.throws(() => project.applyBatch([...rejectOps(b!), ...rejectOps(a!)]), /no longer there/);
    assert.ok(proposals.get(b!.id), 'nothing of the refused batch was written');
    project.applyBatch([{ type: 'proposal.put', proposal: proposalSchema.parse({ ...a!, box: undefined, area: undefined }) }]);
  });

  it('COCO results: every proposal with the export ids, valid for loadRes, and back into the review queue', async () => {
    const path = join(project.dir, 'exports', 'results.json');
    const summary = exportResults(project, 'proposals', path, false);
    const raw = JSON.parse(readFileSync(path, 'utf8')) as unknown[];
    assert.equal(raw.length, summary.results);
    assert.equal(summary.results, proposals.all().length);
    const ids = cocoIds(project);
    for (const entry of raw) {
      const r = cocoResultSchema.parse(entry);
      assert.ok([...ids.imageOf.values()].includes(r.image_id));
      assert.ok([...ids.categoryOf.values()].includes(r.category_id));
      assert.ok(r.segmentation && !Array.isArray(r.segmentation), 'masks as RLE');
      assert.ok(r.bbox);
    }
    const other = sampleProject(IMAGES).project;
    try {
      const imported = await importResults(other, path);
      assert.equal(imported.proposals, summary.results);
      assert.equal(imported.unmatched, 0);
      assert.equal(imported.labelsAdded, 0);
      const again = await importResults(other, path);
      assert.equal(new ProposalTable(other.db).all().length, again.proposals, 'importing the same file again replaces it');
    } finally {
      other.close();
    }
    // A project without the labels: they are made from the results' category names.
    const bare = sampleProject(IMAGES).project;
    try {
      bare.applyBatch(bare.labels().map((l) => ({ type: 'label.delete' as const, id: l.id })));
      const imported = await importResults(bare, path);
      const names = new Set(raw.map((r) => cocoResultSchema.parse(r).category_name));
      assert.equal(imported.labelsAdded, names.size);
      assert.deepEqual(new Set(bare.labels().map((l) => l.name)), names);
      assert.equal(new ProposalTable(bare.db).all().length, summary.results);
    } finally {
      bare.close();
    }
  });

  it('pause stops after the image in flight, resume finishes, cancel ends for good', async () => {
    const seen: AutolabelJob[] = [];
    const runner = runnerFor(project, engine, seen);
    const job = await runner.start({ source: 'features' });
    runner.pause(job.id);
    await runner.idle();
    const paused = runner.store.require(job.id);
    assert.equal(paused.state, 'paused');
    assert.ok(paused.done < IMAGES);
    assert.throws(() => runner.pause(job.id), /only a running job/);
    runner.resume(job.id);
    await runner.idle();
    assert.equal(runner.store.require(job.id).state, 'done');
    assert.equal(runner.store.require(job.id).done, IMAGES);
    assert.ok(seen.some((j) => j.state === 'paused') && seen.at(-1)!.state === 'done');
    const second = await runner.start({ source: 'features' });
    runner.cancel(second.id);
    await runner.idle();
    assert.equal(runner.store.require(second.id).state, 'cancelled');
    assert.throws(() => runner.resume(second.id), /cancelled/);
  });

  it('a job pauses, saying why, when the project switches to another model, and resumes on its own again', async () => {
    const runner = runnerFor(project, engine);
    const job = await runner.start({ source: 'names', labelIds: ['c1'], pointsPerSide: 4 });
    await engine.configure({ modelId: 'opencv-classical' });
    await runner.idle();
    const paused = runner.store.require(job.id);
    assert.equal(paused.state, 'paused');
    assert.match(paused.message ?? '', /shapes-seem-tiny/);
    await engine.configure({ modelId: 'shapes-seem-tiny' });
    runner.resume(job.id);
    await runner.idle();
    assert.equal(runner.store.require(job.id).state, 'done');
  });

  it('refuses sources the model cannot serve and jobs without examples, naming why', async () => {
    const runner = runnerFor(project, engine);
    await assert.rejects(runner.start({ source: 'examples' }), /No examples/);
    await assert.rejects(runner.start({ source: 'names', labelIds: ['nope'] }), /Unknown label ids: nope/);
    await assert.rejects(runner.start({ source: 'detector' }), /No detector is installed/);
    await assert.rejects(runner.start({ source: 'names', imageIds: [999] }), /Unknown image ids: 999/);
    assert.equal(runner.jobs().filter((j) => j.params.imageIds?.includes(999)).length, 0, 'nothing stored');
  });

  it('by example: an example of one label finds its other instances', async () => {
    // The label with the most instances across the images; its first instance becomes the example.
    const counts = new Map<string, number>();
    for (const g of gt) if (!STUFF_NAMES.some((s) => `c${s}` === g.labelId)) counts.set(g.labelId, (counts.get(g.labelId) ?? 0) + 1);
    const labelId = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
    const instances = gt.filter((g) => g.labelId === labelId);
    const example = instances[0]!;
    const [x, y, w, h] = example.ann.bbox;
    project.applyBatch([
      {
        type: 'annotation.put',
        annotation: {
          id: 'example-1',
          imageId: example.imageId,
          labelId,
          geometry: { kind: 'box', box: { x, y, w, h } },
          score: null,
          source: 'manual',
          createdAt: 3,
          updatedAt: 3,
          revision: 0,
          example: true,
        },
      },
    ]);
    const runner = runnerFor(project, engine);
    const job = await runner.start({ source: 'examples', minScore: 0.3 });
    await runner.idle();
    assert.equal(runner.store.require(job.id).state, 'done');
    const mine = proposals.all().filter((p) => p.jobId === job.id);
    assert.ok(
      mine.every((p) => p.labelId === labelId),
      'proposals carry the example label',
    );
    const others = instances.slice(1);
    const found = others.filter((g) => mine.some((p) => p.imageId === g.imageId && maskIoU(maskOf(p), g.mask) >= 0.5));
    console.log(`by example: ${found.length}/${others.length} other instances of ${labelId} found at IoU >= 0.5`);
    assert.ok(others.length === 0 || found.length >= 1, 'finds at least one other instance');
  });
});
