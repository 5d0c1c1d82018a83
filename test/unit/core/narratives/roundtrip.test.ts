// Localized Narratives through the host channels and the command line:
// export → import into a new project → export gives the same lines; a bad or
// unmatched file is refused with its line and field and writes nothing; the
// project-wide caption search.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { runCli } from '../../../../cli/cli.js';
import type { CaptionHit, NarrativeExportSummary, NarrativeImportSummary, Result } from '../../../../common/contract/index.js';
import { createDispatch, type Dispatch } from '../../../../core/host/dispatch.js';
import { createHandlers } from '../../../../core/host/handlers.js';
import { AppSession } from '../../../../core/host/session.js';
import { Project } from '../../../../core/store/project.js';
import { tempDir } from '../store/fixtures.js';
import { modelCaption, recordedCaption, sampleProject, SAMPLES } from './narrativeFixtures.js';

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const code = await runCli(args, { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t) });
  return { code, ...out };
}

function value<T>(result: Result<unknown>): T {
  assert.ok(result.ok, result.ok ? '' : result.error.message);
  return result.value as T;
}

const captionCount = (dir: string): number => {
  const project = Project.open(dir);
  try {
    return (project.db.prepare('SELECT count(*) AS n FROM captions').get() as { n: number }).n;
  } finally {
    project.close();
  }
};

describe('Localized Narratives on the command line', () => {
  const temp = tempDir('promptlabel-ln-cli-');
  const first = join(temp.dir, 'first');
  const second = join(temp.dir, 'second');
  const coco = join(SAMPLES, 'annotations.coco.json');

  before(() => {
    const project = sampleProject(first);
    project.apply([
      { type: 'caption.put', caption: recordedCaption(1) },
      { type: 'caption.put', caption: modelCaption(3) },
    ]);
    project.close();
    sampleProject(second).close();
  });
  after(() => temp.cleanup());

  it('imports the sample narratives by the COCO file’s ids, then export → import → export gives the same lines', async () => {
    const imported = await cli(['import', '--project', first, '--narratives', join(SAMPLES, 'narratives.jsonl'), '--coco', coco]);
    assert.equal(imported.code, 0, imported.stderr);
    const sampleLines = readFileSync(join(SAMPLES, 'narratives.jsonl'), 'utf8').trim().split('\n');
    assert.match(imported.stdout, new RegExp(`Imported ${sampleLines.length} narratives on \\d+ images`));

    const a = join(temp.dir, 'a.jsonl');
    const exported = await cli(['export', '--project', first, '--format', 'ln', '--out', a]);
    assert.equal(exported.code, 0, exported.stderr);
    const aLines = readFileSync(a, 'utf8').trim().split('\n');
    assert.equal(aLines.length, sampleLines.length + 2);
    // The sample's records come back field for field (Python wrote 0.0 where JSON.stringify writes 0).
    for (const line of sampleLines) assert.ok(aLines.some((out) => JSON.stringify(JSON.parse(out)) === JSON.stringify(JSON.parse(line))));

    const back = await cli(['import', '--project', second, '--narratives', a, '--coco', coco]);
    assert.equal(back.code, 0, back.stderr);
    const b = join(temp.dir, 'b.jsonl');
    assert.equal((await cli(['export', '--project', second, '--format', 'ln', '--out', b])).code, 0);
    assert.equal(readFileSync(b, 'utf8'), readFileSync(a, 'utf8'));

    const again = await cli(['export', '--project', second, '--format', 'ln', '--out', b]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists.*--overwrite/);
  });

  it('refuses a file with one bad line, naming the line and field, and writes nothing', async () => {
    const lines = readFileSync(join(SAMPLES, 'narratives.jsonl'), 'utf8').trim().split('\n');
    const bad = JSON.parse(lines[2]!) as Record<string, unknown>;
    delete bad.voice_recording;
    const file = join(temp.dir, 'bad.jsonl');
    writeFileSync(file, [lines[0], lines[1], JSON.stringify(bad), lines[3]].join('\n'));
    const before = captionCount(second);
    const result = await cli(['import', '--project', second, '--narratives', file, '--coco', coco]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /bad\.jsonl: line 3, voice_recording: missing/);
    assert.equal(captionCount(second), before);
  });

  it('refuses an image_id the project lacks unless told to skip it; a file stem matches without a COCO file', async () => {
    const record = JSON.parse(readFileSync(join(SAMPLES, 'narratives.jsonl'), 'utf8').split('\n')[0]!) as Record<string, unknown>;
    const file = join(temp.dir, 'stems.jsonl');
    writeFileSync(
      file,
      `${JSON.stringify({ ...record, image_id: 'shapes_0002' })}\n${JSON.stringify({ ...record, image_id: 'not_here' })}\n`,
    );
    const before = captionCount(second);
    const refused = await cli(['import', '--project', second, '--narratives', file]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /line 2, image_id: "not_here" is no image of this project \(matched by file stem\)/);
    assert.equal(captionCount(second), before);
    const skipped = await cli(['import', '--project', second, '--narratives', file, '--skip-unmatched']);
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.match(skipped.stdout, /Imported 1 narratives on 1 images/);
    assert.match(skipped.stderr, /Skipped 1 narratives/);
    assert.equal(captionCount(second), before + 1);
  });

  it('says what it needs', async () => {
    const none = await cli(['import', '--project', second]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /--narratives[^\n]* is required/);
    const format = await cli(['export', '--project', second, '--format', 'csv', '--out', join(temp.dir, 'x')]);
    assert.match(format.stderr, /--format must be [^\n]*\bln\b[^\n]*not "csv"/);
  });
});

