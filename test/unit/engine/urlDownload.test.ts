// Downloading a model by URL (issue 11 item 3) against a server on
// 127.0.0.1: progress with one stable total, a rate and a time left; resume
// after a dropped connection (Range + If-Range) in the same call and in a
// later one; a server without Range support and a file that changed restart
// cleanly; a wrong sha256 leaves nothing; a proxy is used; and the
// downloaded files go through recognition into an installed model.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { runCli } from '../../../cli/cli.js';
import { isModelPackError } from '../../../engine/modelPacks/errors.js';
import { NO_PROXY_SETTINGS } from '../../../engine/modelPacks/proxy.js';
import { downloadUrl, type UrlDownloadProgress } from '../../../engine/modelPacks/urlDownload.js';
import { addModelFromUrls } from '../../../engine/recognition/addModel.js';
import { parseDetectorManifest } from '../../../engine/worker/models/yolo/manifest.js';
import { tempDir } from '../core/store/fixtures.js';
import { closedPortUrl } from './modelPackFixtures.js';
import { FileServer, ForwardProxy, sha256Of } from './urlFixtures.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const BUILTIN = join(ROOT, 'models');

/** 2 MB of bytes that differ everywhere, so a wrongly spliced resume shows in the hash. */
function payload(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1664525 + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

function leftovers(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String) : [];
}

