// Google's own Localized Narratives loader (test/fixtures/narratives/
// localized_narratives.py) is the judge of our LN files: it loads the sample
// file, an export of recorded, model and imported narratives, and refuses a
// record that lacks a field (the export before this fix had no voice_recording).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { exportNarratives } from '../../../../core/narratives/exportNarratives.js';
import { importNarratives } from '../../../../core/narratives/importNarratives.js';
import { tempDir } from '../store/fixtures.js';
import { modelCaption, recordedCaption, ROOT, sampleProject, SAMPLES } from './narrativeFixtures.js';

const PYTHON = '/usr/bin/python3';
const LOADER_DIR = join(ROOT, 'test', 'fixtures', 'narratives');

// The loader imports wget for downloads only; loading local files never calls it.
const SCRIPT = `
import json, sys, types
try:
    import wget  # noqa: F401
except ImportError:
    sys.modules['wget'] = types.ModuleType('wget')
sys.path.insert(0, sys.argv[1])
import localized_narratives
loader = localized_narratives.DataLoader(sys.argv[2])
out = []
try:
    for n in loader.load_annotations('coco_val'):
        assert isinstance(n, localized_narratives.LocalizedNarrative)
        out.append({'image_id': n.image_id, 'annotator_id': n.annotator_id, 'caption': n.caption,
                    'utterances': [u['utterance'] for u in n.timed_caption],
                    'points': sum(len(s) for s in n.traces), 'voice_recording': n.voice_recording,
                    'url': n.voice_recording_url, 'repr': repr(n).splitlines()[1]})
except Exception as e:
    print(json.dumps({'error': type(e).__name__ + ': ' + str(e)}))
    sys.exit(0)
print(json.dumps({'loaded': out}))
`;

interface Loaded {
  image_id: string;
  annotator_id: number;
  caption: string;
  utterances: string[];
  points: number;
  voice_recording: string;
  url: string;
  repr: string;
}

/** Runs Google's loader on a JSON-lines file (as its coco_val file). */
function loadWithGoogle(file: string): { loaded?: Loaded[]; error?: string } {
  const temp = tempDir('promptlabel-ln-loader-');
  try {
    copyFileSync(file, join(temp.dir, 'coco_val_localized_narratives.jsonl'));
    const run = spawnSync(PYTHON, ['-c', SCRIPT, LOADER_DIR, temp.dir], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    return JSON.parse(run.stdout) as { loaded?: Loaded[]; error?: string };
  } finally {
    temp.cleanup();
  }
}

const skip = existsSync(PYTHON) ? false : `${PYTHON} is not installed: Google's loader is Python`;

describe("Google's Localized Narratives loader", { skip }, () => {
  it('loads assets/samples/narratives.jsonl, every line', () => {
    const lines = readFileSync(join(SAMPLES, 'narratives.jsonl'), 'utf8').trim().split('\n');
    const result = loadWithGoogle(join(SAMPLES, 'narratives.jsonl'));
    assert.equal(result.error, undefined);
    assert.equal(result.loaded!.length, lines.length);
    assert.equal(result.loaded![0]!.image_id, '1');
  });

  it('refuses a record without voice_recording (what the export wrote before), so this test can fail', () => {
    const temp = tempDir('promptlabel-ln-old-');
    try {
      const first = JSON.parse(readFileSync(join(SAMPLES, 'narratives.jsonl'), 'utf8').split('\n')[0]!) as Record<string, unknown>;
      delete first.voice_recording;
      const file = join(temp.dir, 'old.jsonl');
      writeFileSync(file, `${JSON.stringify(first)}\n`);
      assert.match(loadWithGoogle(file).error ?? '', /TypeError: .*missing 1 required positional argument: 'voice_recording'/);
    } finally {
      temp.cleanup();
    }
  });

  it('loads our export of a recorded narrative, a model caption and imported narratives', async () => {
    const temp = tempDir('promptlabel-ln-export-');
    const project = sampleProject(join(temp.dir, 'p'));
    try {
      project.apply([
        { type: 'caption.put', caption: recordedCaption(1) },
        { type: 'caption.put', caption: modelCaption(2) },
      ]);
      await importNarratives(project, join(SAMPLES, 'narratives.jsonl'), { cocoPath: join(SAMPLES, 'annotations.coco.json') });
      const out = join(temp.dir, 'out.jsonl');
      const summary = await exportNarratives(project, { outPath: out });
      const result = loadWithGoogle(out);
      assert.equal(result.error, undefined);
      assert.equal(result.loaded!.length, summary.narratives);
      const recorded = result.loaded!.find((n) => n.caption === 'A red star.')!;
      assert.deepEqual(recorded.utterances, ['A', 'red', 'star']);
      assert.equal(recorded.image_id, 'shapes_0001');
      assert.equal(recorded.points, 120);
      assert.equal(recorded.voice_recording, '');
      assert.match(recorded.repr, /dataset_id: promptlabel/);
      const model = result.loaded!.find((n) => n.caption === 'a blue circle')!;
      assert.equal(model.points, 3, 'a model caption: its point per word');
      assert.ok(result.loaded!.some((n) => n.image_id === '1' && n.caption.startsWith('There are a medium yellow star')));
    } finally {
      project.close();
      temp.cleanup();
    }
  });
});
