// The models.* channels for the user's own models, through the dispatcher as
// the renderer calls them: add from files (progress events, the model as
// ai.models lists it), a refusal that installs nothing, a YAML plan, the
// suggested links, remove; fetch by URL from a server on 127.0.0.1 with
// download progress (rate, time left, one total); and the desktop app's
// path grants (only files chosen in its dialogs).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { AddedModel, EventMap, ModelImportPlan, ModelInfo, ModelLink } from '../../../../common/contract/index.js';
import { createDispatch } from '../../../../core/host/dispatch.js';
import { createHandlers, type HostEnvironment } from '../../../../core/host/handlers.js';
import { PathGrants } from '../../../../core/host/pathGrants.js';
import { AppSession } from '../../../../core/host/session.js';
import { InferenceEngine } from '../../../../engine/engine.js';
import { FileServer, sha256Of } from '../../engine/urlFixtures.js';
import { tempDir } from '../store/fixtures.js';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const BUILTIN = join(ROOT, 'models');
const F = (...parts: string[]): string => join(ROOT, 'test', 'fixtures', ...parts);

function environment(mode: HostEnvironment['mode'], grants?: PathGrants): HostEnvironment {
  return { mode, version: 'test', pathGrants: grants, recentProjects: { list: () => [], add: () => undefined } };
}

