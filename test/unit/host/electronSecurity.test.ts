// Electron's security basics, checked without an Electron binary: the window's
// web preferences and the CSP the built renderer carries.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { mainWindowOptions } from '../../../electron/main/windowOptions.js';

test('the main window is isolated, sandboxed and has no Node in the page', () => {
  const prefs = mainWindowOptions('/app/preload.cjs').webPreferences!;
  assert.equal(prefs.contextIsolation, true);
  assert.equal(prefs.sandbox, true);
  assert.equal(prefs.nodeIntegration, false);
  assert.equal(prefs.nodeIntegrationInWorker, false);
  assert.equal(prefs.webSecurity, true);
  assert.equal(prefs.allowRunningInsecureContent, false);
  assert.equal(prefs.webviewTag, false);
  assert.equal(prefs.preload, '/app/preload.cjs');
});

test('the renderer page declares a CSP with no remote, inline or eval script', () => {
  const html = readFileSync(join(__dirname, '..', '..', '..', 'renderer', 'index.html'), 'utf8');
  const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
  assert.ok(csp, 'no CSP meta tag in renderer/index.html');
  const directives = new Map(csp.split(';').map((part) => part.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
  assert.deepEqual(directives.get('script-src'), ["'self'"]);
  assert.deepEqual(directives.get('object-src'), ["'none'"]);
  assert.ok(directives.get('default-src')?.includes("'self'"));
  for (const [name, values] of directives) {
    assert.ok(!values.some((v) => /^https?:|^\*$|unsafe-eval/.test(v)), `${name} allows ${values.join(' ')}`);
  }
});