describe('Localized Narratives through the host', () => {
  const temp = tempDir('promptlabel-ln-host-');
  const dir = join(temp.dir, 'p');
  let session: AppSession;
  let dispatch: Dispatch;

  before(async () => {
    sampleProject(dir).close();
    session = new AppSession();
    const environment = { mode: 'browser' as const, version: 'test', recentProjects: { list: () => [], add: () => undefined } };
    const noEngine = () => {
      throw new Error('these tests never reach the inference engine');
    };
    dispatch = createDispatch(createHandlers(session, environment, noEngine, join(temp.dir, 'models')), () => undefined);
    value(await dispatch('project.open', { dir }));
  });
  after(() => {
    session.close();
    temp.cleanup();
  });

  it('imports, searches and exports; a second export to the same file needs overwrite', async () => {
    const summary = value<NarrativeImportSummary>(
      await dispatch('narratives.import', { path: join(SAMPLES, 'narratives.jsonl'), cocoPath: join(SAMPLES, 'annotations.coco.json') }),
    );
    assert.equal(summary.skipped, 0);
    assert.equal(summary.captions, summary.narratives);
    value(await dispatch('document.apply', { ops: [{ type: 'caption.put', caption: recordedCaption(2) }] }));

    const hits = value<CaptionHit[]>(await dispatch('captions.search', { query: 'RED STAR' }));
    assert.ok(hits.some((hit) => hit.caption.id === 'rec-1' && hit.relPath === 'shapes_0002.jpg'));
    assert.ok(hits.every((hit) => hit.caption.text.toLowerCase().includes('red star')));
    assert.deepEqual(value<CaptionHit[]>(await dispatch('captions.search', { query: '100%_' })), []);
    const limited = value<CaptionHit[]>(await dispatch('captions.search', { query: 'there are', limit: 2 }));
    assert.equal(limited.length, 2);
    assert.equal(limited[0]!.relPath, 'shapes_0001.jpg');

    const out = join(temp.dir, 'out.jsonl');
    const exported = value<NarrativeExportSummary>(await dispatch('narratives.export', { outPath: out }));
    assert.equal(exported.narratives, summary.captions + 1);
    const refused = await dispatch('narratives.export', { outPath: out });
    assert.equal(refused.ok, false);
    if (!refused.ok) assert.equal(refused.error.code, 'conflict');
    value(await dispatch('narratives.export', { outPath: out, overwrite: true }));

    // A refused import leaves the project as it was.
    const broken = join(temp.dir, 'broken.jsonl');
    writeFileSync(broken, readFileSync(out, 'utf8').replace(/"start_time":0.4/, '"start_time":"0.4"'));
    const result = await dispatch('narratives.import', { path: broken, cocoPath: join(SAMPLES, 'annotations.coco.json') });
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.error.code, 'invalid_file');
      assert.match(result.error.message, /line 1, timed_caption\[1\]\.start_time/);
    }
    const after = value<NarrativeExportSummary>(await dispatch('narratives.export', { outPath: `${out}.2` }));
    assert.equal(after.narratives, exported.narratives);
  });
});

