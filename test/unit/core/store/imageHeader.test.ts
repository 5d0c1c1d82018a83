// The direct PNG / JPEG header reader answers what sharp's
// metadata().autoOrient answers, or null (and sharp decides): generated
// images in every EXIF orientation, the repository's own images, segments
// that push the frame header past the first read, an Exif block after the
// frame header, formats it leaves to sharp, and broken files.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import sharp from 'sharp';

import { headerSize, sizeFromBytes } from '../../../../core/store/imageHeader.js';
import { readImageSize } from '../../../../core/store/project.js';
import { tempDir } from './fixtures.js';

async function sharpSize(path: string) {
  const metadata = await sharp(path).metadata();
  return { width: metadata.autoOrient?.width ?? metadata.width, height: metadata.autoOrient?.height ?? metadata.height };
}

const image = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: { r: 200, g: 40, b: 40 } } });

/** A JPEG segment: marker, big-endian length, payload. */
const segment = (marker: number, payload: Buffer) =>
  Buffer.concat([Buffer.from([0xff, marker, (payload.length + 2) >> 8, (payload.length + 2) & 0xff]), payload]);

/** The offset of the first `marker` segment of a JPEG (walking segment lengths). */
function segmentAt(jpeg: Buffer, marker: number): number {
  for (let at = 2; at < jpeg.length; at += 2 + jpeg.readUInt16BE(at + 2)) if (jpeg[at + 1] === marker) return at;
  throw new Error(`no marker ${marker.toString(16)}`);
}

test('PNG and JPEG in every EXIF orientation: the size sharp gives, without sharp', async () => {
  const temp = tempDir();
  try {
    const cases: [string, Buffer][] = [
      ['plain.png', await image(37, 21).png().toBuffer()],
      ['palette.png', await image(5, 300).png({ palette: true }).toBuffer()],
      ['plain.jpg', await image(640, 480).jpeg().toBuffer()],
      ['progressive.jpg', await image(33, 65).jpeg({ progressive: true }).toBuffer()],
      ['icc.jpg', await image(40, 20).withMetadata({ icc: 'srgb' }).jpeg().toBuffer()],
    ];
    for (let orientation = 1; orientation <= 8; orientation++) {
      cases.push([`o${orientation}.jpg`, await image(120, 50).withMetadata({ orientation }).jpeg().toBuffer()]);
    }
    let answered = 0;
    for (const [name, bytes] of cases) {
      const path = join(temp.dir, name);
      writeFileSync(path, bytes);
      const quick = headerSize(path);
      assert.ok(quick !== null, `${name}: a plain PNG or JPEG is read directly`);
      answered++;
      assert.deepEqual(quick, await sharpSize(path), name);
      assert.deepEqual(await readImageSize(path, name), quick, name);
    }
    assert.equal(answered, cases.length);
    assert.deepEqual(headerSize(join(temp.dir, 'o6.jpg')), { width: 50, height: 120 }, 'orientations 5-8 swap');
  } finally {
    temp.cleanup();
  }
});

test("the repository's own PNG and JPEG files: null or sharp's size", async () => {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(png|jpe?g)$/i.test(name)) files.push(path);
    }
  };
  walk('test/fixtures');
  walk('assets/samples');
  assert.ok(files.length >= 20);
  for (const path of files) {
    const quick = headerSize(path);
    if (quick !== null) assert.deepEqual(quick, await sharpSize(path), path);
  }
});

test('segments past the first read, an Exif block after the frame header, a PNG with eXIf', async () => {
  const temp = tempDir();
  try {
    const plain = await image(90, 30).jpeg().toBuffer();
    const oriented = await image(90, 30).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const exifAt = segmentAt(oriented, 0xe1);
    const exif = oriented.subarray(exifAt, exifAt + 2 + oriented.readUInt16BE(exifAt + 2));
    const comment = (size: number) => segment(0xfe, Buffer.alloc(size, 0x41));
    const sos = segmentAt(plain, 0xda);
    const cases: [string, Buffer, boolean][] = [
      // 20 kB of comment before the frame: found by the second read.
      ['late-frame.jpg', Buffer.concat([plain.subarray(0, 2), comment(20_000), plain.subarray(2)]), true],
      // More than the second read: sharp decides.
      ['very-late-frame.jpg', Buffer.concat([plain.subarray(0, 2), comment(65_000), comment(10_000), plain.subarray(2)]), false],
      // libjpeg reads every segment before the scan: the orientation still applies.
      ['exif-after-frame.jpg', Buffer.concat([plain.subarray(0, sos), exif, plain.subarray(sos)]), true],
    ];
    const png = await image(30, 10).withMetadata({ orientation: 6 }).png().toBuffer();
    cases.push(['exif.png', png, png.includes('eXIf') ? false : true]);
    for (const [name, bytes, direct] of cases) {
      const path = join(temp.dir, name);
      writeFileSync(path, bytes);
      const quick = headerSize(path);
      assert.equal(quick !== null, direct, name);
      assert.deepEqual(await readImageSize(path, name), await sharpSize(path), name);
      if (quick) assert.deepEqual(quick, await sharpSize(path), name);
    }
    assert.deepEqual(headerSize(join(temp.dir, 'exif-after-frame.jpg')), { width: 30, height: 90 });
  } finally {
    temp.cleanup();
  }
});

test('other formats and broken files are left to sharp, which words the refusal', async () => {
  const temp = tempDir();
  try {
    const webp = join(temp.dir, 'x.webp');
    await image(10, 10).webp().toFile(webp);
    assert.equal(headerSize(webp), null);
    assert.deepEqual(await readImageSize(webp, 'x.webp'), { width: 10, height: 10 });
    const png = await image(10, 10).png().toBuffer();
    assert.equal(sizeFromBytes(png.subarray(0, 20)), undefined, 'a cut PNG header asks for more bytes');
    const text = join(temp.dir, 'text.png');
    writeFileSync(text, 'not an image at all');
    assert.equal(headerSize(text), null);
    await assert.rejects(readImageSize(text, 'text.png'), /Cannot read the image text\.png/);
    const cut = join(temp.dir, 'cut.png');
    writeFileSync(cut, png.subarray(0, 30));
    assert.equal(headerSize(cut), null);
    await assert.rejects(readImageSize(join(temp.dir, 'missing.png'), 'missing.png'), /Cannot read the image missing\.png/);
    const jpeg = readFileSync(join('test/fixtures/formats/labelme/primitives.jpg'));
    assert.equal(sizeFromBytes(jpeg.subarray(0, 10)), undefined);
  } finally {
    temp.cleanup();
  }
});