describe('downloading a model file by URL', () => {
  const server = new FileServer();
  const temp = tempDir('promptlabel-url-');
  let base = '';
  const downloads = (name: string): string => join(temp.dir, name, '.downloads');
  before(async () => {
    base = await server.start();
  });
  after(async () => {
    await server.close();
    temp.cleanup();
  });

  it('reports progress with one stable total, a rate and a time left, and gives the sha256', async () => {
    const bytes = payload(2_000_000, 1);
    server.files.set('/slow.onnx', { bytes, etag: '"slow-1"', bytesPerTick: 40_000 });
    const events: UrlDownloadProgress[] = [];
    const result = await downloadUrl(`${base}/slow.onnx`, {
      downloadsDir: downloads('progress'),
      proxy: NO_PROXY_SETTINGS,
      onProgress: (p) => events.push(p),
    });
    assert.equal(result.sha256, sha256Of(bytes));
    assert.equal(result.bytes, bytes.length);
    assert.deepEqual(readFileSync(result.path), bytes);
    assert.ok(result.path.endsWith('slow.onnx'));
    assert.ok(events.length > 10);
    assert.ok(
      events.every((e) => e.total === bytes.length),
      'the total never changes',
    );
    assert.ok(
      events.every((e, i) => i === 0 || e.done >= events[i - 1]!.done),
      'done only grows',
    );
    assert.equal(events.at(-1)!.done, bytes.length);
    const rated = events.filter((e) => e.bytesPerSecond !== null);
    assert.ok(rated.length > 5, 'a rate is measured');
    assert.ok(
      rated.every((e) => e.bytesPerSecond! > 100_000 && e.bytesPerSecond! < 50_000_000),
      `rates: ${rated.map((e) => Math.round(e.bytesPerSecond!)).join(', ')}`,
    );
    const mid = rated.find((e) => e.done > bytes.length / 2)!;
    assert.ok(mid.etaSeconds !== null && mid.etaSeconds > 0 && mid.etaSeconds < 5, `eta ${mid.etaSeconds}`);
    assert.deepEqual(
      leftovers(downloads('progress')).filter((n) => n.endsWith('.part') || n.endsWith('.json')),
      [],
      'no part or sidecar left',
    );
  });

  it('resumes after a dropped connection in the same call (Range + If-Range), keeping the total', async () => {
    const bytes = payload(1_500_000, 2);
    server.files.set('/drop.onnx', { bytes, etag: '"drop-1"', dropAfter: 600_000, dropTimes: 1 });
    server.seen.length = 0;
    const events: UrlDownloadProgress[] = [];
    const result = await downloadUrl(`${base}/drop.onnx`, {
      downloadsDir: downloads('drop'),
      proxy: NO_PROXY_SETTINGS,
      onProgress: (p) => events.push(p),
    });
    assert.equal(result.sha256, sha256Of(bytes));
    assert.equal(result.resumed, true);
    // What arrived before the drop (at most the 600 kB sent; bytes in flight may be lost) is kept and asked after.
    const resumedFrom = events.find((e) => e.resumedFrom > 0)?.resumedFrom ?? 0;
    assert.ok(resumedFrom > 0 && resumedFrom <= 600_000, `resumed from ${resumedFrom}`);
    assert.deepEqual(
      server.seen.map((s) => [s.status, s.range, s.ifRange]),
      [
        [200, null, null],
        [206, `bytes=${resumedFrom}-`, '"drop-1"'],
      ],
    );
    assert.equal(server.seen[1]!.sent, bytes.length - resumedFrom, 'only the rest is sent again');
    assert.ok(events.every((e) => e.total === bytes.length));
  });

  it('resumes in a later call what a cancelled one left', async () => {
    const bytes = payload(1_200_000, 3);
    server.files.set('/later.onnx', { bytes, etag: '"later-1"', bytesPerTick: 50_000 });
    const controller = new AbortController();
    await assert.rejects(
      downloadUrl(`${base}/later.onnx`, {
        downloadsDir: downloads('later'),
        proxy: NO_PROXY_SETTINGS,
        signal: controller.signal,
        onProgress: (p) => p.done >= 400_000 && controller.abort(),
      }),
      (error: unknown) => isModelPackError(error, 'cancelled'),
    );
    assert.ok(
      leftovers(downloads('later')).some((n) => n.endsWith('.part')),
      'the part is kept for a resume',
    );
    server.seen.length = 0;
    const result = await downloadUrl(`${base}/later.onnx`, { downloadsDir: downloads('later'), proxy: NO_PROXY_SETTINGS });
    assert.equal(result.sha256, sha256Of(bytes));
    assert.equal(result.resumed, true);
    assert.equal(server.seen[0]!.status, 206);
    assert.ok(server.seen[0]!.sent < bytes.length - 300_000, `sent ${server.seen[0]!.sent} of ${bytes.length}`);
  });

  it('restarts cleanly from a server without Range support, and when the file changed', async () => {
    const bytes = payload(900_000, 4);
    server.files.set('/norange.onnx', { bytes, etag: '"norange-1"', noRange: true, dropAfter: 300_000, dropTimes: 1 });
    server.seen.length = 0;
    const plain = await downloadUrl(`${base}/norange.onnx`, { downloadsDir: downloads('norange'), proxy: NO_PROXY_SETTINGS });
    assert.equal(plain.sha256, sha256Of(bytes), 'not the first 300 kB twice');
    assert.equal(plain.resumed, false);
    assert.deepEqual(
      server.seen.map((s) => s.status),
      [200, 200],
    );

    // A part from a file that has changed since: If-Range does not match, so the whole new file comes back.
    const first = payload(800_000, 5);
    server.files.set('/changed.onnx', { bytes: first, etag: '"v1"', dropAfter: 200_000, dropTimes: 1 });
    await assert.rejects(
      downloadUrl(`${base}/changed.onnx`, { downloadsDir: downloads('changed'), proxy: NO_PROXY_SETTINGS, retries: 0 }),
      (e: unknown) => isModelPackError(e, 'interrupted'),
    );
    const second = payload(850_000, 6);
    server.files.set('/changed.onnx', { bytes: second, etag: '"v2"' });
    server.seen.length = 0;
    const changed = await downloadUrl(`${base}/changed.onnx`, { downloadsDir: downloads('changed'), proxy: NO_PROXY_SETTINGS });
    assert.equal(server.seen.length, 1);
    assert.deepEqual([server.seen[0]!.status, server.seen[0]!.ifRange], [200, '"v1"']);
    assert.match(server.seen[0]!.range ?? '', /^bytes=\d+-$/);
    assert.equal(changed.sha256, sha256Of(second));
    assert.equal(changed.resumed, false);
  });

  it('a wrong sha256 deletes the download and says what it got', async () => {
    const bytes = payload(300_000, 7);
    server.files.set('/wrong.onnx', { bytes, etag: '"wrong-1"' });
    const expected = 'ab'.repeat(32);
    await assert.rejects(
      downloadUrl(`${base}/wrong.onnx`, { downloadsDir: downloads('wrong'), proxy: NO_PROXY_SETTINGS, expectedSha256: expected }),
      (error: unknown) => {
        assert.ok(isModelPackError(error, 'integrity'));
        assert.match(
          error.message,
          new RegExp(`has sha256 ${sha256Of(bytes)}, not the expected ${expected}; it was deleted and nothing was installed`),
        );
        return true;
      },
    );
    assert.deepEqual(leftovers(downloads('wrong')), []);
  });

  it('names a missing file, a closed port and a redirect target', async () => {
    await assert.rejects(
      downloadUrl(`${base}/nope.onnx`, { downloadsDir: downloads('errors'), proxy: NO_PROXY_SETTINGS }),
      (e: unknown) => isModelPackError(e, 'not-found') && /HTTP 404/.test(e.message),
    );
    await assert.rejects(
      downloadUrl(`${await closedPortUrl()}/x.onnx`, { downloadsDir: downloads('errors'), proxy: NO_PROXY_SETTINGS }),
      (e: unknown) => isModelPackError(e, 'offline') && /Cannot reach/.test(e.message),
    );
    await assert.rejects(downloadUrl('ftp://example.org/x.onnx', { downloadsDir: downloads('errors') }), /not an http\(s\) URL/);
    server.files.set('/target.onnx', { bytes: payload(1000, 8), etag: '"t"' });
    const moved = await downloadUrl(`${base}/redirect/target.onnx`, { downloadsDir: downloads('errors'), proxy: NO_PROXY_SETTINGS });
    assert.equal(moved.bytes, 1000);
  });

  it('goes through the proxy it is given', async () => {
    const proxy = new ForwardProxy();
    const proxyUrl = new URL(await proxy.start());
    try {
      const bytes = payload(200_000, 9);
      server.files.set('/proxied.onnx', { bytes, etag: '"p"' });
      const result = await downloadUrl(`${base}/proxied.onnx`, {
        downloadsDir: downloads('proxy'),
        proxy: { ...NO_PROXY_SETTINGS, http: proxyUrl },
      });
      assert.equal(result.sha256, sha256Of(bytes));
      assert.deepEqual(proxy.seen, [`GET ${base}/proxied.onnx`]);
    } finally {
      await proxy.close();
    }
  });
});

