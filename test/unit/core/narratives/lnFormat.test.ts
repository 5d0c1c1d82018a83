// Localized Narratives lines: parsing hand-written lines in the official
// format (the documented record: mscoco_val2017 / 137576 / annotator 93, a
// trace point above the image's top edge), serialising them back, every
// refusal with its line and field, and the caption ↔ record conversion.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { AppError, type Caption } from '../../../../common/contract/index.js';
import { parseNarratives, serializeNarrative } from '../../../../core/narratives/lnFormat.js';
import { captionToRecord, exportSpans, lnImageId, recordToCaption } from '../../../../core/narratives/narrativeRecords.js';

const OFFICIAL =
  '{"dataset_id": "mscoco_val2017", "image_id": "137576", "annotator_id": 93, "caption": "In this image there are group of cows standing.", ' +
  '"timed_caption": [{"utterance": "In this", "start_time": 0.0, "end_time": 0.4}, {"utterance": "image", "start_time": 0.4, "end_time": 0.9}, ' +
  '{"utterance": "there are group of cows", "start_time": 1.2, "end_time": 2.6}, {"utterance": "standing", "start_time": 2.6, "end_time": 3.1}], ' +
  '"traces": [[{"x": 0.2086, "y": -0.0533, "t": 0.022}, {"x": 0.2302, "y": 0.0417, "t": 0.039}, {"x": 0.4519, "y": 0.5012, "t": 1.9}], ' +
  '[{"x": 0.6001, "y": 0.7, "t": 2.7}, {"x": 0.61, "y": 0.71, "t": 3.0}]], "voice_recording": "coco_val/coco_val_137576_93.ogg"}';

const record = () => JSON.parse(OFFICIAL) as Record<string, unknown>;
const line = (value: unknown) => JSON.stringify(value);

function refusal(text: string): AppError {
  try {
    parseNarratives(text, 'n.jsonl');
  } catch (error) {
    assert.ok(error instanceof AppError, String(error));
    assert.equal(error.code, 'invalid_file');
    return error;
  }
  assert.fail('the file was accepted');
}

describe('LN lines', () => {
  it('parses official lines (blank lines skipped) and serialises them back field for field, in the official order', () => {
    const [a, b] = parseNarratives(`${OFFICIAL}\n\n${OFFICIAL}\r\n`, 'n.jsonl');
    assert.equal(a!.line, 1);
    assert.equal(b!.line, 3);
    assert.deepEqual(a!.record, JSON.parse(OFFICIAL));
    const out = serializeNarrative(a!.record);
    assert.deepEqual(JSON.parse(out), JSON.parse(OFFICIAL));
    assert.deepEqual(Object.keys(JSON.parse(out) as object), [
      'dataset_id',
      'image_id',
      'annotator_id',
      'caption',
      'timed_caption',
      'traces',
      'voice_recording',
    ]);
    assert.equal(serializeNarrative(parseNarratives(out, 'x')[0]!.record), out);
  });

  const refusals: [string, () => string, RegExp, string][] = [
    ['not JSON', () => '{"dataset_id": ', /line 2: not a JSON object/, 'line 2'],
    ['not an object', () => '[1, 2]', /line 2: not a JSON object/, 'line 2'],
    ...(['dataset_id', 'image_id', 'annotator_id', 'caption', 'timed_caption', 'traces', 'voice_recording'] as const).map(
      (field): [string, () => string, RegExp, string] => [
        `no ${field}`,
        () => {
          const r = record();
          delete r[field];
          return line(r);
        },
        new RegExp(`line 2, ${field}: missing`),
        `line 2.${field}`,
      ],
    ),
    ['an unknown field', () => line({ ...record(), audio: 'x' }), /line 2, audio: unknown field\(s\) audio/, 'line 2.audio'],
    ['a numeric image_id', () => line({ ...record(), image_id: 137576 }), /line 2, image_id: /, 'line 2.image_id'],
    ['a fractional annotator_id', () => line({ ...record(), annotator_id: 9.5 }), /line 2, annotator_id: /, 'line 2.annotator_id'],
    ['an empty caption', () => line({ ...record(), caption: '  ' }), /line 2, caption: empty/, 'line 2.caption'],
    [
      'an utterance without its end',
      () => line({ ...record(), timed_caption: [{ utterance: 'a', start_time: 0 }] }),
      /line 2, timed_caption\[0\]\.end_time: /,
      'line 2.timed_caption[0].end_time',
    ],
    [
      'a negative time',
      () => line({ ...record(), timed_caption: [{ utterance: 'a', start_time: -1, end_time: 0 }] }),
      /timed_caption\[0\]\.start_time/,
      'line 2.timed_caption[0].start_time',
    ],
    [
      'an utterance ending before it starts',
      () => line({ ...record(), timed_caption: [{ utterance: 'a', start_time: 0.5, end_time: 0.4 }] }),
      /line 2, timed_caption\[0\]\.end_time: 0\.4 is before its start_time 0\.5/,
      'line 2.timed_caption[0].end_time',
    ],
    [
      'utterance times running backwards (0.5, 0.4)',
      () =>
        line({
          ...record(),
          timed_caption: [
            { utterance: 'a', start_time: 0.5, end_time: 0.6 },
            { utterance: 'b', start_time: 0.4, end_time: 0.7 },
          ],
        }),
      /timed_caption\[1\]\.start_time: 0\.4 is before the previous utterance's start 0\.5/,
      'line 2.timed_caption[1].start_time',
    ],
    [
      'trace times running backwards across segments',
      () => line({ ...record(), traces: [[{ x: 0, y: 0, t: 2 }], [{ x: 0, y: 0, t: 1 }]] }),
      /line 2, traces\[1\]\[0\]\.t: 1 is before the previous point's 2/,
      'line 2.traces[1][0].t',
    ],
    [
      'a trace point far outside the image',
      () => line({ ...record(), traces: [[{ x: 3, y: 0, t: 0 }]] }),
      /line 2, traces\[0\]\[0\]\.x: /,
      'line 2.traces[0][0].x',
    ],
    [
      'a trace point without t',
      () => line({ ...record(), traces: [[{ x: 0.1, y: 0.1 }]] }),
      /line 2, traces\[0\]\[0\]\.t: /,
      'line 2.traces[0][0].t',
    ],
    [
      'traces not a list of segments',
      () => line({ ...record(), traces: [{ x: 0, y: 0, t: 0 }] }),
      /line 2, traces\[0\]: /,
      'line 2.traces[0]',
    ],
    ['a null voice_recording', () => line({ ...record(), voice_recording: null }), /line 2, voice_recording: /, 'line 2.voice_recording'],
  ];
  for (const [what, bad, message, path] of refusals) {
    it(`refuses ${what}, naming the file, line and field`, () => {
      const error = refusal(`${OFFICIAL}\n${bad()}\n${OFFICIAL}\n`);
      assert.match(error.message, /^n\.jsonl: /);
      assert.match(error.message, message);
      assert.equal(error.path, path);
    });
  }
});

