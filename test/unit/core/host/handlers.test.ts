// The real handler map behind both transports, as browser mode builds it.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { createHost } from '../../../../core/host/createHost.js';

describe('host handlers in browser mode', () => {
  const userDataDir = mkdtempSync(join(tmpdir(), 'promptlabel-handlers-'));
  const host = createHost({ mode: 'browser', userDataDir });
  after(() => {
    host.session.close();
    rmSync(userDataDir, { recursive: true, force: true });
  });

  it('answers the native dialogs with `unsupported`, so the UI falls back to a typed path', async () => {
    for (const channel of ['dialog.pickFolder', 'dialog.pickCocoFile'] as const) {
      const result = await host.dispatch(channel, {});
      assert.equal(result.ok, false);
      if (!result.ok) assert.equal(result.error.code, 'unsupported', channel);
    }
  });

  it('refuses to open a folder that does not exist, and creates nothing', async () => {
    const missing = join(userDataDir, 'no-such-folder');
    const result = await host.dispatch('project.open', { dir: missing });
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.error.code, 'not_found');
    assert.equal(existsSync(missing), false);
    const current = await host.dispatch('project.current', {});
    assert.deepEqual(current, { ok: true, value: null });
  });

  it('reports browser mode in app.info', async () => {
    const info = await host.dispatch('app.info', {});
    assert.ok(info.ok);
    if (info.ok) assert.equal((info.value as { mode: string }).mode, 'browser');
  });
});
