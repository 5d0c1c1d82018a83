import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import WebSocket from 'ws';

import { AppError, channelNames, type WireMessage } from '../../../common/contract/index.js';
import { createDispatch } from '../../../core/host/dispatch.js';
import { EventHub } from '../../../core/host/events.js';
import type { Handlers } from '../../../core/host/handlerTypes.js';
import { type BrowserHost, startBrowserHost } from '../../../server/server.js';
import { MAX_FRAME_BYTES } from '../../../server/wireFrame.js';

const TOKEN = 'test-token-0123456789';

function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('browser-mode server', () => {
  let server: BrowserHost;
  const events = new EventHub();
  const rendererDir = mkdtempSync(join(tmpdir(), 'promptlabel-renderer-'));

  before(async () => {
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>app</title>');
    mkdirSync(join(rendererDir, 'assets'));
    writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(rendererDir, '..', 'secret.txt'), 'secret');
    const handlers = Object.fromEntries(channelNames.map((name) => [name, () => null])) as unknown as Handlers;
    handlers['labels.list'] = () => [{ id: 'l1', name: 'cat', colour: '#ff0000', hotkey: '1' }];
    server = await startBrowserHost({
      port: 0,
      token: TOKEN,
      rendererDir,
      dispatch: createDispatch(handlers),
      events,
      imageBytes: async (id) => {
        if (id !== 7) throw new AppError('not_found', `No image ${id}`);
        return { body: Buffer.from('PNGDATA'), contentType: 'image/png' };
      },
    });
  });
  after(() => server.close());

  it('listens on loopback with a token in the printed URL', () => {
    assert.match(server.url, new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=${TOKEN}$`));
  });

  it('refuses HTTP requests without the token', async () => {
    assert.equal((await get(server.port, '/')).status, 403);
    assert.equal((await get(server.port, '/?token=wrong-token-0123456789')).status, 403);
    assert.equal((await get(server.port, '/image/7')).status, 403);
  });

  it('serves the renderer with a strict CSP and no cookie: the token never leaves this origin', async () => {
    const page = await get(server.port, `/?token=${TOKEN}`);
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
    // Cookies ignore ports: any other local server would receive one.
    assert.equal(page.headers['set-cookie'], undefined);
    const script = await get(server.port, '/assets/app.js');
    assert.equal(script.status, 200);
    assert.equal(script.body, 'console.log(1)');
    assert.equal((await get(server.port, '/index.html')).status, 403);
    assert.equal((await get(server.port, '/assets/app.js', { Host: `evil.example:${server.port}` })).status, 403);
  });

  it('does not hand images to other origins, even with a token-less cookie', async () => {
    const image = await get(server.port, '/image/7', { Cookie: `promptlabel_token=${TOKEN}` });
    assert.equal(image.status, 403);
    const withToken = await get(server.port, `/image/7?token=${TOKEN}`);
    assert.equal(withToken.headers['access-control-allow-origin'], undefined);
  });

  it('refuses a foreign Host header (DNS rebinding) even with the token', async () => {
    const response = await get(server.port, `/?token=${TOKEN}`, { Host: `evil.example:${server.port}` });
    assert.equal(response.status, 403);
  });

  it('does not serve files outside the renderer folder', async () => {
    const response = await get(server.port, `/..%2Fsecret.txt?token=${TOKEN}`);
    assert.equal(response.status, 404);
  });

  it('serves image bytes and maps unknown images to 404', async () => {
    const image = await get(server.port, `/image/7?token=${TOKEN}`);
    assert.equal(image.status, 200);
    assert.equal(image.headers['content-type'], 'image/png');
    assert.equal((await get(server.port, `/image/8?token=${TOKEN}`)).status, 404);
  });

  it('refuses a WebSocket without the token', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
    const outcome = await new Promise<string>((resolve) => {
      ws.on('open', () => resolve('open'));
      ws.on('error', () => resolve('refused'));
    });
    assert.equal(outcome, 'refused');
  });

  it('answers requests by seq and forwards events over the WebSocket', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${TOKEN}`);
    await new Promise((resolve) => ws.on('open', resolve));
    const messages: WireMessage[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(data.toString()) as WireMessage));
    ws.send(JSON.stringify({ seq: 5, channel: 'labels.list', payload: {} }));
    ws.send(JSON.stringify({ seq: 6, channel: 'images.get', payload: { imageId: 'x' } }));
    events.emit('project.changed', { reason: 'test' });
    const deadline = Date.now() + 5_000;
    while (messages.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    const bySeq = (seq: number) => messages.find((m) => m.kind === 'response' && m.seq === seq);
    assert.deepEqual(bySeq(5), {
      kind: 'response',
      seq: 5,
      result: { ok: true, value: [{ id: 'l1', name: 'cat', colour: '#ff0000', hotkey: '1' }] },
    });
    const bad = bySeq(6);
    assert.ok(bad?.kind === 'response' && !bad.result.ok && bad.result.error.code === 'bad_request');
    assert.ok(messages.some((m) => m.kind === 'event' && m.event === 'project.changed'));
    ws.close();
  });

  it('answers a frame with a seq but a malformed channel, and survives a deeply nested one', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${TOKEN}`);
    await new Promise((resolve) => ws.on('open', resolve));
    const messages: WireMessage[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(data.toString()) as WireMessage));
    // The frame that once killed the host: JSON.stringify(channel) threw on 5,000 levels.
    ws.send(`{"seq":1,"channel":${'['.repeat(5000)}${']'.repeat(5000)}}`);
    ws.send(JSON.stringify({ seq: 2, channel: 'x'.repeat(10_000), payload: {} }));
    ws.send(JSON.stringify({ seq: 3, channel: 'no.such', payload: {} }));
    ws.send(JSON.stringify({ seq: 4, channel: 'labels.list', payload: {}, extra: 1 }));
    ws.send(JSON.stringify({ seq: 5, channel: 'labels.list', payload: {} }));
    const deadline = Date.now() + 5_000;
    while (messages.length < 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    const result = (seq: number) => {
      const message = messages.find((m) => m.kind === 'response' && m.seq === seq);
      assert.ok(message?.kind === 'response', `no answer to seq ${seq}`);
      return message.result;
    };
    for (const seq of [1, 2, 3, 4]) {
      const answer = result(seq);
      assert.ok(!answer.ok && answer.error.code === 'bad_request', `seq ${seq}: ${JSON.stringify(answer)}`);
      assert.ok(answer.error.message.length < 300);
    }
    assert.equal(result(5).ok, true);
    ws.close();
  });

  it('refuses a frame over the size limit by closing that socket only', async () => {
    const big = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${TOKEN}`);
    await new Promise((resolve) => big.on('open', resolve));
    const closed = new Promise<number>((resolve) => big.on('close', (code) => resolve(code)));
    big.on('error', () => undefined);
    big.send(JSON.stringify({ seq: 1, channel: 'labels.list', payload: { pad: 'x'.repeat(MAX_FRAME_BYTES) } }));
    assert.equal(await closed, 1009);
    const other = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${TOKEN}`);
    await new Promise((resolve) => other.on('open', resolve));
    const answer = await new Promise<WireMessage>((resolve) => {
      other.on('message', (data) => resolve(JSON.parse(data.toString()) as WireMessage));
      other.send(JSON.stringify({ seq: 9, channel: 'labels.list', payload: {} }));
    });
    assert.ok(answer.kind === 'response' && answer.result.ok);
    other.close();
  });

  it('closes a socket that sends malformed messages', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${TOKEN}`);
    await new Promise((resolve) => ws.on('open', resolve));
    const code = await new Promise<number>((resolve) => {
      ws.on('close', (closeCode) => resolve(closeCode));
      ws.send('not json');
    });
    assert.equal(code, 1003);
  });
});
