// Electron's security rules, checked without an Electron binary: the window's
// web preferences, the CSPs the renderer gets, the app:// scheme that serves
// it (no file://), which requests and external links pass, and the fuses the
// packaged app is built with.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, describe, it, test } from 'node:test';

import { APP_ORIGIN } from '../../../common/contract/bridge.js';
import { AppError } from '../../../common/contract/result.js';
import {
  APP_INDEX_URL,
  appSchemeResponse,
  type AppSchemeSources,
  isAllowedRequest,
  isAppUrl,
  isTrustedSender,
} from '../../../electron/main/appScheme.js';
import { DOC_LINK_PREFIXES, externalLinkTarget } from '../../../electron/main/externalLinks.js';
import { mainWindowOptions } from '../../../electron/main/windowOptions.js';
import { contentSecurityPolicy } from '../../../server/csp.js';
import { tempDir } from '../core/store/fixtures.js';

const repo = join(__dirname, '..', '..', '..');

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

describe('content security policies', () => {
  type Directives = Map<string, string[]>;
  const directivesOf = (csp: string): Directives =>
    new Map(
      csp
        .split(';')
        .map((part) => part.trim().split(/\s+/))
        .map(([name, ...values]) => [name!, values]),
    );
  const metaCsp = () => {
    const html = readFileSync(join(repo, 'renderer', 'index.html'), 'utf8');
    const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    assert.ok(csp, 'no CSP meta tag in renderer/index.html');
    return csp;
  };
  const electronHeaderCsp = contentSecurityPolicy("'self'");

  /** The evaluator electronegativity runs (Google's CSP Evaluator): everything but the reviewed 'self' note must be clean. */
  const cspFindings = (csp: string): string[] => {
    const fromScanner = createRequire(require.resolve('@doyensec/electronegativity/package.json'));
    const evaluator = fromScanner('@doyensec/csp-evaluator') as {
      CspParser: new (csp: string) => { csp: unknown };
      CspEvaluator: new (
        csp: unknown,
        version: unknown,
      ) => { evaluate(): { severity: number; directive: string; value?: string; description: string }[] };
      Version: { CSP3: unknown };
      severities: { MEDIUM_MAYBE: number; INFO: number };
    };
    const findings = new evaluator.CspEvaluator(new evaluator.CspParser(csp).csp, evaluator.Version.CSP3).evaluate();
    const reviewed = (f: { severity: number; directive: string; value?: string }) =>
      // 'self' is app://promptlabel (dist/renderer + image/* answers with nosniff) or the loopback server: no JSONP, no uploads served as script.
      f.severity >= evaluator.severities.INFO ||
      (f.severity === evaluator.severities.MEDIUM_MAYBE && f.directive === 'script-src' && f.value === "'self'");
    return findings.filter((f) => !reviewed(f)).map((f) => `${f.directive} ${f.value ?? ''}: ${f.description}`);
  };

  it('the page declares one with no remote, inline or eval script', () => {
    const directives = directivesOf(metaCsp());
    assert.deepEqual(directives.get('script-src'), ["'self'"]);
    assert.deepEqual(directives.get('object-src'), ["'none'"]);
    assert.ok(directives.get('default-src')?.includes("'self'"));
    for (const [name, values] of directives) {
      assert.ok(!values.some((v) => /^https?:|^file:|^\*$|unsafe-eval|promptlabel-image/.test(v)), `${name} allows ${values.join(' ')}`);
    }
  });

  it('Electron adds a header policy: the same rules, and no connection to any other local port', () => {
    const directives = directivesOf(electronHeaderCsp);
    assert.deepEqual(directives.get('connect-src'), ["'self'"]);
    assert.deepEqual(directives.get('script-src'), ["'self'"]);
    assert.deepEqual(directives.get('img-src'), ["'self'", 'data:', 'blob:']);
    assert.deepEqual(directives.get('frame-ancestors'), ["'none'"]);
    assert.deepEqual(directives.get('object-src'), ["'none'"]);
  });

  it('both pass the CSP evaluator electronegativity uses', () => {
    assert.deepEqual(cspFindings(metaCsp()), []);
    assert.deepEqual(cspFindings(electronHeaderCsp), []);
    assert.deepEqual(cspFindings(contentSecurityPolicy("'self' ws://127.0.0.1:4000 ws://localhost:4000")), []);
    // The check can fail: a policy with an inline-script hole is reported.
    assert.notDeepEqual(cspFindings("default-src 'self'; script-src 'self' 'unsafe-inline'; object-src 'none'"), []);
  });
});

