// One unreadable image no longer blocks a COCO export: the others are
// exported, and the unreadable ones are listed with the reason (the result,
// the CLI's stderr).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';

import { runCli } from '../../../../cli/cli.js';
import { exportCoco } from '../../../../core/coco/export.js';
import { tempDir } from '../store/fixtures.js';
import { annotatedProject, readCoco } from './cocoFixtures.js';

/** A well-formed PNG whose header claims 100,000 × 100,000 pixels: sharp refuses it ("exceeds pixel limit"). */
function hugePng(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(100_000, 0);
  header.writeUInt32BE(100_000, 4);
  header[8] = 8; // bit depth; colour type 0 (grey)
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.alloc(16))), chunk('IEND', Buffer.alloc(0))]);
}

test('unreadable images are skipped with the reason; the rest is exported', async () => {
  const temp = tempDir();
  const project = await annotatedProject(join(temp.dir, 'project'));
  try {
    writeFileSync(join(project.dir, 'huge.png'), hugePng());
    writeFileSync(join(project.dir, 'zz-not-an-image.jpg'), 'this is text, not a JPEG');
    project.rescan();
    const outPath = join(temp.dir, 'out.json');
    const result = await exportCoco(project, { outPath });
    assert.deepEqual(
      result.skippedImages.map((skipped) => skipped.file),
      ['huge.png', 'zz-not-an-image.jpg'],
    );
    assert.match(result.skippedImages[0]!.reason, /pixel limit/);
    assert.match(result.skippedImages[1]!.reason, /unsupported image format/);
    assert.equal(result.images, 3);
    assert.equal(result.annotations, 4);
    const coco = readCoco(outPath);
    assert.deepEqual(coco.images.map((image) => image.file_name).sort(), ['a.png', 'b.jpg', 'sub/c.png']);

    const out = { stdout: '', stderr: '' };
    const io = { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) };
    const cliOut = join(temp.dir, 'cli.json');
    assert.equal(await runCli(['export', '--project', project.dir, '--format', 'coco', '--out', cliOut], io), 0, out.stderr);
    assert.match(out.stderr, /Skipped 2 unreadable images[\s\S]*huge\.png: .*pixel limit[\s\S]*zz-not-an-image\.jpg: /);
  } finally {
    project.close();
    temp.cleanup();
  }
});

test('an export with nothing unreadable lists no skipped images', async () => {
  const temp = tempDir();
  const project = await annotatedProject(join(temp.dir, 'project'));
  try {
    const result = await exportCoco(project, { outPath: join(temp.dir, 'out.json') });
    assert.deepEqual(result.skippedImages, []);
  } finally {
    project.close();
    temp.cleanup();
  }
});
