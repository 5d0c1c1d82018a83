// `serve --open` must not put the session token in any process's arguments
// (/proc/PID/cmdline is world-readable): the opener gets a private launch page.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';

import { launchCommand, launchPageHtml, openInBrowser, writeLaunchPage } from '../../../server/openInBrowser.js';
import { tempDir } from '../core/store/fixtures.js';

const TOKEN = 'Zm9vYmFyLXNlY3JldC10b2tlbi0xMjM0';
const URL_WITH_TOKEN = `http://127.0.0.1:43127/?token=${TOKEN}`;

describe('opening browser mode in the system browser', () => {
  const tmp = tempDir('promptlabel-open-test-');
  after(tmp.cleanup);

  it('writes the tokenised URL only into a page private to this user', { skip: process.platform === 'win32' }, () => {
    const page = writeLaunchPage(URL_WITH_TOKEN, tmp.dir);
    assert.equal(statSync(page.path).mode & 0o777, 0o600);
    assert.equal(statSync(dirname(page.path)).mode & 0o777, 0o700);
    assert.ok(!page.path.includes(TOKEN));
    const html = readFileSync(page.path, 'utf8');
    assert.match(html, new RegExp(`http-equiv="refresh" content="0;url=http://127\\.0\\.0\\.1:43127/\\?token=${TOKEN}"`));
    assert.match(html, /name="referrer" content="no-referrer"/);
    page.remove();
    page.remove();
    assert.equal(existsSync(dirname(page.path)), false);
  });

  it('escapes the URL in the page', () => {
    const html = launchPageHtml('http://127.0.0.1:1/?a="><script>x</script>&b=\'');
    assert.ok(!html.includes('<script>'));
    assert.match(html, /&quot;&gt;&lt;script&gt;x&lt;\/script&gt;&amp;b=&#39;/);
  });

  it('hands every platform opener the page path, never the URL, and no shell', () => {
    for (const platform of ['linux', 'darwin', 'win32', 'freebsd'] as const) {
      const { command, args } = launchCommand(platform, '/tmp/x/open.html');
      assert.deepEqual(args, ['/tmp/x/open.html'], platform);
      assert.ok(!/cmd|sh$/.test(command), `${platform}: ${command}`);
    }
  });

  it('the real opener process sees no token in its arguments, and the page goes away', { skip: process.platform === 'win32' }, async () => {
    // A stand-in xdg-open that records its own command line and the file it was given.
    const record = join(tmp.dir, 'record');
    const opener = join(tmp.dir, 'xdg-open');
    writeFileSync(
      opener,
      `#!/bin/sh\ntr '\\0' ' ' < /proc/$$/cmdline > "${record}.cmdline" 2>/dev/null || printf '%s ' "$0" "$@" > "${record}.cmdline"\ncat "$1" > "${record}.page"\n`,
    );
    chmodSync(opener, 0o755);
    let exited!: Promise<void>;
    const page = openInBrowser(URL_WITH_TOKEN, {
      platform: 'linux',
      tmpDir: tmp.dir,
      keepMs: 60_000,
      spawn: (command, args, options) => {
        const child = spawn(join(tmp.dir, command), args, { ...options, detached: false });
        exited = new Promise((resolve) => child.on('exit', () => resolve()));
        // Keep the test's event loop waiting for the stand-in (openInBrowser unrefs a real opener).
        return { on: (event, listener) => child.on(event, listener), unref: () => undefined };
      },
    });
    assert.ok(page);
    await exited;
    const cmdline = readFileSync(`${record}.cmdline`, 'utf8');
    assert.match(cmdline, /open\.html/);
    assert.ok(!cmdline.includes(TOKEN), `the token is in the opener's arguments: ${cmdline}`);
    assert.ok(readFileSync(`${record}.page`, 'utf8').includes(URL_WITH_TOKEN), 'the page the opener got does not lead to the URL');
    page.remove();
    assert.equal(existsSync(page.path), false);
  });

  it('deletes the page after the time the browser needs to read it', async () => {
    const page = openInBrowser(URL_WITH_TOKEN, {
      tmpDir: tmp.dir,
      keepMs: 50,
      spawn: () => ({ on: () => undefined, unref: () => undefined }),
    });
    assert.ok(page && existsSync(page.path));
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(existsSync(page.path), false);
  });

  it('survives a missing opener (the printed URL is the way in)', () => {
    const page = openInBrowser(URL_WITH_TOKEN, {
      platform: 'linux',
      tmpDir: tmp.dir,
      spawn: (_command, args, options) => spawn('/nonexistent/xdg-open', args, options),
    });
    assert.ok(page);
    page.remove();
  });
});
