// A file server and a forwarding proxy on 127.0.0.1 for the URL-download
// tests: Range requests with If-Range (ETag), and the ways real servers
// differ or fail: no Range support, a connection dropped mid-body, a file
// that changes between two tries, slow bodies (so a rate can be measured),
// redirects. It records every request so a test can see what was asked.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, request as httpRequest, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ServedFile {
  bytes: Buffer;
  /** Strong ETag; null for none (then also no Last-Modified: nothing to resume against). */
  etag: string | null;
  /** Ignore Range headers and always answer 200 with the whole file. */
  noRange?: boolean;
  /** Drop the connection after this many body bytes, on the next `dropTimes` responses. */
  dropAfter?: number;
  dropTimes?: number;
  /** Bytes per 10 ms tick; 0 sends at once. */
  bytesPerTick?: number;
}

export interface SeenRequest {
  path: string;
  range: string | null;
  ifRange: string | null;
  status: number;
  /** Body bytes written before the response ended or was dropped. */
  sent: number;
}

export const sha256Of = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

export class FileServer {
  readonly files = new Map<string, ServedFile>();
  readonly seen: SeenRequest[] = [];
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  url = '';

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.answer(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url!, 'http://x').pathname;
    const range = typeof req.headers.range === 'string' ? req.headers.range : null;
    const ifRange = typeof req.headers['if-range'] === 'string' ? req.headers['if-range'] : null;
    const record: SeenRequest = { path, range, ifRange, status: 0, sent: 0 };
    this.seen.push(record);
    if (path.startsWith('/redirect/')) {
      record.status = 302;
      res.writeHead(302, { location: path.slice('/redirect'.length) }).end();
      return;
    }
    const file = this.files.get(path);
    if (!file) {
      record.status = 404;
      res.writeHead(404).end('not found');
      return;
    }
    const size = file.bytes.length;
    let start = 0;
    const match = range && !file.noRange ? /^bytes=(\d+)-$/.exec(range) : null;
    if (match && (ifRange === null || ifRange === file.etag)) {
      start = Number(match[1]);
      if (start >= size) {
        record.status = 416;
        res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
        return;
      }
    }
    const headers: Record<string, string> = { 'content-length': String(size - start), 'content-type': 'application/octet-stream' };
    if (file.etag) headers.etag = file.etag;
    if (!file.noRange) headers['accept-ranges'] = 'bytes';
    if (start > 0) headers['content-range'] = `bytes ${start}-${size - 1}/${size}`;
    record.status = start > 0 ? 206 : 200;
    res.writeHead(record.status, headers);
    const body = file.bytes.subarray(start);
    const drop = (file.dropTimes ?? 0) > 0 ? file.dropAfter : undefined;
    if (drop !== undefined) file.dropTimes! -= 1;
    const tick = file.bytesPerTick ?? 0;
    let at = 0;
    while (at < body.length) {
      const step = tick > 0 ? tick : body.length;
      const end = Math.min(body.length, at + step, drop !== undefined ? drop : body.length);
      if (end > at) {
        const ok = res.write(body.subarray(at, end));
        record.sent += end - at;
        at = end;
        if (!ok) await new Promise((resolve) => res.once('drain', resolve));
      }
      if (drop !== undefined && at >= drop) {
        // The bytes written so far still arrive (the socket is flushed, then closed): a body cut short.
        res.socket?.end();
        return;
      }
      if (tick > 0) await new Promise((resolve) => setTimeout(resolve, 10));
      if (res.destroyed) return;
    }
    res.end();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** A forwarding HTTP proxy for plain-http URLs (absolute-URL requests), recording what it forwarded. */
export class ForwardProxy {
  readonly seen: string[] = [];
  private server: Server | null = null;
  url = '';

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.seen.push(`${req.method} ${req.url}`);
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
          answer.on('error', () => res.destroy());
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
