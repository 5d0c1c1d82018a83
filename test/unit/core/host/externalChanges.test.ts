// A change committed by another process on the same project (another
// connection: the app and a `serve` tab, or a CLI import) reaches this host's
// clients as 'project.changed'; the host's own writes do not trigger it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { EventName } from '../../../../common/contract/index.js';
import { createHost, type Host } from '../../../../core/host/createHost.js';
import { EXTERNAL_POLL_MS } from '../../../../core/host/externalChanges.js';
import { Project } from '../../../../core/store/project.js';
import { boxAnnotation, writeImage } from '../store/fixtures.js';

describe('changes from another process', () => {
  const root = mkdtempSync(join(tmpdir(), 'promptlabel-external-'));
  const projectDir = join(root, 'project');
  let host: Host;
  const heard: EventName[] = [];

  before(async () => {
    await writeImage(projectDir, 'a.png', 20, 10);
    host = createHost({ mode: 'browser', userDataDir: join(root, 'user') });
    assert.ok((await host.dispatch('project.open', { dir: projectDir })).ok);
    host.session.events.subscribe((event) => void heard.push(event));
  });
  after(async () => {
    await host.close();
    rmSync(root, { recursive: true, force: true });
  });

  const settle = () => new Promise((resolve) => setTimeout(resolve, EXTERNAL_POLL_MS * 3));

  it('tells the clients when another connection commits', async () => {
    const other = Project.open(projectDir);
    try {
      other.apply([{ type: 'annotation.put', annotation: boxAnnotation(1, null) }]);
    } finally {
      other.close();
    }
    await settle();
    // Opening (a rescan) and the edit are two commits: one poll or two may see them.
    assert.ok(heard.length >= 1 && heard.every((event) => event === 'project.changed'), heard.join());
  });

  it("stays quiet about the host's own writes, which clients hear as document.changed", async () => {
    heard.length = 0;
    const applied = await host.dispatch('document.apply', { ops: [{ type: 'annotation.put', annotation: boxAnnotation(1, null) }] });
    assert.ok(applied.ok);
    await settle();
    assert.deepEqual(heard, ['document.changed']);
  });

  it('stops watching when the project closes', async () => {
    heard.length = 0;
    host.session.close();
    const other = Project.open(projectDir);
    try {
      other.apply([{ type: 'image.status', imageId: 1, status: 'done' }]);
    } finally {
      other.close();
    }
    await settle();
    assert.deepEqual(heard, []);
  });
});
