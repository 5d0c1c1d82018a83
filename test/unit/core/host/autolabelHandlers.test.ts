// The autolabel.* and proposals.* channels through the real host (browser
// mode's handler map): a job started, watched through its events, reviewed,
// undone, exported and imported; a job left running when the project closed
// goes on when it opens again.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { AutolabelJob, AutolabelSourceInfo, DocumentApplied, EventMap, ProposalRecord } from '../../../../common/contract/index.js';
import { createHost } from '../../../../core/host/createHost.js';
import { sampleProject } from '../autolabel/support.js';

type Host = ReturnType<typeof createHost>;

async function call<T>(host: Host, channel: Parameters<Host['dispatch']>[0], payload: unknown): Promise<T> {
  const result = await host.dispatch(channel, payload);
  if (!result.ok) throw new Error(`${channel}: ${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

describe('auto-label channels', () => {
  const userDataDir = mkdtempSync(join(tmpdir(), 'promptlabel-autolabel-host-'));
  const host = createHost({ mode: 'browser', userDataDir });
  const jobEvents: EventMap['autolabel.job'][] = [];
  let dir: string;
  host.session.events.subscribe((event, payload) => {
    if (event === 'autolabel.job') jobEvents.push(payload as EventMap['autolabel.job']);
  });
  const waitFor = async (jobId: string, state: AutolabelJob['state']) => {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const jobs = await call<AutolabelJob[]>(host, 'autolabel.jobs', {});
      if (jobs.find((j) => j.id === jobId)?.state === state) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`job ${jobId} did not become ${state}`);
  };

  before(async () => {
    const made = sampleProject(3);
    made.project.close();
    dir = made.dir;
    await call(host, 'project.open', { dir });
    await call(host, 'ai.configure', { modelId: 'shapes-seem-tiny' });
  });
  after(async () => {
    await host.close();
    rmSync(userDataDir, { recursive: true, force: true });
  });

  it('says which sources the model can serve, and why not', async () => {
    const sources = await call<AutolabelSourceInfo[]>(host, 'autolabel.sources', {});
    assert.deepEqual(
      sources.map((s) => [s.source, s.available]),
      [
        ['names', true],
        ['examples', true],
        ['detector', false],
        ['features', true],
      ],
    );
    assert.match(sources.find((s) => s.source === 'detector')!.reason!, /No detector is installed/);
  });

  it('runs a job with progress events, then a review: accept all above a score as one undoable batch', async () => {
    const labels = await call<{ id: string; name: string }[]>(host, 'labels.list', {});
    const chosen = labels.filter((l) => ['red circle', 'blue square', 'sky'].includes(l.name)).map((l) => l.id);
    const job = await call<AutolabelJob>(host, 'autolabel.start', { source: 'names', labelIds: chosen, minScore: 0.2 });
    await waitFor(job.id, 'done');
    const mine = jobEvents.filter((e) => e.job.id === job.id);
    assert.ok(mine.filter((e) => e.image !== null).length >= 3, 'one event per image done');
    const last = mine.filter((e) => e.image !== null).at(-1)!;
    assert.equal(last.job.done, 3);
    const images = await call<{ items: { id: number; proposalCount: number; status: string }[] }>(host, 'images.list', {});
    const withProposals = images.items.filter((i) => i.proposalCount > 0);
    assert.ok(withProposals.length > 0);
    const image = withProposals[0]!;
    const proposals = await call<ProposalRecord[]>(host, 'proposals.list', { imageId: image.id });
    assert.equal(proposals.length, image.proposalCount);
    assert.ok(
      proposals.every((p, i) => i === 0 || proposals[i - 1]!.score >= p.score),
      'best first',
    );

    const applied = await call<DocumentApplied>(host, 'proposals.acceptAll', { imageId: image.id, minScore: 0 });
    const annotations = await call<{ jobId?: string; score: number | null; source: string }[]>(host, 'annotations.list', {
      imageId: image.id,
    });
    assert.equal(annotations.length, proposals.length);
    assert.ok(annotations.every((a) => a.jobId === job.id && a.source === 'shapes-seem-tiny' && a.score !== null));
    const after = await call<{ items: { id: number; proposalCount: number; status: string }[] }>(host, 'images.list', {});
    const reviewed = after.items.find((i) => i.id === image.id)!;
    assert.equal(reviewed.proposalCount, 0);
    assert.equal(reviewed.status, 'in_progress', 'reviewing starts the image');

    await call(host, 'document.apply', { ops: applied.inverse });
    assert.equal(
      (await call<ProposalRecord[]>(host, 'proposals.list', { imageId: image.id })).length,
      proposals.length,
      'undo brings the proposals back',
    );
    assert.equal((await call<unknown[]>(host, 'annotations.list', { imageId: image.id })).length, 0);
    const refused = await host.dispatch('proposals.acceptAll', { minScore: 1 });
    assert.equal(refused.ok, false);
  });

  it('exports the proposals as COCO results and imports them back into the queue', async () => {
    const exported = await call<{ path: string; results: number }>(host, 'proposals.exportResults', { outPath: 'exports/r.json' });
    assert.ok(exported.results > 0);
    const again = await host.dispatch('proposals.exportResults', { outPath: 'exports/r.json' });
    assert.equal(again.ok, false, 'an existing file needs overwrite');
    const imported = await call<{ proposals: number; unmatched: number }>(host, 'proposals.importResults', { path: exported.path });
    assert.equal(imported.proposals, exported.results);
    assert.equal(imported.unmatched, 0);
  });

  it('a job running when the project closes goes on when it opens again', async () => {
    const job = await call<AutolabelJob>(host, 'autolabel.start', {
      source: 'names',
      labelIds: [(await call<{ id: string }[]>(host, 'labels.list', {}))[0]!.id],
    });
    host.session.close();
    // Another project on another model meanwhile: the job goes on with its own project's model.
    const other = sampleProject(1);
    other.project.close();
    await call(host, 'project.open', { dir: other.dir });
    await call(host, 'ai.configure', { modelId: 'opencv-classical' });
    host.session.close();
    await call(host, 'project.open', { dir });
    await waitFor(job.id, 'done');
    const jobs = await call<AutolabelJob[]>(host, 'autolabel.jobs', {});
    assert.equal(jobs.find((j) => j.id === job.id)!.done, 3);
  });
});
