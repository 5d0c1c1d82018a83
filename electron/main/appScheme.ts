// What the Electron window may load and who may call in, as pure functions:
// the renderer is served from app://promptlabel (a standard, secure custom
// scheme), never from file://, so 'self' in its CSP means the built renderer
// and nothing else on disk. Kept free of Electron's API so the unit tests can
// hold every rule to account without an Electron binary.
import { resolve } from 'node:path';

import { APP_HOST, APP_ORIGIN, APP_SCHEME } from '../../common/contract/bridge.js';
import { AppError } from '../../common/contract/result.js';
import { readStaticFile } from '../../server/staticFiles.js';

/** The page the window loads. */
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

const isAppOrigin = (url: URL) => url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST && url.username === '' && url.password === '';

/** The app's own page (any query or fragment): where the window may navigate, and the only frame that may call in. */
export function isAppUrl(url: string): boolean {
  const parsed = parse(url);
  return parsed !== null && isAppOrigin(parsed) && (parsed.pathname === '/index.html' || parsed.pathname === '/');
}

/** The IPC sender check: the top-level frame showing the app's own page, never a subframe or a page that navigated elsewhere. */
export function isTrustedSender(frame: { url: string; parent: unknown } | null | undefined): boolean {
  return frame !== null && frame !== undefined && frame.parent === null && isAppUrl(frame.url);
}

/**
 * The session's request filter: the app's own origin (renderer files and
 * images), devtools, and in-memory data/blob URLs. Everything else is
 * cancelled: file: (the user's disk), http(s)/ws (the network and other local
 * servers), and any other scheme.
 */
export function isAllowedRequest(url: string): boolean {
  const parsed = parse(url);
  if (!parsed) return false;
  if (parsed.protocol === `${APP_SCHEME}:`) return isAppOrigin(parsed);
  return parsed.protocol === 'devtools:' || parsed.protocol === 'data:' || parsed.protocol === 'blob:';
}

export interface AppSchemeSources {
  /** dist/renderer: the only folder the scheme reads files from. */
  rendererRoot: string;
  /** The same image bytes browser mode serves at /image/N. */
  imageBytes: (imageId: number, kind: 'full' | 'thumb') => Promise<{ body: Buffer; contentType: string }>;
  /** Content-Security-Policy sent with every HTML document (on top of the page's meta tag). */
  contentSecurityPolicy: string;
}

const IMAGE_PATH = /^\/image\/(\d{1,15})$/;

function reply(status: number, body: BodyInit | null, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: { 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store', ...headers },
  });
}

/**
 * Answers one app:// request: /image/N from the open project, any other path
 * from the renderer folder only (readStaticFile refuses paths that leave it).
 * Never throws: a bad request is a 4xx answer.
 */
export async function appSchemeResponse(request: { url: string; method: string }, sources: AppSchemeSources): Promise<Response> {
  const url = parse(request.url);
  if (!url || !isAppOrigin(url)) return reply(404, 'Not found');
  if (request.method !== 'GET' && request.method !== 'HEAD') return reply(405, 'Method not allowed');
  const head = request.method === 'HEAD';

  const image = IMAGE_PATH.exec(url.pathname);
  if (image) {
    try {
      const { body, contentType } = await sources.imageBytes(Number(image[1]), url.searchParams.get('kind') === 'thumb' ? 'thumb' : 'full');
      return reply(200, head ? null : new Uint8Array(body), { 'Content-Type': contentType });
    } catch (error) {
      if (error instanceof AppError) return reply(error.code === 'not_found' ? 404 : 400, error.message);
      return reply(500, 'The image could not be read.');
    }
  }

  let file: Awaited<ReturnType<typeof readStaticFile>>;
  try {
    file = await readStaticFile(resolve(sources.rendererRoot), url.pathname === '' ? '/' : url.pathname);
  } catch {
    file = null; // a malformed %-escape in the path
  }
  if (!file) return reply(404, 'Not found');
  const headers: Record<string, string> = { 'Content-Type': file.contentType };
  if (file.contentType.startsWith('text/html')) headers['Content-Security-Policy'] = sources.contentSecurityPolicy;
  return reply(200, head ? null : new Uint8Array(file.body), headers);
}