describe('the app:// origin', () => {
  it('the window loads app://promptlabel/index.html, and only that page counts as the app', () => {
    assert.equal(APP_INDEX_URL, 'app://promptlabel/index.html');
    assert.equal(isAppUrl(APP_INDEX_URL), true);
    assert.equal(isAppUrl(`${APP_INDEX_URL}?x=1#frag`), true);
    assert.equal(isAppUrl(`${APP_ORIGIN}/`), true);
    for (const url of [
      'file:///opt/promptlabel/dist/renderer/index.html',
      'app://evil/index.html',
      'app://promptlabel.evil/index.html',
      'app://user@promptlabel/index.html',
      'app://promptlabel/assets/other.html',
      'app://promptlabel/image/1',
      'https://promptlabel/index.html',
      'not a url',
    ]) {
      assert.equal(isAppUrl(url), false, url);
    }
  });

  it('only the top-level frame of the app page may call the main process', () => {
    assert.equal(isTrustedSender({ url: APP_INDEX_URL, parent: null }), true);
    assert.equal(isTrustedSender({ url: APP_INDEX_URL, parent: {} }), false, 'a subframe');
    assert.equal(isTrustedSender({ url: 'https://example.com/', parent: null }), false, 'navigated away');
    assert.equal(isTrustedSender({ url: 'file:///tmp/index.html', parent: null }), false, 'a file page');
    assert.equal(isTrustedSender(null), false);
  });

  it('the request filter lets through the app origin and in-memory URLs, and cancels file:, the network and other schemes', () => {
    for (const url of [
      `${APP_ORIGIN}/assets/index.js`,
      `${APP_ORIGIN}/image/3?kind=thumb`,
      'devtools://devtools/bundled/x.html',
      'data:image/png;base64,AAAA',
      'blob:app://promptlabel/1234',
    ]) {
      assert.equal(isAllowedRequest(url), true, url);
    }
    for (const url of [
      'file:///etc/passwd',
      'file:///opt/promptlabel/dist/renderer/index.html',
      'FILE:///etc/passwd',
      'app://other/index.html',
      'promptlabel-image://image/1',
      'https://example.com/',
      'http://127.0.0.1:9222/json',
      'ws://127.0.0.1:8080/',
      'chrome://settings',
      '',
    ]) {
      assert.equal(isAllowedRequest(url), false, url);
    }
  });
});

describe('app:// answers', () => {
  const tmp = tempDir('promptlabel-appscheme-');
  after(tmp.cleanup);
  const root = join(tmp.dir, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(root, 'assets', 'index.js'), 'console.log(1)');
  writeFileSync(join(tmp.dir, 'secret.txt'), 'SECRET');
  mkdirSync(join(tmp.dir, 'renderer-evil'));
  writeFileSync(join(tmp.dir, 'renderer-evil', 'x.js'), 'SECRET');

  const imageCalls: [number, string][] = [];
  const sources: AppSchemeSources = {
    rendererRoot: root,
    contentSecurityPolicy: "default-src 'self'",
    imageBytes: async (id, kind) => {
      imageCalls.push([id, kind]);
      if (id === 404) throw new AppError('not_found', 'The file of image 404 is missing from the project folder.');
      if (id === 500) throw new Error('EIO: /home/user/private/path');
      return { body: Buffer.from([1, 2, 3]), contentType: 'image/png' };
    },
  };
  const get = (path: string, method = 'GET') => appSchemeResponse({ url: `${APP_ORIGIN}${path}`, method }, sources);

  it('serves the renderer with the CSP header on HTML and nosniff everywhere', async () => {
    const page = await get('/index.html');
    assert.equal(page.status, 200);
    assert.equal(await page.text(), '<!doctype html><title>app</title>');
    assert.equal(page.headers.get('Content-Security-Policy'), "default-src 'self'");
    assert.equal(page.headers.get('X-Content-Type-Options'), 'nosniff');
    const script = await get('/assets/index.js');
    assert.equal(script.status, 200);
    assert.match(script.headers.get('Content-Type') ?? '', /^text\/javascript/);
    assert.equal(script.headers.get('Content-Security-Policy'), null);
    assert.equal((await get('/')).status, 200, 'the root is index.html');
    assert.equal((await get('/missing.js')).status, 404);
  });

  it('never reads a file outside the renderer folder', async () => {
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/%2e%2e/renderer-evil/x.js',
      '/..%2frenderer-evil%2fx.js',
      `/${encodeURIComponent(join(tmp.dir, 'secret.txt'))}`,
      '/index.html%00.js',
      '/%E0%A4%A',
    ]) {
      const response = await get(path);
      assert.equal(response.status, 404, path);
      assert.doesNotMatch(await response.text(), /SECRET/, path);
    }
  });

  it('answers only its own host and only GET/HEAD', async () => {
    assert.equal((await appSchemeResponse({ url: 'app://evil/index.html', method: 'GET' }, sources)).status, 404);
    assert.equal((await appSchemeResponse({ url: 'file:///etc/passwd', method: 'GET' }, sources)).status, 404);
    assert.equal((await get('/index.html', 'POST')).status, 405);
    const head = await get('/index.html', 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
  });

  it('serves project images at /image/N, same origin, with typed errors and no internal detail', async () => {
    const full = await get('/image/7');
    assert.equal(full.status, 200);
    assert.equal(full.headers.get('Content-Type'), 'image/png');
    assert.equal(full.headers.get('Access-Control-Allow-Origin'), null, 'no CORS grant to any other origin');
    assert.deepEqual([...new Uint8Array(await full.arrayBuffer())], [1, 2, 3]);
    await get('/image/8?kind=thumb');
    assert.deepEqual(imageCalls.slice(-2), [
      [7, 'full'],
      [8, 'thumb'],
    ]);
    assert.equal((await get('/image/404')).status, 404);
    const failed = await get('/image/500');
    assert.equal(failed.status, 500);
    assert.doesNotMatch(await failed.text(), /private/);
    assert.equal((await get('/image/1x')).status, 404);
  });
});

