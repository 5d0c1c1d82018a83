// The desktop app takes file-system paths from the renderer only when the user
// chose them in a native dialog this session (or they are recent projects):
// the registry itself, then the real handlers in Electron mode with fake
// dialogs, and browser mode, which keeps typed paths.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { AppError, type Result } from '../../../../common/contract/index.js';
import { createDispatch, type Dispatch } from '../../../../core/host/dispatch.js';
import { createHandlers, type HostEnvironment } from '../../../../core/host/handlers.js';
import { canonicalPath, PathGrants } from '../../../../core/host/pathGrants.js';
import { AppSession } from '../../../../core/host/session.js';
import { tempDir, writeImage } from '../store/fixtures.js';

function refused(result: Result<unknown>, what: string): void {
  assert.equal(result.ok, false, `${what} was accepted`);
  if (!result.ok) assert.equal(result.error.code, 'forbidden', `${what}: ${result.error.message}`);
}

function accepted(result: Result<unknown>, what: string): void {
  assert.ok(result.ok, `${what} was refused: ${result.ok ? '' : result.error.message}`);
}

function forbidden(action: () => void): void {
  assert.throws(action, (error: unknown) => error instanceof AppError && error.code === 'forbidden');
}

describe('PathGrants', () => {
  const tmp = tempDir('promptlabel-grants-');
  after(tmp.cleanup);

  it('grants exactly the chosen path, under any spelling of it, and nothing else', () => {
    const chosen = join(tmp.dir, 'photos');
    mkdirSync(chosen);
    mkdirSync(join(tmp.dir, 'other'));
    symlinkSync(chosen, join(tmp.dir, 'link-to-photos'));
    const grants = new PathGrants();
    grants.grant('project', chosen);
    assert.equal(grants.has('project', chosen), true);
    assert.equal(grants.has('project', `${chosen}/`), true, 'trailing slash');
    assert.equal(grants.has('project', join(tmp.dir, 'other', '..', 'photos')), true, 'dot segments');
    assert.equal(grants.has('project', join(tmp.dir, 'link-to-photos')), true, 'a symlink to the chosen folder');
    assert.equal(grants.has('project', join(tmp.dir, 'other')), false);
    assert.equal(grants.has('project', join(chosen, 'sub')), false, 'a folder inside the chosen one');
    assert.equal(grants.has('project', tmp.dir), false, 'the parent');
    assert.equal(grants.has('cocoImport', chosen), false, 'another kind');
  });

  it('never grants a relative path, even one that resolves to a granted path', () => {
    const grants = new PathGrants();
    grants.grant('cocoImport', join(process.cwd(), 'a.json'));
    assert.equal(grants.has('cocoImport', 'a.json'), false);
    forbidden(() => grants.require('cocoImport', 'a.json'));
    forbidden(() => grants.require('project', 'photos', ['photos']));
  });

  it('a symlink to an unchosen file does not borrow a grant, and a link swapped after the grant is checked by target', () => {
    const granted = join(tmp.dir, 'granted.json');
    const secret = join(tmp.dir, 'secret.json');
    writeFileSync(granted, '{}');
    writeFileSync(secret, '{}');
    const grants = new PathGrants();
    grants.grant('cocoImport', granted);
    const link = join(tmp.dir, 'link.json');
    symlinkSync(secret, link);
    assert.equal(grants.has('cocoImport', link), false);
    assert.equal(canonicalPath(link), canonicalPath(secret));
  });

  it('an export grant covers one export; import and project grants last the session', () => {
    const grants = new PathGrants();
    const out = join(tmp.dir, 'out.json');
    grants.grant('cocoExport', out);
    grants.require('cocoExport', out);
    forbidden(() => grants.require('cocoExport', out));
    const input = join(tmp.dir, 'in.json');
    grants.grant('cocoImport', input);
    grants.require('cocoImport', input);
    grants.require('cocoImport', input);
  });

  it('accepts the extra allowed paths (recent projects) and says what to do otherwise', () => {
    const grants = new PathGrants();
    const recent = join(tmp.dir, 'recent');
    mkdirSync(recent);
    grants.require('project', recent, [recent]);
    grants.require('project', `${recent}/`, [recent]);
    try {
      grants.require('project', '/etc', [recent]);
      assert.fail('/etc was accepted');
    } catch (error) {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, 'forbidden');
      assert.match(error.message, /Open folder/);
      assert.match(error.message, /\/etc/);
    }
  });
});

