// `promptlabel segment` and `promptlabel models` in-process, on the built-in
// model through the real inference worker: masks against the sample ground
// truth, the PNG against the JSON, and the refusals (exit codes, messages).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import sharp from 'sharp';

import { runCli } from '../../../cli/cli.js';
import { optionForPromptPath, parsePoint, parseScribble } from '../../../cli/commands/segmentArgs.js';
import type { DetectResultJson, SegmentResultJson } from '../../../cli/commands/segmentCommand.js';
import { type BinaryMask, maskIoU } from '../../../common/geometry/binaryMask.js';
import { rleToMask } from '../../../common/geometry/rle.js';
import { tempDir } from '../core/store/fixtures.js';
import { installSam2, installYolo, ROOT } from '../engine/issue11Fixtures.js';
import { annotationMask, type CocoAnnotation, type CocoSamples, readSamples, SAMPLES_DIR } from '../models/cocoGt.js';

function capture() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) } };
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { out, io } = capture();
  const code = await runCli(args, io);
  return { code, ...out };
}

/** The built-in demo model: these tests measure it on the synthetic samples it was trained for (without --model the CLI takes the best real model). */
const DEMO = 'shapes-seem-tiny';
const readResult = (path: string): SegmentResultJson => JSON.parse(readFileSync(path, 'utf8')) as SegmentResultJson;
const maskOf = (rle: { size: [number, number]; counts: string }): BinaryMask => ({
  width: rle.size[1],
  height: rle.size[0],
  data: rleToMask(rle),
});