describe('caption ↔ LN record', () => {
  const image = { relPath: 'val/000000137576.jpg', width: 640, height: 480 };

  it('gives an image its LN id: the stem, without a numeric stem’s zero padding', () => {
    assert.equal(lnImageId('val/000000137576.jpg'), '137576');
    assert.equal(lnImageId('0000.png'), '0');
    assert.equal(lnImageId('a/b/0a1b2c3d4e5f.jpg'), '0a1b2c3d4e5f');
    assert.equal(lnImageId('shapes_0001.jpg'), 'shapes_0001');
  });

  it('imports a record as words with spans and points from the trace in pixels, and exports the same record', () => {
    const r = parseNarratives(OFFICIAL, 'n')[0]!.record;
    const caption = recordToCaption(r, 7, image, 'c1', 1000);
    assert.deepEqual(
      caption.words.map((w) => [w.word, w.t, w.end]),
      [
        ['In this', 0, 0.4],
        ['image', 0.4, 0.9],
        ['there are group of cows', 1.2, 2.6],
        ['standing', 2.6, 3.1],
      ],
    );
    // "there are group of cows" (1.2–2.6, middle 1.9): the sample at t = 1.9.
    assert.deepEqual([caption.words[2]!.x, caption.words[2]!.y], [0.4519 * 640, 0.5012 * 480]);
    assert.deepEqual(caption.trace![0]![0], { x: 0.2086 * 640, y: -0.0533 * 480, t: 0.022 });
    assert.deepEqual(caption.narrative, {
      datasetId: 'mscoco_val2017',
      imageId: '137576',
      annotatorId: 93,
      voiceRecording: 'coco_val/coco_val_137576_93.ogg',
    });
    assert.deepEqual(captionToRecord(caption, image), r);
  });

  it('exports a caption recorded here with the image stem, promptlabel as dataset and no recording', () => {
    const caption: Caption = {
      id: 'c',
      imageId: 1,
      text: 'red star',
      words: [
        { word: 'red', x: 64, y: 48, t: 0.2, end: 0.5 },
        { word: 'star', x: 0, y: 0, t: null, end: null, aligned: false },
      ],
      source: 'user',
      createdAt: 0,
      updatedAt: 0,
      trace: [
        [
          { x: 64, y: 48, t: 0.1 },
          { x: 320.00004, y: 240, t: 0.60004 },
        ],
      ],
    };
    assert.deepEqual(captionToRecord(caption, image), {
      dataset_id: 'promptlabel',
      image_id: '137576',
      annotator_id: 0,
      caption: 'red star',
      timed_caption: [
        { utterance: 'red', start_time: 0.2, end_time: 0.5 },
        { utterance: 'star', start_time: 0.5, end_time: 0.5 },
      ],
      traces: [
        [
          { x: 0.1, y: 0.1, t: 0.1 },
          { x: 0.5, y: 0.5, t: 0.6 },
        ],
      ],
      voice_recording: '',
    });
  });

  it('never writes times that run backwards', () => {
    // A model caption (no times): one word per 0.4 s; a word typed in before earlier ones: moved up.
    assert.deepEqual(
      exportSpans([
        { word: 'a', x: 0, y: 0, t: null },
        { word: 'b', x: 0, y: 0, t: null },
        { word: 'c', x: 0, y: 0, t: null },
      ]),
      [
        { start: 0, end: 0.4 },
        { start: 0.4, end: 0.8 },
        { start: 0.8, end: 1.2 },
      ],
    );
    const spans = exportSpans([
      { word: 'a', x: 0, y: 0, t: 0.5, end: 0.7 },
      { word: 'b', x: 0, y: 0, t: 0.4, end: 0.45 },
      { word: 'c', x: 0, y: 0, t: null },
      { word: 'd', x: 0, y: 0, t: 2 },
    ]);
    assert.deepEqual(spans, [
      { start: 0.5, end: 0.7 },
      { start: 0.5, end: 0.5 },
      { start: 0.5, end: 0.5 },
      { start: 2, end: 2.4 },
    ]);
  });
});
