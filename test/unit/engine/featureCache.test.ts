import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import {
  type CachedFeatures,
  diskCachePath,
  FeatureCache,
  readDiskFeatures,
  writeDiskFeatures,
} from '../../../engine/worker/featureCache.js';

const frame = { origWidth: 640, origHeight: 480, resizedWidth: 256, resizedHeight: 192, inputSize: 256 };

function features(key: string, floats: number, seed = 1): CachedFeatures {
  const data = new Float32Array(floats);
  for (let i = 0; i < floats; i++) data[i] = Math.sin(i * seed);
  const grid = Math.sqrt(floats / 4);
  return { key, frame, embeddings: { data, channels: 4, grid, stride: 8 } };
}

describe('FeatureCache (memory LRU by bytes)', () => {
  it('evicts the least recently used entries once over the byte budget', () => {
    const cache = new FeatureCache(3 * 4 * 64); // room for three 64-float entries
    for (const key of ['a', 'b', 'c']) cache.put(features(key, 64));
    assert.ok(cache.get('a')); // a becomes the most recent
    cache.put(features('d', 64));
    assert.equal(cache.has('b'), false, 'b was the least recently used');
    assert.deepEqual(
      ['a', 'c', 'd'].map((k) => cache.has(k)),
      [true, true, true],
    );
    assert.deepEqual(cache.stats(), { entries: 3, bytes: 3 * 256, limitBytes: 768 });
  });

  it('counts bytes, not entries: one big entry pushes out several small ones', () => {
    const cache = new FeatureCache(1024);
    for (const key of ['a', 'b', 'c']) cache.put(features(key, 64));
    cache.put(features('big', 196));
    assert.equal(cache.stats().entries, 1);
    assert.ok(cache.has('big'));
  });

  it('keeps the newest entry even when it alone exceeds the budget, and shrinks on setLimit', () => {
    const cache = new FeatureCache(100);
    cache.put(features('huge', 256));
    assert.ok(cache.has('huge'));
    const two = new FeatureCache(10_000);
    two.put(features('a', 64));
    two.put(features('b', 64));
    two.setLimit(300);
    assert.deepEqual([two.has('a'), two.has('b')], [false, true]);
  });
});

describe('feature files on disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'promptlabel-feat-'));

  it('round-trips features bit for bit', () => {
    const path = diskCachePath(dir, 'model/one', 'abc');
    assert.ok(path.startsWith(join(dir, 'model_one')), 'the model id is made safe for a folder name');
    const original = features('k1', 256, 3);
    writeDiskFeatures(path, original);
    const back = readDiskFeatures(path, 'k1');
    assert.ok(back);
    assert.deepEqual(back.frame, frame);
    assert.deepEqual(Array.from(back.embeddings.data), Array.from(original.embeddings.data));
  });

  it('ignores a file for another key, a truncated file, flipped data and garbage', () => {
    const path = join(dir, 'x.feat');
    writeDiskFeatures(path, features('k2', 256));
    assert.equal(readDiskFeatures(path, 'other-key'), null);
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 8));
    assert.equal(readDiskFeatures(path, 'k2'), null, 'truncated');
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 1] = flipped[flipped.length - 1]! ^ 0xff;
    writeFileSync(path, flipped);
    assert.equal(readDiskFeatures(path, 'k2'), null, 'checksum');
    writeFileSync(path, 'not a features file at all');
    assert.equal(readDiskFeatures(path, 'k2'), null, 'garbage');
    assert.equal(readDiskFeatures(join(dir, 'missing.feat'), 'k2'), null, 'missing');
  });
});