describe('host handlers in Electron mode take only dialog-chosen paths', () => {
  const tmp = tempDir('promptlabel-electron-handlers-');
  const project = join(tmp.dir, 'project');
  const elsewhere = join(tmp.dir, 'elsewhere');
  const cocoFile = join(tmp.dir, 'labels.coco.json');
  const exportTarget = join(tmp.dir, 'chosen-export.json');
  const picks: { folder: string | null; coco: string | null; save: string | null } = { folder: null, coco: null, save: null };
  const saveDefaults: (string | undefined)[] = [];
  const recent: string[] = [];
  let session: AppSession;
  let dispatch: Dispatch;

  const environment = (mode: HostEnvironment['mode'], recentList: string[]): HostEnvironment => ({
    mode,
    version: 'test',
    pickFolder: async () => picks.folder,
    pickCocoFile: async () => picks.coco,
    saveCocoFile: async (defaultPath) => {
      saveDefaults.push(defaultPath);
      return picks.save;
    },
    pathGrants: new PathGrants(),
    recentProjects: { list: () => [...recentList], add: (dir) => void recentList.unshift(dir) },
  });
  const noEngine = () => {
    throw new Error('these tests never reach the inference engine');
  };

  before(async () => {
    await writeImage(project, 'a.png', 8, 6);
    mkdirSync(elsewhere);
    writeFileSync(cocoFile, JSON.stringify({ images: [], annotations: [], categories: [] }));
    session = new AppSession();
    dispatch = createDispatch(createHandlers(session, environment('electron', recent), noEngine, join(tmp.dir, 'models')), () => undefined);
  });
  after(() => {
    session.close();
    tmp.cleanup();
  });

  it('refuses to open a folder nobody chose, and creates nothing in it', async () => {
    refused(await dispatch('project.open', { dir: elsewhere }), 'an unchosen folder');
    refused(await dispatch('project.open', { dir: project }), 'the project before the dialog');
    refused(await dispatch('project.open', { dir: '/proc' }), '/proc');
    assert.equal(existsSync(join(elsewhere, '.promptlabel')), false);
    assert.equal(existsSync(join(project, '.promptlabel')), false);
    assert.deepEqual(await dispatch('project.current', {}), { ok: true, value: null });
  });

  it('a cancelled dialog grants nothing', async () => {
    picks.folder = null;
    assert.deepEqual(await dispatch('dialog.pickFolder', {}), { ok: true, value: { dir: null } });
    refused(await dispatch('project.open', { dir: project }), 'the project after a cancelled dialog');
  });

  it('opens the folder chosen in the folder dialog', async () => {
    picks.folder = project;
    assert.deepEqual(await dispatch('dialog.pickFolder', {}), { ok: true, value: { dir: project } });
    accepted(await dispatch('project.open', { dir: project }), 'the chosen folder');
    refused(await dispatch('project.open', { dir: elsewhere }), 'another folder after the dialog');
  });

  it('refuses to import a file nobody chose, without reading it', async () => {
    for (const path of ['/etc/passwd', '/proc/self/environ', cocoFile]) {
      const result = await dispatch('coco.import', { path });
      refused(result, path);
      if (!result.ok) assert.doesNotMatch(result.error.message, /root:|PATH=/);
    }
  });

  it('imports the file chosen in the file dialog', async () => {
    picks.coco = cocoFile;
    assert.deepEqual(await dispatch('dialog.pickCocoFile', {}), { ok: true, value: { path: cocoFile } });
    accepted(await dispatch('coco.import', { path: cocoFile }), 'the chosen COCO file');
  });

  it('refuses to export to a path nobody chose, and writes nothing there', async () => {
    const stray = join(elsewhere, 'stray.json');
    refused(await dispatch('coco.export', { outPath: stray, overwrite: true }), 'an unchosen export path');
    refused(await dispatch('coco.export', { outPath: 'relative.json' }), 'a relative export path');
    refused(await dispatch('coco.export', { outPath: join(project, 'a.png'), overwrite: true }), 'a project image');
    assert.equal(existsSync(stray), false);
    assert.equal(existsSync(join(project, 'relative.json')), false);
    assert.equal(readFileSync(join(project, 'a.png')).subarray(1, 4).toString(), 'PNG', 'the image was overwritten');
  });

  it('exports to the file chosen in the save dialog (its overwrite confirmation counts), once', async () => {
    writeFileSync(exportTarget, 'old contents');
    picks.save = exportTarget;
    assert.deepEqual(await dispatch('dialog.saveCocoFile', {}), { ok: true, value: { path: exportTarget } });
    const suggested = saveDefaults.at(-1);
    assert.ok(suggested?.startsWith(join(project, 'exports')), `the dialog should start in the project's exports folder, got ${suggested}`);
    accepted(await dispatch('coco.export', { outPath: exportTarget, overwrite: true }), 'the chosen export path');
    assert.match(readFileSync(exportTarget, 'utf8'), /^\{"info"/);
    refused(await dispatch('coco.export', { outPath: exportTarget, overwrite: true }), 'the same path without a new dialog');
  });

  it('still exports to the default place inside the project without a dialog', async () => {
    const result = await dispatch('coco.export', {});
    accepted(result, 'the default export');
    if (result.ok) assert.ok((result.value as { path: string }).path.startsWith(join(project, 'exports')));
  });

  it('opens a recent project without a dialog', async () => {
    const fresh = new AppSession();
    const recentList = [project];
    const withRecent = createDispatch(
      createHandlers(fresh, environment('electron', recentList), noEngine, join(tmp.dir, 'models')),
      () => undefined,
    );
    try {
      accepted(await withRecent('project.open', { dir: project }), 'a recent project');
      refused(await withRecent('project.open', { dir: elsewhere }), 'a folder that is not recent');
    } finally {
      fresh.close();
    }
  });

  it('browser mode keeps typed paths (the user types them into the page opened with the token)', async () => {
    const fresh = new AppSession();
    const browser = createDispatch(
      createHandlers(
        fresh,
        { ...environment('browser', []), pickFolder: undefined, pickCocoFile: undefined, saveCocoFile: undefined },
        noEngine,
        join(tmp.dir, 'models'),
      ),
      () => undefined,
    );
    try {
      const save = await browser('dialog.saveCocoFile', {});
      assert.equal(save.ok, false);
      if (!save.ok) assert.equal(save.error.code, 'unsupported');
      accepted(await browser('project.open', { dir: elsewhere }), 'a typed folder');
      accepted(await browser('coco.import', { path: cocoFile }), 'a typed COCO file');
    } finally {
      fresh.close();
    }
  });
});