describe('fetching a model by URL into the user models folder', () => {
  const server = new FileServer();
  const temp = tempDir('promptlabel-fetch-');
  let base = '';
  const yolo = readFileSync(join(ROOT, 'test/fixtures/yolo/yolo-seg.onnx'));
  before(async () => {
    base = await server.start();
    server.files.set('/releases/yolo-seg.onnx', { bytes: yolo, etag: '"yolo"', dropAfter: 10_000, dropTimes: 1, bytesPerTick: 5_000 });
    server.files.set('/sam/encoder.onnx', { bytes: readFileSync(join(ROOT, 'test/fixtures/sam-format/encoder.onnx')), etag: '"e"' });
    server.files.set('/sam/decoder.onnx', { bytes: readFileSync(join(ROOT, 'test/fixtures/sam-format/decoder.onnx')), etag: '"d"' });
    server.files.set('/notes.onnx', { bytes: Buffer.from('not a model at all'), etag: '"n"' });
  });
  after(async () => {
    await server.close();
    temp.cleanup();
  });

  it('downloads (resuming a drop), recognises and installs a YOLO model, recording the URL and sha256', async () => {
    const models = join(temp.dir, 'models');
    const added = await addModelFromUrls([`${base}/releases/yolo-seg.onnx`], {
      userModelsDir: models,
      builtinDir: BUILTIN,
      proxy: NO_PROXY_SETTINGS,
      expectedSha256: [sha256Of(yolo)],
      checkGraph: null,
    });
    assert.equal(added.id, 'yolo-seg');
    assert.equal(added.downloads[0]!.sha256, sha256Of(yolo));
    const tries = server.seen.filter((s) => s.path === '/releases/yolo-seg.onnx');
    assert.equal(tries.length, 2, 'the dropped connection was retried');
    assert.equal(added.downloads[0]!.resumed, tries[1]!.status === 206);
    const manifest = parseDetectorManifest(JSON.parse(readFileSync(join(added.dir, 'manifest.json'), 'utf8')), 'm');
    assert.equal(manifest.task, 'segment');
    assert.equal(manifest.files.model?.sha256, sha256Of(yolo));
    assert.deepEqual(manifest.origin, {
      ...manifest.origin!,
      via: 'download',
      from: [`${base}/releases/yolo-seg.onnx`],
      expectedSha256: { [`${base}/releases/yolo-seg.onnx`]: sha256Of(yolo) },
    });
    assert.deepEqual(leftovers(join(models, '.downloads')), [], 'the download was moved in, nothing kept');
  });

  it('downloads an encoder and a decoder and installs them as one Segment Anything model', async () => {
    const models = join(temp.dir, 'pair');
    const added = await addModelFromUrls([`${base}/sam/encoder.onnx`, `${base}/sam/decoder.onnx`], {
      userModelsDir: models,
      builtinDir: BUILTIN,
      proxy: NO_PROXY_SETTINGS,
      checkGraph: null,
      id: 'sam-by-url',
    });
    assert.equal(added.model.family, 'sam');
    assert.ok(existsSync(join(models, 'sam-by-url', 'encoder.onnx')));
    assert.equal(added.downloads.length, 2);
  });

  it('a wrong --sha256 installs nothing; a download that is not a model installs nothing', async () => {
    const models = join(temp.dir, 'refused');
    await assert.rejects(
      addModelFromUrls([`${base}/releases/yolo-seg.onnx`], {
        userModelsDir: models,
        builtinDir: BUILTIN,
        proxy: NO_PROXY_SETTINGS,
        expectedSha256: ['0'.repeat(64)],
        checkGraph: null,
      }),
      /not the expected 0{64}; it was deleted and nothing was installed/,
    );
    await assert.rejects(
      addModelFromUrls([`${base}/notes.onnx`], { userModelsDir: models, builtinDir: BUILTIN, proxy: NO_PROXY_SETTINGS, checkGraph: null }),
      /notes\.onnx is not a readable ONNX model.*Nothing was installed/,
    );
    assert.deepEqual(
      leftovers(models).filter((n) => !n.startsWith('.downloads')),
      [],
    );
    assert.deepEqual(leftovers(join(models, '.downloads')), []);
  });

  it('promptlabel models fetch URL --sha256: the sha256 shown, a mismatch refused with exit 1', async () => {
    const saved = process.env.PROMPTLABEL_USER_DATA;
    process.env.PROMPTLABEL_USER_DATA = join(temp.dir, 'cli-user');
    const out = { stdout: '', stderr: '' };
    const io = { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) };
    try {
      server.files.set('/cli/yolo-e2e.onnx', { bytes: readFileSync(join(ROOT, 'test/fixtures/yolo/yolo-e2e.onnx')), etag: '"e2e"' });
      const bad = await runCli(['models', 'fetch', `${base}/cli/yolo-e2e.onnx`, '--sha256', 'f'.repeat(64)], io);
      assert.equal(bad, 1, out.stderr);
      assert.match(out.stderr, /not the expected f{64}; it was deleted and nothing was installed/);
      const sha = sha256Of(readFileSync(join(ROOT, 'test/fixtures/yolo/yolo-e2e.onnx')));
      const good = await runCli(['models', 'fetch', `${base}/cli/yolo-e2e.onnx`, '--sha256', sha.toUpperCase(), '--id', 'e2e'], io);
      assert.equal(good, 0, out.stderr);
      assert.match(out.stdout, new RegExp(`downloaded ${base}/cli/yolo-e2e.onnx: .*sha256 ${sha}`));
      assert.match(out.stdout, /e2e\s+user\s+detect\s+ok/);
      assert.match(out.stderr, /downloading…/);
    } finally {
      if (saved === undefined) delete process.env.PROMPTLABEL_USER_DATA;
      else process.env.PROMPTLABEL_USER_DATA = saved;
    }
  });
});