describe('models.* channels for user models', () => {
  const temp = tempDir('promptlabel-host-models-');
  const userModels = join(temp.dir, 'models');
  const server = new FileServer();
  const session = new AppSession();
  const progress: EventMap['progress'][] = [];
  session.events.subscribe((event, payload) => {
    if (event === 'progress') progress.push(payload as EventMap['progress']);
  });
  // No execution provider is started: these channels only list models.
  const engine = new InferenceEngine({ roots: { builtin: BUILTIN, user: userModels }, settingsPath: null });
  const dispatch = createDispatch(
    createHandlers(session, environment('browser'), () => engine, userModels, BUILTIN),
    () => undefined,
  );
  let base = '';
  before(async () => {
    base = await server.start();
    server.files.set('/yolo-e2e.onnx', { bytes: readFileSync(F('yolo', 'yolo-e2e.onnx')), etag: '"e2e"', bytesPerTick: 200 });
  });
  after(async () => {
    await engine.close();
    await server.close();
    session.close();
    temp.cleanup();
  });

  it('models.add installs from files and answers the listed model, with progress events', async () => {
    progress.length = 0;
    const answer = await dispatch('models.add', {
      paths: [F('yolo', 'yolo-det-nonames.onnx')],
      namesFile: F('yolo', 'data.yaml'),
      id: 'host-yolo',
    });
    assert.ok(answer.ok, JSON.stringify(answer));
    const added = answer.value as AddedModel;
    assert.deepEqual([added.model.id, added.model.kind, added.model.problem], ['host-yolo', 'detector', null]);
    assert.deepEqual(added.model.classNames, ['person', 'cat', 'cup', 'traffic light']);
    assert.equal(added.model.capabilities.box, false);
    assert.match(added.recognisedAs, /YOLO detector/);
    assert.equal(added.files[0]!.sha256, sha256Of(readFileSync(F('yolo', 'yolo-det-nonames.onnx'))));
    const titles = [...new Set(progress.map((p) => p.title))];
    assert.deepEqual(titles, [
      'Recognising the model',
      'Copying the model files',
      'Checking the model in onnxruntime',
      'Installing the model',
    ]);
    assert.ok(progress.filter((p) => p.finished).length === titles.length, 'each task finishes');
    const listed = await dispatch('ai.models', {});
    assert.ok(listed.ok && (listed.value as ModelInfo[]).some((m) => m.id === 'host-yolo'));
  });

  it('a refused add answers invalid_file with the reason and installs nothing', async () => {
    const answer = await dispatch('models.add', { paths: [F('signatures', 'sam-decoder.onnx')] });
    assert.equal(answer.ok, false);
    if (!answer.ok) {
      assert.equal(answer.error.code, 'invalid_file');
      assert.match(answer.error.message, /needs its encoder/);
    }
  });

  it('models.fetchUrl downloads with rate, time left and one total, then installs', async () => {
    progress.length = 0;
    const sha = sha256Of(readFileSync(F('yolo', 'yolo-e2e.onnx')));
    const answer = await dispatch('models.fetchUrl', { urls: [`${base}/yolo-e2e.onnx`], sha256: [sha] });
    assert.ok(answer.ok, JSON.stringify(answer));
    const added = answer.value as AddedModel;
    assert.deepEqual(added.downloads, [
      { url: `${base}/yolo-e2e.onnx`, sha256: sha, bytes: readFileSync(F('yolo', 'yolo-e2e.onnx')).length, resumed: false },
    ]);
    const download = progress.filter((p) => p.title === 'Downloading the model' && !p.finished);
    assert.ok(download.length > 2);
    assert.ok(
      download.every((p) => p.total === added.downloads[0]!.bytes),
      'one stable total',
    );
    assert.ok(
      download.some((p) => typeof p.bytesPerSecond === 'number' && typeof p.etaSeconds === 'number'),
      'rate and time left reported',
    );
    assert.match(download.at(-1)!.detail ?? '', /MB of .* MB/);
  });

  it('models.planImport reads a YAML without fetching; models.links lists suggestions, none verified', async () => {
    const plan = await dispatch('models.planImport', { path: F('xanylabeling', 'yolo11s.yaml') });
    assert.ok(plan.ok);
    const value = plan.value as ModelImportPlan;
    assert.deepEqual([value.type, value.displayName, value.classes, value.files[0]!.remote], ['yolo11', 'YOLO11s', 80, true]);
    const links = await dispatch('models.links', {});
    assert.ok(links.ok);
    const list = links.value as ModelLink[];
    assert.ok(list.length >= 4);
    assert.ok(
      list.every(
        (l) =>
          !l.verified &&
          l.sha256.every((h) => h === null) &&
          /Not verified here/.test(l.description) &&
          l.urls.every((u) => u.startsWith('https://')),
      ),
    );
  });

  it('models.remove removes a user model, not a built-in one', async () => {
    const builtin = await dispatch('models.remove', { modelId: 'shapes-seem-tiny' });
    assert.equal(builtin.ok, false);
    const removed = await dispatch('models.remove', { modelId: 'host-yolo' });
    assert.ok(removed.ok, JSON.stringify(removed));
    const listed = await dispatch('ai.models', {});
    assert.ok(listed.ok && !(listed.value as ModelInfo[]).some((m) => m.id === 'host-yolo'));
  });

  it('the desktop app adds only files chosen in its dialogs', async () => {
    const grants = new PathGrants();
    const desktop = createDispatch(
      createHandlers(session, environment('electron', grants), () => engine, userModels, BUILTIN),
      () => undefined,
    );
    const refused = await desktop('models.add', { paths: [F('yolo', 'yolo-det.onnx')], id: 'granted-yolo' });
    assert.equal(refused.ok, false);
    if (!refused.ok) assert.equal(refused.error.code, 'forbidden');
    // The model-file dialog is what grants them.
    const picking = createDispatch(
      createHandlers(
        session,
        { ...environment('electron', grants), pickModelFiles: async () => [F('yolo', 'yolo-det.onnx')] },
        () => engine,
        userModels,
        BUILTIN,
      ),
      () => undefined,
    );
    const picked = await picking('dialog.pickModelFiles', {});
    assert.deepEqual(picked, { ok: true, value: { paths: [F('yolo', 'yolo-det.onnx')] } });
    const accepted = await picking('models.add', { paths: [F('yolo', 'yolo-det.onnx')], id: 'granted-yolo' });
    assert.ok(accepted.ok, JSON.stringify(accepted));
    const other = await picking('models.add', { paths: [F('yolo', 'yolo-seg.onnx')], id: 'other-yolo' });
    assert.ok(!other.ok && other.error.code === 'forbidden', 'a file next to the chosen one is not granted');
  });
});
