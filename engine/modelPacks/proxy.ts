// Reaching the registry through an HTTP proxy, as npm does: its `https-proxy`,
// `proxy` and `noproxy` settings (environment or ~/.npmrc), else the usual
// HTTPS_PROXY / HTTP_PROXY / NO_PROXY variables; its `cafile` setting adds
// the certificate of a proxy that inspects TLS. https goes through a CONNECT
// tunnel, plain http as an absolute-URL request to the proxy.
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { Socket } from 'node:net';
import { rootCertificates } from 'node:tls';

import { ModelPackError } from './errors.js';
import { type NpmConfigSources, npmConfigValue } from './npmConfig.js';

export interface ProxySettings {
  /** For https:// addresses. */
  https: URL | null;
  /** For http:// addresses. */
  http: URL | null;
  /** Hosts reached directly: `example.org` also covers its subdomains, `*` covers all; a `:port` narrows to that port. */
  noProxy: string[];
  /** Trusted certificates (the usual roots plus npm's `cafile`), or null for Node's defaults. */
  ca: string[] | null;
}

export const NO_PROXY_SETTINGS: ProxySettings = { https: null, http: null, noProxy: [], ca: null };

function proxyUrl(raw: string, where: string): URL {
  // npm and curl accept a bare host:port.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ModelPackError('offline', `The proxy address "${raw}" (${where}) is not a URL (expected e.g. http://proxy.example:8080)`);
  }
  if (url.protocol !== 'http:') throw new ModelPackError('offline', `The proxy address "${raw}" (${where}) must be an http:// proxy`);
  return url;
}

/**
 * The proxy settings, npm's way: an explicit proxy (CLI flag) for both
 * schemes; else npm's `https-proxy` and `proxy` settings (environment, then
 * ~/.npmrc), then HTTPS_PROXY / HTTP_PROXY (either case); `noproxy` or
 * NO_PROXY; `cafile` adds certificates to the usual roots.
 */
export function resolveProxy(sources: NpmConfigSources & { explicit?: string | null } = {}): ProxySettings {
  const env = sources.env ?? process.env;
  const fromEnv = (...names: string[]) => names.map((name) => env[name]).find((value) => value) ?? null;
  const npm = (key: string) => npmConfigValue(key, sources);
  let https: URL | null;
  let plain: URL | null;
  if (sources.explicit) {
    https = plain = proxyUrl(sources.explicit, '--proxy');
  } else {
    const httpsRaw = npm('https-proxy') ?? fromEnv('HTTPS_PROXY', 'https_proxy');
    const httpRaw = npm('proxy') ?? fromEnv('HTTP_PROXY', 'http_proxy');
    // npm: https-proxy falls back to proxy, and https requests to HTTP_PROXY.
    https = httpsRaw ? proxyUrl(httpsRaw, 'https-proxy / HTTPS_PROXY') : httpRaw ? proxyUrl(httpRaw, 'proxy / HTTP_PROXY') : null;
    plain = httpRaw ? proxyUrl(httpRaw, 'proxy / HTTP_PROXY') : null;
  }
  const noProxyRaw = npm('noproxy') ?? fromEnv('NO_PROXY', 'no_proxy') ?? '';
  const noProxy = noProxyRaw
    .split(/[,\s]+/)
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean);
  const cafile = npm('cafile');
  let ca: string[] | null = null;
  if (cafile) {
    try {
      ca = [...rootCertificates, readFileSync(cafile, 'utf8')];
    } catch (error) {
      throw new ModelPackError('offline', `Cannot read npm's cafile ${cafile}: ${(error as Error).message}`);
    }
  }
  return { https, http: plain, noProxy, ca };
}

/** The proxy for this address, or null to connect directly. */
export function proxyFor(settings: ProxySettings, url: URL): URL | null {
  const proxy = url.protocol === 'https:' ? settings.https : settings.http;
  if (!proxy) return null;
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (const entry of settings.noProxy) {
    if (entry === '*') return null;
    const [name, entryPort] = noProxyEntry(entry);
    if (entryPort && entryPort !== port) continue;
    const bare = name.replace(/^\*?\./, '');
    if (host === bare || host.endsWith(`.${bare}`)) return null;
  }
  return proxy;
}

/** A NO_PROXY entry as host and optional port: `host`, `host:port`, `[v6]:port`, or a bare IPv6 address. */
function noProxyEntry(entry: string): [string, string | undefined] {
  if (entry.startsWith('[')) {
    const close = entry.indexOf(']');
    return [entry.slice(1, close), entry.slice(close + 1).replace(/^:/, '') || undefined];
  }
  const colons = entry.split(':').length - 1;
  if (colons !== 1) return [entry, undefined];
  const [name, port] = entry.split(':') as [string, string];
  return [name, port];
}

/** `Proxy-Authorization` for a proxy address with a user name, else nothing. */
export function proxyAuthorization(proxy: URL): Record<string, string> {
  if (!proxy.username) return {};
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'proxy-authorization': `Basic ${Buffer.from(credentials).toString('base64')}` };
}

/** Names the proxy in messages without its password. */
export function proxyLabel(proxy: URL): string {
  return `the proxy at ${proxy.protocol}//${proxy.host}`;
}

/** The CONNECT target, host:port (an IPv6 hostname already comes in brackets from URL). */
export function tunnelAuthority(url: URL): string {
  return `${url.hostname}:${url.port || 443}`;
}

/**
 * A socket to `url`'s host and port through the proxy (HTTP CONNECT), for
 * TLS to run over. Rejects with the proxy's answer when it refuses.
 */
export function openTunnel(proxy: URL, url: URL, options: { timeoutMs: number; signal?: AbortSignal }): Promise<Socket> {
  const authority = tunnelAuthority(url);
  return new Promise<Socket>((resolve, reject) => {
    const request = http.request({
      host: proxy.hostname,
      port: proxy.port || 80,
      method: 'CONNECT',
      path: authority,
      headers: { host: authority, ...proxyAuthorization(proxy) },
      signal: options.signal,
    });
    request.setTimeout(options.timeoutMs, () =>
      request.destroy(Object.assign(new Error(`no answer for ${options.timeoutMs} ms`), { code: 'ETIMEDOUT' })),
    );
    request.on('connect', (response, socket) => {
      request.setTimeout(0);
      if (response.statusCode !== 200) {
        socket.destroy();
        reject(
          new ModelPackError(
            'offline',
            `${proxyLabel(proxy)} refused the tunnel to ${authority} (HTTP ${response.statusCode}${response.statusMessage ? ` ${response.statusMessage}` : ''})`,
          ),
        );
        return;
      }
      resolve(socket);
    });
    request.on('error', reject);
    request.end();
  });
}