describe('promptlabel segment', () => {
  const temp = tempDir('promptlabel-cli-segment-');
  const savedUserData = process.env.PROMPTLABEL_USER_DATA;
  let coco: CocoSamples;
  let imagePath: string;
  let width: number;
  let height: number;
  let target: CocoAnnotation;
  let boxArg: string;

  before(async () => {
    // An empty user-data folder: no user models, nothing persisted outside the temp dir.
    process.env.PROMPTLABEL_USER_DATA = join(temp.dir, 'user-data');
    coco = await readSamples();
    const image = coco.images[0]!;
    imagePath = join(SAMPLES_DIR, image.file_name);
    ({ width, height } = image);
    // The largest object of the first image that is the only one of its category.
    const anns = coco.annotations.filter((a) => a.image_id === image.id && a.referring !== undefined);
    target = anns.filter((a) => anns.filter((b) => b.category_id === a.category_id).length === 1).sort((a, b) => b.area - a.area)[0]!;
    const [x, y, w, h] = target.bbox;
    boxArg = `${x},${y},${x + w},${y + h}`;
  });
  after(() => {
    if (savedUserData === undefined) delete process.env.PROMPTLABEL_USER_DATA;
    else process.env.PROMPTLABEL_USER_DATA = savedUserData;
    temp.cleanup();
  });

  it('a box gives the object as full-resolution RLE in JSON (IoU >= 0.8), and the PNG holds the same mask', async () => {
    const json = join(temp.dir, 'box.json');
    const run = await cli(['segment', '--model', DEMO, '--image', imagePath, '--box', boxArg, '--out', json]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Wrote .*box\.json: 590×616, candidate \d/);
    const result = readResult(json);
    assert.equal(result.image, imagePath);
    assert.equal(result.model, 'shapes-seem-tiny');
    assert.deepEqual([result.width, result.height], [width, height]);
    assert.equal(result.candidates.length, 1, 'only the best candidate by default');
    const best = result.candidates[0]!;
    assert.equal(best.index, result.best);
    assert.deepEqual(best.rle.size, [height, width]);
    const mask = maskOf(best.rle);
    const iou = maskIoU(mask, await annotationMask(target, width, height));
    assert.ok(iou >= 0.8, `IoU ${iou.toFixed(3)} against ground-truth annotation ${target.id}`);
    let area = 0;
    for (const v of mask.data) area += v;
    assert.equal(best.area, area);
    assert.ok(best.box.w > 0 && best.box.h > 0 && best.polygons.length > 0);
    assert.ok(best.score !== null && best.score > 0 && best.stability > 0 && best.stability <= 1);
    assert.equal(result.scoreKind, 'predicted-iou');
    assert.equal(best.note, null);
    // Labels come from the model's own vocabulary when --labels is not given: the top 3, best first.
    const vocabulary = new Set(coco.categories.map((c) => c.name));
    assert.equal(best.labels.length, 3);
    for (const label of best.labels) assert.ok(vocabulary.has(label.name), label.name);
    assert.ok(best.labels[0]!.score >= best.labels[1]!.score && best.labels[1]!.score >= best.labels[2]!.score);
    const category = coco.categories.find((c) => c.id === target.category_id)!.name;
    assert.ok(
      best.labels.some((l) => l.name === category),
      `"${category}" among the top 3 labels (${best.labels.map((l) => l.name).join(', ')})`,
    );
    assert.equal(result.timing.featureSource, 'encoded');
    assert.ok(result.timing.decodeMs > 0 && result.timing.materializeMs >= 0);

    const png = join(temp.dir, 'box.png');
    const pngRun = await cli(['segment', '--model', DEMO, '--image', imagePath, '--box', boxArg, '--out', png]);
    assert.equal(pngRun.code, 0, pngRun.stderr);
    const meta = await sharp(png).metadata();
    assert.deepEqual(
      [meta.format, meta.width, meta.height, meta.channels],
      ['png', width, height, 1],
      'a one-channel PNG at full resolution',
    );
    const data = await sharp(png).extractChannel(0).raw().toBuffer();
    let mismatched = 0;
    for (let i = 0; i < mask.data.length; i++) {
      assert.ok(data[i] === 0 || data[i] === 255, 'a binary mask');
      if ((data[i] === 255 ? 1 : 0) !== mask.data[i]) mismatched++;
    }
    assert.equal(mismatched, 0, 'PNG white pixels = the JSON RLE');
  });

  it('clicks with a negative label, all candidates, and labels from --labels', async () => {
    const json = join(temp.dir, 'click.json');
    const [x, y, w, h] = target.bbox;
    const inside = `${Math.round(x + w / 2)},${Math.round(y + h / 2)}`;
    const run = await cli([
      'segment',
      '--model',
      DEMO,
      '--image',
      imagePath,
      '--point',
      inside,
      '--point',
      '2,2,0',
      '--candidate',
      'all',
      '--labels',
      'shape, background ,shape',
      '--out',
      json,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const result = readResult(json);
    assert.ok(result.candidates.length >= 2, 'a multi-mask model gives several candidates');
    assert.deepEqual(
      result.candidates.map((c) => c.index),
      result.candidates.map((_, i) => i),
    );
    assert.ok(result.best >= 0 && result.best < result.candidates.length);
    for (const candidate of result.candidates) {
      assert.deepEqual(candidate.labels.map((l) => l.name).sort(), ['background', 'shape'], 'duplicates dropped, names trimmed');
      assert.deepEqual(candidate.rle.size, [height, width]);
    }
  });

  it('runs any provider by id: GrabCut from a box, and a magic wand with --tolerance inside it', async () => {
    const json = join(temp.dir, 'grabcut.json');
    const grabCut = await cli(['segment', '--image', imagePath, '--model', 'opencv-classical', '--box', boxArg, '--out', json]);
    assert.equal(grabCut.code, 0, grabCut.stderr);
    const result = readResult(json);
    assert.equal(result.model, 'opencv-classical');
    assert.equal(result.candidates[0]!.score, null);
    assert.equal(result.scoreKind, null, 'GrabCut gives no score');
    const gt = await annotationMask(target, width, height);
    const iou = maskIoU({ width, height, data: rleToMask(result.candidates[0]!.rle) }, gt);
    assert.ok(iou >= 0.8, `GrabCut IoU ${iou.toFixed(3)}`);
    const [x, y, w, h] = target.bbox;
    const wandJson = join(temp.dir, 'wand.json');
    const wand = await cli([
      'segment',
      '--image',
      imagePath,
      '--model',
      'opencv-classical',
      '--point',
      `${Math.round(x + w / 2)},${Math.round(y + h / 2)}`,
      '--tolerance',
      '255',
      '--box',
      boxArg,
      '--out',
      wandJson,
    ]);
    assert.equal(wand.code, 0, wand.stderr);
    const box = readResult(wandJson).candidates[0]!.box;
    assert.ok(
      box.x >= x - 1 && box.y >= y - 1 && box.x + box.w <= x + w + 1 && box.y + box.h <= y + h + 1,
      'tolerance 255 fills exactly the box',
    );
    const bad = await cli(['segment', '--image', imagePath, '--point', '10,10', '--tolerance', 'lots', '--out', wandJson]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--tolerance must be a number from 0 to 255/);
  });

  it('a text prompt over several images writes one file per image into --out-dir', async () => {
    const outDir = join(temp.dir, 'batch');
    const images = coco.images.slice(0, 2).map((i) => join(SAMPLES_DIR, i.file_name));
    // The second image as a trailing path, as a shell glob would give it.
    const run = await cli([
      'segment',
      '--model',
      DEMO,
      '--image',
      images[0]!,
      '--text',
      target.phrase,
      '--out-dir',
      outDir,
      '--format',
      'json',
      images[1]!,
    ]);
    assert.equal(run.code, 0, run.stderr);
    for (const [i, image] of coco.images.slice(0, 2).entries()) {
      const file = join(outDir, image.file_name.replace(/\.\w+$/, '.json'));
      assert.ok(existsSync(file), file);
      const result = readResult(file);
      assert.equal(result.image, images[i]);
      assert.deepEqual([result.width, result.height], [image.width, image.height]);
    }
  });

  it('in a batch, an image the prompt does not fit fails alone (exit 1) and the others are written', async () => {
    const outDir = join(temp.dir, 'partial');
    const [tall, wide] = coco.images.slice(0, 2);
    assert.ok(tall!.height > 500 && wide!.height < 500, 'the point below fits the first sample only');
    const run = await cli([
      'segment',
      '--model',
      DEMO,
      '--point',
      '100,500',
      '--out-dir',
      outDir,
      '--format',
      'png',
      join(SAMPLES_DIR, tall!.file_name),
      join(SAMPLES_DIR, wide!.file_name),
    ]);
    assert.equal(run.code, 1);
    assert.ok(existsSync(join(outDir, tall!.file_name.replace(/\.\w+$/, '.png'))));
    assert.ok(!existsSync(join(outDir, wide!.file_name.replace(/\.\w+$/, '.png'))));
    assert.match(
      run.stderr,
      new RegExp(`${wide!.file_name}: --point #1: point \\(100, 500\\) is outside the image \\(${wide!.width}×${wide!.height}\\)`),
    );
    assert.match(run.stderr, /1 of 2 images failed/);
  });

  it('refuses bad arguments with exit code 2 and the option at fault', async () => {
    const out = join(temp.dir, 'never.json');
    const cases: [string[], RegExp][] = [
      [['--point', '9999,10', '--out', out], /--point #1: point \(9999, 10\) is outside the image \(590×616\)/],
      [['--box', `${boxArg.split(',').slice(0, 3).join(',')},700`, '--out', out], /--box: point \(.*, 700\) is outside the image/],
      [['--point', '10,10'], /--out FILE\.png\|FILE\.json .* is required/],
      [['--point', '10', '--out', out], /--point "10" must be X,Y or X,Y,LABEL/],
      [['--point', '10,abc', '--out', out], /"abc" is not a number/],
      [['--point', '10,10,2', '--out', out], /LABEL must be 1 \(positive\) or 0 \(negative\)/],
      [['--box', '50,50,10,10', '--out', out], /--box: a box needs x1 > x0 and y1 > y0/],
      [['--out', out], /give at least one prompt/],
      [['--point', '10,10', '--out', join(temp.dir, 'mask.tiff')], /must end in \.png .* or \.json/],
      [['--point', '10,10', '--candidate', 'all', '--out', join(temp.dir, 'all.png')], /--candidate all writes several masks/],
      [['--point', '10,10', '--candidate', 'first', '--out', out], /--candidate must be best, all or a candidate index/],
      [['--point', '10,10', '--provider', 'tpu', '--out', out], /--provider must be one of auto, cpu/],
      [['--ref-image', imagePath, '--out', out], /--ref-image needs --ref-box or --ref-scribble/],
      [['--point', '10,10', '--bogus', '--out', out], /Unknown option '--bogus'/],
      [
        ['--text', 'red', 'circle', '--out', out],
        /Several images \(".*shapes_0001\.jpg", "circle"\) need --out-dir DIR --format png\|json/,
      ],
    ];
    for (const [args, message] of cases) {
      const run = await cli(['segment', '--image', imagePath, ...args]);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message, args.join(' '));
      assert.match(run.stderr, /Usage: promptlabel segment/);
    }
    // 100,000 points: refused by the contract's bound before any inference.
    const stroke = Array.from({ length: 100_000 }, (_, i) => `${i % 500},${i % 600}`).join(' ');
    const many = await cli(['segment', '--image', imagePath, '--scribble', stroke, '--out', out]);
    assert.equal(many.code, 2);
    assert.match(many.stderr, /at most 20000 prompt points in one request/);
    assert.ok(!existsSync(out), 'nothing written');
  });

  it('fails with exit code 1 on an unknown model, a missing image or a candidate the model does not give', async () => {
    const out = join(temp.dir, 'never.json');
    const unknown = await cli(['segment', '--image', imagePath, '--model', 'no-such-model', '--point', '10,10', '--out', out]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /Unknown model "no-such-model"\. Installed: opencv-classical, shapes-seem-tiny/);
    const missing = await cli(['segment', '--image', join(temp.dir, 'missing.jpg'), '--point', '10,10', '--out', out]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /--image ".*missing\.jpg": no such file/);
    const notImage = await cli(['segment', '--image', join(SAMPLES_DIR, 'annotations.coco.json'), '--point', '10,10', '--out', out]);
    assert.equal(notImage.code, 1);
    assert.match(notImage.stderr, /is not a readable image/);
    const index = await cli(['segment', '--model', DEMO, '--image', imagePath, '--point', '10,10', '--candidate', '99', '--out', out]);
    assert.equal(index.code, 2);
    assert.match(index.stderr, /--candidate 99: model shapes-seem-tiny gives \d candidates/);
    assert.ok(!existsSync(out));
  });

  it('is listed in the help, with the models command', async () => {
    const help = await cli(['--help']);
    assert.match(help.stdout, /segment[\s\S]*--image PATH/);
    const models = await cli(['models']);
    assert.equal(models.code, 0, models.stderr);
    assert.match(
      models.stdout,
      /^ID\s+SOURCE\s+PROMPTS\s+STATUS\nopencv-classical\s+builtin\s+points,box,scribble,wand,regions\s+ok\nshapes-seem-tiny\s+builtin\s+points,box,scribble,text,reference,labels\s+ok\n$/,
    );
    const listed = await cli(['models', '--json']);
    const parsed = JSON.parse(listed.stdout) as { id: string; problem: string | null }[];
    assert.deepEqual(
      parsed.map((m) => [m.id, m.problem]),
      [
        ['opencv-classical', null],
        ['shapes-seem-tiny', null],
      ],
    );
  });
});

describe('promptlabel segment: default model and detectors', () => {
  const temp = tempDir('promptlabel-cli-detect-');
  const savedUserData = process.env.PROMPTLABEL_USER_DATA;
  const photo = join(ROOT, 'assets', 'photos', 'rocket.jpg');
  before(() => {
    process.env.PROMPTLABEL_USER_DATA = join(temp.dir, 'user-data');
  });
  after(() => {
    if (savedUserData === undefined) delete process.env.PROMPTLABEL_USER_DATA;
    else process.env.PROMPTLABEL_USER_DATA = savedUserData;
    temp.cleanup();
  });

  it('without --model uses the best real model installed: the classical tools, then a SAM-family model once one is added', async () => {
    const out = join(temp.dir, 'default.json');
    const classical = await cli(['segment', '--image', photo, '--box', '305,122,339,410', '--out', out]);
    assert.equal(classical.code, 0, classical.stderr);
    assert.equal(readResult(out).model, 'opencv-classical', 'not the synthetic demo model on a photo');
    installSam2(join(temp.dir, 'user-data', 'models'));
    const sam2 = await cli(['segment', '--image', photo, '--box', '305,122,339,410', '--out', out]);
    assert.equal(sam2.code, 0, sam2.stderr);
    const result = readResult(out);
    assert.equal(result.model, 'sam2-fixture');
    assert.match(result.selectionRule ?? '', /highest predicted IoU/);
  });

  it('runs a detector without prompts (boxes, classes, scores; masks through --chain) and refuses prompts for it', async () => {
    installYolo(join(temp.dir, 'user-data', 'models'), 'yolo-det');
    installSam2(join(temp.dir, 'user-data', 'models'));
    const out = join(temp.dir, 'detections.json');
    const run = await cli([
      'segment',
      '--image',
      photo,
      '--model',
      'yolo-det',
      '--conf',
      '0.5',
      '--iou',
      '0.45',
      '--labels',
      'Person,cat',
      '--out',
      out,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /1 person, 2 cat, 2 cup, 2 traffic light \(conf > 0\.5, NMS IoU > 0\.45\)/);
    const result = JSON.parse(readFileSync(out, 'utf8')) as DetectResultJson;
    assert.equal(result.detections.length, 7);
    assert.deepEqual(result.detections[0]!.box, [140, 114, 260, 274]);
    assert.equal(result.detections[0]!.label, 'Person');
    assert.equal(result.detections[0]!.mask, null);
    const chained = await cli([
      'segment',
      '--image',
      photo,
      '--model',
      'yolo-det',
      '--chain',
      'sam2-fixture',
      '--max-det',
      '3',
      '--out',
      out,
    ]);
    assert.equal(chained.code, 0, chained.stderr);
    const masks = JSON.parse(readFileSync(out, 'utf8')) as DetectResultJson;
    assert.equal(masks.chainModel, 'sam2-fixture');
    assert.equal(masks.detections.length, 3);
    assert.ok(masks.detections.every((d) => d.mask !== null && d.mask.area > 0 && d.mask.rle.size[0] === 427));
    const prompted = await cli(['segment', '--image', photo, '--model', 'yolo-det', '--point', '10,10', '--out', out]);
    assert.equal(prompted.code, 2);
    assert.match(prompted.stderr, /yolo-det is a detector: it takes no prompts/);
    const png = await cli(['segment', '--image', photo, '--model', 'yolo-det', '--out', join(temp.dir, 'x.png')]);
    assert.equal(png.code, 2);
    assert.match(png.stderr, /written as \.json/);
    const misplaced = await cli(['segment', '--image', photo, '--box', '1,1,20,20', '--conf', '0.3', '--out', out]);
    assert.equal(misplaced.code, 2);
    assert.match(misplaced.stderr, /go with a detector/);
  });
});

describe('segment argument syntax', () => {
  it('reads points, scribbles and contract paths', () => {
    assert.deepEqual(parsePoint('10.5,20'), { x: 10.5, y: 20, positive: true });
    assert.deepEqual(parsePoint('1,2,0'), { x: 1, y: 2, positive: false });
    assert.deepEqual(parseScribble('1,2 3,4;5,6:neg'), {
      points: [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      positive: false,
    });
    assert.deepEqual(parseScribble(' 1,2  3,4 '), {
      points: [
        [1, 2],
        [3, 4],
      ],
      positive: true,
    });
    assert.throws(() => parseScribble(':neg'), /--scribble needs at least one X,Y point/);
    assert.equal(optionForPromptPath('prompts.clicks[2]'), '--point #3');
    assert.equal(optionForPromptPath('prompts.scribbles[0].points[4]'), '--scribble #1, point 5');
    assert.equal(optionForPromptPath(['reference', 'box']), '--ref-box');
  });
});
