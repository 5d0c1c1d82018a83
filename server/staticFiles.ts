// Serves the built renderer (dist/renderer) without letting a path escape it.
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

export async function readStaticFile(root: string, urlPath: string): Promise<{ body: Buffer; contentType: string } | null> {
  const relative = urlPath === '/' ? 'index.html' : decodeURIComponent(urlPath).replace(/^\/+/, '');
  const absolute = normalize(join(root, relative));
  if (absolute !== root && !absolute.startsWith(root + sep)) return null;
  try {
    const body = await readFile(absolute);
    return { body, contentType: CONTENT_TYPES[extname(absolute).toLowerCase()] ?? 'application/octet-stream' };
  } catch {
    return null;
  }
}
