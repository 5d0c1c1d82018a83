// Downloading one model file from a URL the user gave, resumably: the bytes
// stream into `<downloads>/<key>.part` (key = a hash of the URL) with a
// sidecar recording the server's validator (ETag, else Last-Modified) and
// the full size. A dropped connection is retried in the same call, and a
// later call for the same URL picks up where the last one stopped, with
// `Range: bytes=N-` and `If-Range: <validator>`: a 206 whose Content-Range
// starts at N is appended, anything else (a 200 because the file changed or
// the server ignores ranges) restarts from zero, cleanly. Progress reports
// one stable total (the whole file's size, also when resuming), the rate
// over the last seconds and the time left. The sha256 covers the whole file
// (the part already on disk is hashed first); a given sha256 that does not
// match deletes the download. Proxies and certificates as for the model
// packs (proxy.ts), through the same HTTP client (registryClient.ts).
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { basename, join } from 'node:path';

import { z } from 'zod';

import { ModelPackError } from './errors.js';
import { openGet, readBody, type RequestOptions, type Target } from './registryClient.js';

export interface UrlDownloadProgress {
  url: string;
  /** Bytes of the file on disk so far (including a resumed part). */
  done: number;
  /** The whole file's size; null when the server does not say. */
  total: number | null;
  /** Over the last few seconds; null until measured. */
  bytesPerSecond: number | null;
  etaSeconds: number | null;
  /** Bytes that were already on disk when this download (re)started. */
  resumedFrom: number;
}

export interface UrlDownloadOptions extends RequestOptions {
  /** Where partial and finished downloads are kept (a hidden folder of the user's model folder). */
  downloadsDir: string;
  /** 64 hex digits: the file must hash to this, else it is deleted and the download refused. */
  expectedSha256?: string | null;
  /** Reconnections after a dropped connection within this call (default 3). */
  retries?: number;
  maxBytes?: number;
  onProgress?: (progress: UrlDownloadProgress) => void;
}

export interface UrlDownloadResult {
  url: string;
  /** The finished file, named after the URL's last path segment, in its own folder under downloadsDir. */
  path: string;
  bytes: number;
  sha256: string;
  /** Whether part of it came from an earlier, interrupted download. */
  resumed: boolean;
}

const sidecarSchema = z.object({ url: z.string(), validator: z.string().nullable(), total: z.number().int().nonnegative().nullable() });
type Sidecar = z.infer<typeof sidecarSchema>;

const MAX_BYTES = 8 * 1024 * 1024 * 1024;
const RATE_WINDOW_MS = 5000;

