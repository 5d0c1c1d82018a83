// Browser mode: the main-process handlers served on loopback. HTTP carries the
// renderer and image bytes; a WebSocket carries the same request/response
// protocol that Electron IPC carries. Every request needs the session token
// (query parameter once, then an HttpOnly cookie), and the Host/Origin headers
// must name this server, which stops DNS-rebinding pages from reaching it.
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { AppError, type WireMessage, type WireRequest } from '../../common/contract/index.js';
import type { Dispatch } from '../host/dispatch.js';
import type { EventHub } from '../host/events.js';
import { contentSecurityPolicy } from './csp.js';
import { readStaticFile } from './staticFiles.js';

export interface BrowserHostOptions {
  host?: string;
  port: number;
  token: string;
  rendererDir: string;
  dispatch: Dispatch;
  events: EventHub;
  imageBytes: (imageId: number, kind: 'full' | 'thumb') => Promise<{ body: Buffer; contentType: string }>;
}

export interface BrowserHost {
  url: string;
  port: number;
  close(): Promise<void>;
}

const COOKIE = 'promptlabel_token';
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(request: IncomingMessage): string | undefined {
  const header = request.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === COOKIE) return value.join('=');
  }
  return undefined;
}

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const hostName = options.host ?? '127.0.0.1';
  let port = options.port;
  const allowedHosts = () => new Set([`${hostName}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`]);

  const authorised = (request: IncomingMessage, url: URL): boolean => {
    if (!allowedHosts().has(request.headers.host ?? '')) return false;
    const origin = request.headers.origin;
    if (origin && !allowedHosts().has(origin.replace(/^https?:\/\//, ''))) return false;
    return tokenMatches(options.token, url.searchParams.get('token')) || tokenMatches(options.token, cookieToken(request));
  };

  const send = (response: ServerResponse, status: number, body: Buffer | string, headers: Record<string, string> = {}) => {
    response.writeHead(status, {
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
      ...headers,
    });
    response.end(body);
  };

  const handleHttp = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', `http://${hostName}:${port}`);
    if (!authorised(request, url)) return send(response, 403, 'Forbidden: open the URL that promptlabel printed (it carries the session token).');
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'Method not allowed');

    const image = /^\/image\/(\d+)$/.exec(url.pathname);
    if (image) {
      const kind = url.searchParams.get('kind') === 'thumb' ? 'thumb' : 'full';
      try {
        const { body, contentType } = await options.imageBytes(Number(image[1]), kind);
        return send(response, 200, body, { 'Content-Type': contentType, 'Cache-Control': 'private, max-age=60' });
      } catch (error) {
        const status = error instanceof AppError && error.code === 'not_found' ? 404 : error instanceof AppError ? 400 : 500;
        return send(response, status, error instanceof Error ? error.message : 'error');
      }
    }

    const file = await readStaticFile(options.rendererDir, url.pathname);
    if (!file) return send(response, 404, 'Not found');
    const headers: Record<string, string> = { 'Content-Type': file.contentType };
    if (file.contentType.startsWith('text/html')) {
      headers['Content-Security-Policy'] = contentSecurityPolicy(`'self' ws://${hostName}:${port} ws://localhost:${port}`);
      headers['Set-Cookie'] = `${COOKIE}=${options.token}; HttpOnly; SameSite=Strict; Path=/`;
    }
    return send(response, 200, file.body, headers);
  };

  const server = createServer((request, response) => {
    handleHttp(request, response).catch((error: unknown) => send(response, 500, String(error)));
  });
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', `http://${hostName}:${port}`);
    if (url.pathname !== '/ws' || !authorised(request, url)) {
      socket.write('HTTP/1.1 403 Forbidden\r\n\r\n');
      socket.destroy();
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => serveSocket(ws));
  });

  const serveSocket = (ws: WebSocket) => {
    const forward = options.events.subscribe((event, payload) => {
      const message: WireMessage = { kind: 'event', event, payload };
      ws.send(JSON.stringify(message));
    });
    ws.on('close', forward);
    ws.on('message', (data) => {
      let request: WireRequest;
      try {
        request = JSON.parse(data.toString()) as WireRequest;
        if (typeof request !== 'object' || request === null || !Number.isInteger(request.seq)) throw new Error('no seq');
      } catch {
        ws.close(1003, 'Malformed message: expected {seq, channel, payload} JSON');
        return;
      }
      void options.dispatch(request.channel, request.payload).then((result) => {
        const message: WireMessage = { kind: 'response', seq: request.seq, result };
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
      });
    });
  };

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, hostName, () => resolveListen());
  });
  port = (server.address() as AddressInfo).port;

  return {
    port,
    url: `http://${hostName}:${port}/?token=${options.token}`,
    close: () =>
      new Promise<void>((resolveClose) => {
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}
