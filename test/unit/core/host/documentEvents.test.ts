// Two clients of one project through the real host and browser-mode server
// (two WebSockets, as two tabs hold): a committed document.apply reaches both
// as 'document.changed', the requester also gets the revisions in its answer,
// and a stale write from the other is refused and tells no one.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import WebSocket from 'ws';

import type { Annotation, DocumentApplied, DocumentChange, Label, Result, WireMessage } from '../../../../common/contract/index.js';
import { createHost, type Host } from '../../../../core/host/createHost.js';
import { type BrowserHost, startBrowserHost } from '../../../../server/server.js';
import { writeImage } from '../store/fixtures.js';

const TOKEN = 'documents-token-0123456789';

/** One tab's connection: requests by seq, and every event it is sent. */
class TabClient {
  readonly events: DocumentChange[] = [];
  private readonly answers = new Map<number, (result: Result<unknown>) => void>();
  private seq = 0;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as WireMessage;
      if (message.kind === 'response') this.answers.get(message.seq)?.(message.result);
      else if (message.event === 'document.changed') this.events.push(message.payload as DocumentChange);
    });
  }

  static async connect(port: number): Promise<TabClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${TOKEN}`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new TabClient(ws);
  }

  call(channel: string, payload: unknown): Promise<Result<unknown>> {
    const seq = ++this.seq;
    return new Promise((resolve) => {
      this.answers.set(seq, resolve);
      this.ws.send(JSON.stringify({ seq, channel, payload }));
    });
  }

  async waitForEvents(count: number): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (this.events.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(this.events.length, count);
  }

  close(): void {
    this.ws.close();
  }
}

describe('document changes reach every client of the project', () => {
  const root = mkdtempSync(join(tmpdir(), 'promptlabel-docevents-'));
  const projectDir = join(root, 'project');
  const rendererDir = join(root, 'renderer');
  let host: Host;
  let server: BrowserHost;
  let one: TabClient;
  let two: TabClient;
  const cat: Label = { id: 'cat', name: 'cat', colour: '#ff0000', hotkey: '1' };

  before(async () => {
    mkdirSync(rendererDir, { recursive: true });
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>app</title>');
    await writeImage(projectDir, 'a.png', 20, 10);
    host = createHost({ mode: 'browser', userDataDir: join(root, 'user') });
    const opened = await host.dispatch('project.open', { dir: projectDir });
    assert.ok(opened.ok);
    server = await startBrowserHost({
      port: 0,
      token: TOKEN,
      rendererDir,
      dispatch: host.dispatch,
      events: host.session.events,
      imageBytes: host.imageBytes,
    });
    one = await TabClient.connect(server.port);
    two = await TabClient.connect(server.port);
  });
  after(async () => {
    one?.close();
    two?.close();
    await server?.close();
    await host?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('tells both clients about a committed batch, with the revisions it wrote', async () => {
    const annotation: Annotation = {
      id: 'x1',
      imageId: 1,
      labelId: 'cat',
      geometry: { kind: 'box', box: { x: 1, y: 1, w: 4, h: 3 } },
      score: null,
      source: 'manual',
      createdAt: 5,
      updatedAt: 5,
      revision: 0,
    };
    const applied = await one.call('document.apply', {
      ops: [
        { type: 'label.put', label: cat },
        { type: 'annotation.put', annotation },
      ],
      origin: 'tab-one',
    });
    assert.ok(applied.ok, JSON.stringify(applied));
    const { revision, revisions, inverse } = applied.value as DocumentApplied;
    assert.deepEqual(revisions, [{ id: 'x1', imageId: 1, previous: 0, revision }]);
    assert.deepEqual(inverse[0], { type: 'annotation.delete', id: 'x1', revision });

    await one.waitForEvents(1);
    await two.waitForEvents(1);
    const change = two.events[0]!;
    assert.equal(change.origin, 'tab-one', 'the requester can tell its own change');
    assert.equal(change.revision, revision);
    assert.deepEqual(change.annotations, [{ ...annotation, revision }]);
    assert.deepEqual(change.labels, [cat]);
    assert.deepEqual(change.images, [{ imageId: 1, status: 'todo', annotationCount: 1, proposalCount: 0 }]);
    assert.deepEqual(one.events[0], change);
  });

  it("refuses the other client's stale write, and sends no event for it", async () => {
    const [held] = ((await two.call('annotations.list', { imageId: 1 })) as { ok: true; value: Annotation[] }).value;
    assert.ok(held);
    const moved = await one.call('document.apply', {
      ops: [{ type: 'annotation.put', annotation: { ...held, labelId: null } }],
      origin: 'tab-one',
    });
    assert.ok(moved.ok);
    await two.waitForEvents(2);
    const stale = await two.call('document.apply', {
      ops: [{ type: 'annotation.delete', id: held.id, revision: held.revision }],
      origin: 'tab-two',
    });
    assert.equal(stale.ok, false);
    if (!stale.ok) {
      assert.equal(stale.error.code, 'conflict');
      assert.equal(stale.error.path, 'ops[0].revision');
      assert.match(stale.error.message, /^Annotation x1 was changed in another window.*\(ops\[0\]: based on revision \d+, stored \d+\)\.$/);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(one.events.length, 2, 'nothing was committed, so nothing is announced');
    const now = (await one.call('annotations.list', { imageId: 1 })) as { ok: true; value: Annotation[] };
    assert.equal(now.value[0]?.labelId, null);
  });
});