describe('external links', () => {
  it('the renderer links to no web page, so nothing is opened', () => {
    const sources = readdirSync(join(repo, 'renderer', 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => /\.tsx?$/.test(f));
    const links = sources.filter((f) =>
      /\bhref=|window\.open\(|['"`]https?:\/\//.test(readFileSync(join(repo, 'renderer', 'src', f), 'utf8')),
    );
    // When a documentation link is added, its prefix goes into DOC_LINK_PREFIXES (electron/main/externalLinks.ts).
    if (links.length === 0) assert.deepEqual(DOC_LINK_PREFIXES, []);
    for (const prefix of DOC_LINK_PREFIXES) assert.match(prefix, /^https:\/\/[^/@]+\/.*\/$/, prefix);
    assert.equal(externalLinkTarget('https://example.com/'), null);
  });

  it('opens only https URLs under an allowed prefix, compared after parsing', () => {
    const prefixes = ['https://docs.example.org/promptlabel/'];
    assert.equal(
      externalLinkTarget('https://docs.example.org/promptlabel/models.html#x', prefixes),
      'https://docs.example.org/promptlabel/models.html#x',
    );
    assert.equal(externalLinkTarget('https://DOCS.example.org:443/promptlabel/a', prefixes), 'https://docs.example.org/promptlabel/a');
    for (const url of [
      'https://docs.example.org/promptlabel-evil/',
      'https://docs.example.org/promptlabel',
      'https://docs.example.org/promptlabel/../admin',
      'https://docs.example.org/promptlabel/%2e%2e/admin',
      'https://docs.example.org.evil.com/promptlabel/',
      'https://docs.example.org@evil.com/promptlabel/',
      'https://user:pass@docs.example.org/promptlabel/',
      'https://docs.example.org:8443/promptlabel/',
      'http://docs.example.org/promptlabel/',
      'file:///etc/passwd',
      'smb://host/share',
      'javascript:alert(1)',
      'not a url',
    ]) {
      assert.equal(externalLinkTarget(url, prefixes), null, url);
    }
  });
});

test('the Electron main process and preload never load a file: URL', () => {
  for (const dir of ['main', 'preload']) {
    for (const file of readdirSync(join(repo, 'electron', dir)).filter((f) => f.endsWith('.ts'))) {
      const code = readFileSync(join(repo, 'electron', dir, file), 'utf8').replace(/^\s*\/\/.*$/gm, '');
      assert.doesNotMatch(code, /loadFile\(|pathToFileURL|['"`]file:/, `electron/${dir}/${file}`);
    }
  }
});

describe('packaging', () => {
  /**
   * The `electronFuses:` block of electron-builder.yml as key → boolean. A
   * small reader for the block style the file uses: any other spelling reads
   * as no fuses, so the test fails rather than passing on a misread.
   */
  const fusesIn = (yaml: string): Record<string, boolean> => {
    const lines = yaml.split(/\r?\n/);
    const start = lines.findIndex((line) => /^electronFuses:\s*(#.*)?$/.test(line));
    const fuses: Record<string, boolean> = {};
    if (start < 0) return fuses;
    for (const line of lines.slice(start + 1)) {
      if (/^\S/.test(line)) break; // the next top-level key
      const entry = /^\s+([A-Za-z]+):\s*(true|false)\s*(#.*)?$/.exec(line);
      if (entry) fuses[entry[1]!] = entry[2] === 'true';
      else assert.match(line, /^\s*(#.*)?$/, `unexpected line in electronFuses: ${line}`);
    }
    return fuses;
  };
  const yaml = () => readFileSync(join(repo, 'electron-builder.yml'), 'utf8');

  it('sets the Electron fuses (names as electron-builder 26 spells them)', () => {
    assert.deepEqual(fusesIn(yaml()), {
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    assert.doesNotMatch(yaml(), /^asar:\s*false/m, 'onlyLoadAppFromAsar and asar integrity need the asar archive');
  });

  it('the fuse reader fails closed', () => {
    assert.deepEqual(fusesIn('appId: x\nelectronFuses: { runAsNode: false }\n'), {});
    assert.deepEqual(fusesIn('electronFuses:\n  # comment\n  runAsNode: false\nmac:\n  runAsNode: true\n'), { runAsNode: false });
  });
});