/** A URL as http(s), or a clear refusal. */
export function parseDownloadUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ModelPackError('not-found', `"${raw}" is not a URL (expected https://…/model.onnx)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ModelPackError('not-found', `"${raw}" is not an http(s) URL`);
  return url;
}

/** The file name a URL's last path segment gives ("model.onnx" when it gives none). */
export function fileNameOf(url: URL): string {
  const last = decodeURIComponent(url.pathname.split('/').filter(Boolean).pop() ?? '');
  const safe = last.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '');
  return safe || 'model.onnx';
}

function keyOf(url: string): string {
  return createHash('sha256').update(url).digest('hex').slice(0, 24);
}

async function readSidecar(path: string): Promise<Sidecar | null> {
  try {
    const parsed = sidecarSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** `bytes 100-999/1000` → its first byte and the total (null when "*"). */
function contentRange(header: string | undefined): { start: number; total: number | null } | null {
  const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header?.trim() ?? '');
  if (!match) return null;
  return { start: Number(match[1]), total: match[3] === '*' ? null : Number(match[3]) };
}

function validatorOf(response: IncomingMessage): string | null {
  const etag = response.headers.etag;
  // A weak ETag cannot be used with If-Range (RFC 9110 13.1.5).
  if (typeof etag === 'string' && etag && !etag.startsWith('W/')) return etag;
  const modified = response.headers['last-modified'];
  return typeof modified === 'string' && modified ? modified : null;
}

/** Rate over a sliding window of (time, bytes) samples. */
function rateMeter(): (done: number) => { bytesPerSecond: number | null } {
  const samples: [number, number][] = [];
  return (done) => {
    const now = Date.now();
    samples.push([now, done]);
    while (samples.length > 2 && now - samples[0]![0] > RATE_WINDOW_MS) samples.shift();
    const [t0, b0] = samples[0]!;
    const seconds = (now - t0) / 1000;
    return { bytesPerSecond: seconds >= 0.2 ? (done - b0) / seconds : null };
  };
}

async function hashOf(path: string, bytes: number): Promise<ReturnType<typeof createHash>> {
  const hash = createHash('sha256');
  if (bytes > 0)
    for await (const chunk of createReadStream(path, { start: 0, end: bytes - 1 }) as AsyncIterable<Buffer>) hash.update(chunk);
  return hash;
}

/**
 * Downloads `rawUrl` (resuming an earlier partial download of the same URL)
 * and checks its sha256. Refuses with a ModelPackError; a partial download is
 * kept for the next try unless the bytes are known to be wrong.
 */
export async function downloadUrl(rawUrl: string, options: UrlDownloadOptions): Promise<UrlDownloadResult> {
  const url = parseDownloadUrl(rawUrl);
  const expected = options.expectedSha256?.toLowerCase() ?? null;
  if (expected !== null && !/^[0-9a-f]{64}$/.test(expected))
    throw new ModelPackError('integrity', `"${options.expectedSha256}" is not a sha256 (64 hex digits)`);
  await mkdir(options.downloadsDir, { recursive: true });
  const key = keyOf(url.href);
  const partPath = join(options.downloadsDir, `${key}.part`);
  const sidecarPath = join(options.downloadsDir, `${key}.json`);
  const target: Target = { url, label: url.host };
  const what = `Downloading ${fileNameOf(url)}`;
  const retries = options.retries ?? 3;
  const maxBytes = options.maxBytes ?? MAX_BYTES;
  let resumedAny = false;

  for (let attempt = 0; ; attempt++) {
    try {
      const { resumed, bytes } = await attemptDownload();
      resumedAny ||= resumed;
      const hash = await hashOf(partPath, bytes);
      const sha256 = hash.digest('hex');
      if (expected !== null && sha256 !== expected) {
        await rm(partPath, { force: true });
        await rm(sidecarPath, { force: true });
        throw new ModelPackError(
          'integrity',
          `${fileNameOf(url)} from ${url.host} (${bytes} bytes) has sha256 ${sha256}, not the expected ${expected}; it was deleted and nothing was installed`,
        );
      }
      const folder = join(options.downloadsDir, key);
      await rm(folder, { recursive: true, force: true });
      await mkdir(folder);
      const path = join(folder, fileNameOf(url));
      await rename(partPath, path);
      await rm(sidecarPath, { force: true });
      return { url: url.href, path, bytes, sha256, resumed: resumedAny };
    } catch (error) {
      const retriable = error instanceof ModelPackError && (error.failure === 'interrupted' || error.failure === 'timeout');
      if (!retriable || attempt >= retries || options.signal?.aborted) throw error;
    }
  }

  /** One request: resumes from the part on disk when the sidecar allows; returns the complete size. */
  async function attemptDownload(): Promise<{ resumed: boolean; bytes: number }> {
    const sidecar = await readSidecar(sidecarPath);
    const have = existsSync(partPath) ? (await stat(partPath)).size : 0;
    const canResume = have > 0 && sidecar !== null && sidecar.url === url.href && sidecar.validator !== null;
    const headers: Record<string, string> = canResume ? { range: `bytes=${have}-`, 'if-range': sidecar.validator! } : {};
    const { response } = await openGet(target, headers, what, options, (status) => status === 416);
    const status = response.statusCode ?? 0;
    if (status === 416) {
      response.resume();
      // The part is already whole (the server has nothing after it), or the range is wrong: check or start over.
      if (canResume && sidecar.total === have) return { resumed: true, bytes: have };
      await rm(partPath, { force: true });
      await rm(sidecarPath, { force: true });
      throw new ModelPackError('interrupted', `${url.host} refused to resume ${fileNameOf(url)}; starting again`);
    }
    let start = 0;
    let total: number | null;
    const declared = Number(response.headers['content-length']);
    if (status === 206) {
      const range = contentRange(response.headers['content-range']);
      if (!canResume || !range || range.start !== have) {
        response.destroy();
        await rm(partPath, { force: true });
        await rm(sidecarPath, { force: true });
        throw new ModelPackError('interrupted', `${url.host} answered a different range than asked for ${fileNameOf(url)}; starting again`);
      }
      start = have;
      total = range.total ?? sidecar.total;
    } else {
      total = Number.isFinite(declared) && declared >= 0 ? declared : null;
    }
    if (total !== null && total > maxBytes) {
      response.destroy();
      throw new ModelPackError('http', `${url.href} is ${total} bytes, more than the ${maxBytes} allowed; refusing`);
    }
    const validator = validatorOf(response) ?? (start > 0 ? sidecar!.validator : null);
    await writeFile(sidecarPath, JSON.stringify({ url: url.href, validator, total } satisfies Sidecar));
    const file = await open(partPath, start > 0 ? 'a' : 'w');
    let done = start;
    const meter = rateMeter();
    const report = (): void => {
      const { bytesPerSecond } = meter(done - start);
      const eta = bytesPerSecond && total !== null ? Math.max(0, (total - done) / bytesPerSecond) : null;
      options.onProgress?.({ url: url.href, done, total, bytesPerSecond, etaSeconds: eta, resumedFrom: start });
    };
    try {
      report();
      await readBody(response, target, what, options, async (chunk) => {
        done += chunk.length;
        if (done > maxBytes) throw new ModelPackError('http', `${url.href} sent more than the ${maxBytes} bytes allowed; refusing`);
        await file.write(chunk);
        report();
      });
    } finally {
      await file.close();
    }
    if (total !== null && done !== total)
      throw new ModelPackError('interrupted', `The download of ${fileNameOf(url)} ended at ${done} of ${total} bytes`);
    return { resumed: start > 0, bytes: done };
  }
}

/** Removes what an abandoned download of `url` left (part, sidecar, finished copy). */
export async function forgetDownload(downloadsDir: string, url: string): Promise<void> {
  const key = keyOf(parseDownloadUrl(url).href);
  await Promise.all([`${key}.part`, `${key}.json`, key].map((name) => rm(join(downloadsDir, name), { recursive: true, force: true })));
}

export function describeDownload(result: UrlDownloadResult): string {
  return `${basename(result.path)}: ${result.bytes} bytes, sha256 ${result.sha256}${result.resumed ? ' (resumed)' : ''}`;
}