describe('Localized Narratives in the desktop app', () => {
  const temp = tempDir('promptlabel-ln-desktop-');
  const dir = join(temp.dir, 'p');
  const file = join(temp.dir, 'n.jsonl');
  let session: AppSession;
  let dispatch: Dispatch;
  let picked: string | null = null;

  before(async () => {
    sampleProject(dir).close();
    writeFileSync(
      file,
      readFileSync(join(SAMPLES, 'narratives.jsonl'), 'utf8').split('\n')[0]!.replace('"image_id":"1"', '"image_id":"shapes_0001"'),
    );
    session = new AppSession();
    const environment = {
      mode: 'electron' as const,
      version: 'test',
      recentProjects: { list: () => [dir], add: () => undefined },
      pickDatasetPath: () => Promise.resolve(picked),
    };
    const noEngine = () => {
      throw new Error('these tests never reach the inference engine');
    };
    dispatch = createDispatch(createHandlers(session, environment, noEngine, join(temp.dir, 'models')), () => undefined);
    value(await dispatch('project.open', { dir }));
  });
  after(() => {
    session.close();
    temp.cleanup();
  });

  it('imports only a file chosen in its file dialog', async () => {
    const refused = await dispatch('narratives.import', { path: file });
    assert.equal(refused.ok, false);
    if (!refused.ok) assert.equal(refused.error.code, 'forbidden');
    picked = file;
    value(await dispatch('dialog.pickDatasetPath', { purpose: 'import', folder: false }));
    assert.equal(value<NarrativeImportSummary>(await dispatch('narratives.import', { path: file })).captions, 1);
  });
});

describe('Localized Narratives import refusals', () => {
  const temp = tempDir('promptlabel-ln-refusals-');
  const dir = join(temp.dir, 'p');
  const line = (imageId: string) =>
    readFileSync(join(SAMPLES, 'narratives.jsonl'), 'utf8').split('\n')[0]!.replace('"image_id":"1"', `"image_id":"${imageId}"`);

  before(() => {
    mkdirSync(join(dir, 'a'), { recursive: true });
    mkdirSync(join(dir, 'b'), { recursive: true });
    copyFileSync(join(SAMPLES, 'shapes_0001.jpg'), join(dir, 'a', '000000000042.jpg'));
    copyFileSync(join(SAMPLES, 'shapes_0002.jpg'), join(dir, 'b', '000000000042.jpg'));
    copyFileSync(join(SAMPLES, 'shapes_0003.jpg'), join(dir, '000000000007.jpg'));
    Project.open(dir).close();
  });
  after(() => temp.cleanup());

  const importing = async (text: string, extra: string[] = []) => {
    const file = join(temp.dir, 'in.jsonl');
    writeFileSync(file, text);
    return cli(['import', '--project', dir, '--narratives', file, ...extra]);
  };

  it('matches a numeric image_id to a zero-padded stem, and refuses one that names two images', async () => {
    const padded = await importing(`${line('7')}\n`);
    assert.equal(padded.code, 0, padded.stderr);
    const before = captionCount(dir);
    const ambiguous = await importing(`${line('7')}\n${line('42')}\n`);
    assert.notEqual(ambiguous.code, 0);
    assert.match(
      ambiguous.stderr,
      /line 2, image_id: "42" matches several images \(a\/000000000042\.jpg, b\/000000000042\.jpg\); give a COCO file/,
    );
    assert.equal(captionCount(dir), before, 'nothing written, not even line 1');
  });

  it('refuses a file it cannot read, naming it', async () => {
    const missing = await cli(['import', '--project', dir, '--narratives', join(temp.dir, 'absent.jsonl')]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /Cannot read .*absent\.jsonl/);
  });

  it("takes a COCO file's ids to tell them apart, and refuses a COCO file that is not one", async () => {
    const coco = join(temp.dir, 'ids.json');
    writeFileSync(coco, JSON.stringify({ images: [{ id: 42, file_name: 'b/000000000042.jpg' }] }));
    const before = captionCount(dir);
    const ok = await importing(`${line('42')}\n`, ['--coco', coco]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(captionCount(dir), before + 1);
    writeFileSync(coco, JSON.stringify({ images: [{ id: 'x', file_name: 'b/000000000042.jpg' }] }));
    const bad = await importing(`${line('42')}\n`, ['--coco', coco]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /images\[0\]\.id/);
    assert.equal(captionCount(dir), before + 1);
  });
});
