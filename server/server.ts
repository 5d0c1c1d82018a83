// Browser mode: the main-process handlers served on loopback. HTTP carries the
// renderer and image bytes; a WebSocket carries the same request/response
// protocol that Electron IPC carries. The page, its images and the socket need
// the session token in the URL; no cookie carries it, because cookies ignore
// ports and would hand it to every other local server this browser visits.
// The renderer's own scripts and styles are public code and need only the
// Host/Origin check, which stops DNS-rebinding pages from reaching the host.
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { type WebSocket, WebSocketServer } from 'ws';

import { AppError, fail, type Result, type WireMessage } from '../common/contract/index.js';
import type { Dispatch } from '../core/host/dispatch.js';
import type { EventHub } from '../core/host/events.js';
import { contentSecurityPolicy } from './csp.js';
import { readStaticFile } from './staticFiles.js';
import { MAX_FRAME_BYTES, readWireFrame } from './wireFrame.js';

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

function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The page itself: it must be opened with the token, so a stray visitor gets the explanation. */
const isPage = (pathname: string) => pathname === '/' || pathname === '/index.html';

/** One line a user can act on, instead of a stack trace. */
function listenError(error: NodeJS.ErrnoException, hostName: string, port: number): Error {
  if (error.code === 'EADDRINUSE')
    return new AppError(
      'conflict',
      `Port ${port} on ${hostName} is already in use: choose another with --port, or omit it for a free one.`,
    );
  if (error.code === 'EACCES')
    return new AppError(
      'unsupported',
      `Not allowed to listen on port ${port}: ports below 1024 need privileges; choose another with --port.`,
    );
  if (error.code === 'EADDRNOTAVAIL')
    return new AppError('unsupported', `Cannot listen on ${hostName}: that address is not on this machine.`);
  return error;
}

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const hostName = options.host ?? '127.0.0.1';
  let port = options.port;
  const allowedHosts = () => new Set([`${hostName}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`]);

  const sameHost = (request: IncomingMessage): boolean => {
    if (!allowedHosts().has(request.headers.host ?? '')) return false;
    const origin = request.headers.origin;
    return !origin || allowedHosts().has(origin.replace(/^https?:\/\//, ''));
  };
  const authorised = (request: IncomingMessage, url: URL): boolean =>
    sameHost(request) && tokenMatches(options.token, url.searchParams.get('token'));

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
    const image = /^\/image\/(\d+)$/.exec(url.pathname);
    const needsToken = image !== null || isPage(url.pathname);
    if (!sameHost(request) || (needsToken && !authorised(request, url))) {
      return send(response, 403, 'Forbidden: open the URL that promptlabel printed (it carries the session token).');
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'Method not allowed');

    if (image) {
      const kind = url.searchParams.get('kind') === 'thumb' ? 'thumb' : 'full';
      try {
        const { body, contentType } = await options.imageBytes(Number(image[1]), kind);
        return send(response, 200, body, { 'Content-Type': contentType, 'Cache-Control': 'private, max-age=60' });
      } catch (error) {
        const status = error instanceof AppError && error.code === 'not_found' ? 404 : error instanceof AppError ? 400 : 500;
        return send(response, status, error instanceof AppError ? error.message : 'The image could not be read.');
      }
    }

    const file = await readStaticFile(options.rendererDir, url.pathname);
    if (!file) return send(response, 404, 'Not found');
    const headers: Record<string, string> = { 'Content-Type': file.contentType };
    if (file.contentType.startsWith('text/html')) {
      headers['Content-Security-Policy'] = contentSecurityPolicy(`'self' ws://${hostName}:${port} ws://localhost:${port}`);
    }
    return send(response, 200, file.body, headers);
  };

  const server = createServer((request, response) => {
    handleHttp(request, response).catch((error: unknown) => {
      console.error('promptlabel: HTTP request failed:', error);
      if (!response.headersSent) send(response, 500, 'Internal error');
      else response.destroy();
    });
  });
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });

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
    // A socket error (e.g. a frame over MAX_FRAME_BYTES) closes that socket only.
    ws.on('error', () => ws.terminate());
    const reply = (seq: number, result: Result<unknown>) => {
      const message: WireMessage = { kind: 'response', seq, result };
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    ws.on('message', (data, isBinary) => {
      const check = isBinary ? null : readWireFrame(data.toString());
      if (!check || !check.ok) {
        const message = check?.message ?? 'Malformed message: expected a text frame';
        // Without a seq there is nothing to answer: the peer does not speak the protocol.
        if (check?.seq == null) ws.close(1003, message);
        else reply(check.seq, fail('bad_request', message));
        return;
      }
      const { seq, channel, payload } = check.frame;
      options.dispatch(channel, payload).then(
        (result) => reply(seq, result),
        (error: unknown) => {
          console.error(`promptlabel: ${channel} failed outside its handler:`, error);
          reply(seq, fail('internal', `Unexpected error in ${channel}.`));
        },
      );
    });
  };

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, hostName, options.port)));
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
