// Protocol Buffers wire format, read field by field from a file without
// loading it: an ONNX model is a protobuf message that can be hundreds of MB
// (the weights are inside), but recognising it needs only a few small fields
// (graph inputs and outputs, custom metadata). The reader walks tags and
// lengths, descends into the messages asked for and skips the rest by
// offset, so a 2 GB encoder costs a few thousand small reads. Every length
// is checked against the bytes that remain, so a truncated or garbage file
// fails with the byte offset instead of being read past its end.
import { type FileHandle, open } from 'node:fs/promises';

/** Why bytes are not the protobuf message they should be; `offset` is where it went wrong. */
export class WireFormatError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
    this.name = 'WireFormatError';
  }
}

/** Random access to bytes: a file read through a small window, or a buffer in memory (tests). */
export interface ByteSource {
  readonly size: number;
  /** Exactly `length` bytes from `offset` (the caller has checked the range). */
  read(offset: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

export function bufferSource(bytes: Uint8Array): ByteSource {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    size: buffer.length,
    read: async (offset, length) => buffer.subarray(offset, offset + length),
    close: async () => undefined,
  };
}

const WINDOW_BYTES = 64 * 1024;

/** A file read in 64 KiB windows: tags and small messages come from the window, skipped payloads are never read. */
export async function fileSource(path: string): Promise<ByteSource> {
  const handle: FileHandle = await open(path, 'r');
  const size = (await handle.stat()).size;
  let windowStart = 0;
  let window: Buffer = Buffer.alloc(0);
  const fill = async (offset: number, length: number): Promise<Buffer> => {
    const buffer = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(buffer, done, length - done, offset + done);
      if (bytesRead === 0) throw new WireFormatError('the file ended while being read (did it change?)', offset + done);
      done += bytesRead;
    }
    return buffer;
  };
  return {
    size,
    read: async (offset, length) => {
      if (offset >= windowStart && offset + length <= windowStart + window.length)
        return window.subarray(offset - windowStart, offset - windowStart + length);
      if (length > WINDOW_BYTES) return fill(offset, length);
      windowStart = offset;
      window = await fill(offset, Math.min(WINDOW_BYTES, size - offset));
      return window.subarray(0, length);
    },
    close: () => handle.close(),
  };
}

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH = 2;
export const WIRE_FIXED32 = 5;

/** One field of a message: its number, wire type, and where its value lies. */
export interface WireField {
  field: number;
  wireType: number;
  /** For varints: the value as unsigned (exact up to 2^53, which covers every length and count read here). */
  varint: number;
  /** For varints: the value as a signed int64 (dimensions, versions). */
  signed: number;
  /** For length-delimited fields: the payload's first byte and its length. */
  start: number;
  length: number;
}

/** Reads a varint at `offset`; returns its value (as unsigned and as signed int64) and the offset after it. */
async function readVarint(source: ByteSource, offset: number, end: number): Promise<[number, number, number]> {
  const available = Math.min(10, end - offset);
  if (available <= 0) throw new WireFormatError('a number is cut off by the end of its message', offset);
  const bytes = await source.read(offset, available);
  let value = 0n;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    value |= BigInt(byte & 0x7f) << BigInt(7 * i);
    if ((byte & 0x80) === 0) {
      const unsigned = BigInt.asUintN(64, value);
      return [Number(unsigned), Number(BigInt.asIntN(64, unsigned)), offset + i + 1];
    }
  }
  throw new WireFormatError(available < 10 ? 'a number is cut off by the end of its message' : 'a number is longer than 10 bytes', offset);
}

/**
 * The fields of the message in [start, end), in order. Stops with a
 * WireFormatError on anything that is not well-formed protobuf: an unknown
 * wire type, field number 0, a length past the end of the message.
 */
export async function* fields(source: ByteSource, start: number, end: number): AsyncGenerator<WireField> {
  let offset = start;
  while (offset < end) {
    const at = offset;
    const [tag, , afterTag] = await readVarint(source, offset, end);
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (field === 0) throw new WireFormatError('field number 0 is not valid protobuf', at);
    switch (wireType) {
      case WIRE_VARINT: {
        const [value, signed, next] = await readVarint(source, afterTag, end);
        yield { field, wireType, varint: value, signed, start: afterTag, length: next - afterTag };
        offset = next;
        break;
      }
      case WIRE_FIXED64:
      case WIRE_FIXED32: {
        const size = wireType === WIRE_FIXED64 ? 8 : 4;
        if (afterTag + size > end) throw new WireFormatError(`field ${field} is cut off by the end of its message`, at);
        yield { field, wireType, varint: 0, signed: 0, start: afterTag, length: size };
        offset = afterTag + size;
        break;
      }
      case WIRE_LENGTH: {
        const [length, , payload] = await readVarint(source, afterTag, end);
        if (payload + length > end)
          throw new WireFormatError(`field ${field} declares ${length} bytes but only ${end - payload} remain`, at);
        yield { field, wireType, varint: 0, signed: 0, start: payload, length };
        offset = payload + length;
        break;
      }
      default:
        throw new WireFormatError(`wire type ${wireType} (field ${field}) is not one protobuf messages use here`, at);
    }
  }
}

/** A length-delimited field's bytes as UTF-8, refused above `maxBytes`. */
export async function readString(source: ByteSource, f: WireField, what: string, maxBytes: number): Promise<string> {
  expectWireType(f, WIRE_LENGTH, what);
  if (f.length > maxBytes) throw new WireFormatError(`${what} is ${f.length} bytes, more than the ${maxBytes} allowed`, f.start);
  return (await source.read(f.start, f.length)).toString('utf8');
}

export function expectWireType(f: WireField, wireType: number, what: string): void {
  if (f.wireType !== wireType)
    throw new WireFormatError(`${what} (field ${f.field}) has wire type ${f.wireType}, expected ${wireType}`, f.start);
}
