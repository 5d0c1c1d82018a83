// Minimal PNG writer for what sharp cannot write exactly: 8-bit indexed images
// with a given palette (VOC's SegmentationClass / SegmentationObject) and
// 8-bit grayscale with raw 0/1 values (labelme's mask shapes). Reading goes
// through sharp.
import { deflateSync, inflateSync } from 'node:zlib';

import sharp from 'sharp';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** `pixels`: row-major width×height bytes; `palette`: [r, g, b] per index (indexed PNG), or absent (grayscale). */
export function encodePng(
  pixels: Uint8Array,
  width: number,
  height: number,
  palette?: readonly (readonly [number, number, number])[],
): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = palette ? 3 : 0; // colour type: indexed or grayscale
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width + 1)] = 0; // filter: none
    raw.set(pixels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  }
  const chunks = [chunk('IHDR', header)];
  if (palette) chunks.push(chunk('PLTE', Buffer.from(palette.flat())));
  // Level 3: masks compress nearly as well as at the default level, in about half the time.
  chunks.push(chunk('IDAT', deflateSync(raw, { level: 3 })), chunk('IEND', Buffer.alloc(0)));
  return Buffer.concat([SIGNATURE, ...chunks]);
}

/**
 * One sample per pixel of a non-interlaced grayscale (1/2/4/8-bit) or indexed
 * (8-bit) PNG, the kinds labelme writes for mask shapes, decoded here because
 * a sharp call per mask costs more than the whole decode; null for any other
 * PNG (the caller falls back to sharp). Throws on a corrupt file.
 */
export function decodeSimplePng(bytes: Buffer): { samples: Uint8Array; width: number; height: number } | null {
  if (bytes.length < 33 || !bytes.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG file');
  let offset = 8;
  let width = 0;
  let height = 0;
  let depth = 0;
  const idat: Buffer[] = [];
  while (offset + 8 <= bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('ascii', offset + 4, offset + 8);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      depth = data[8]!;
      const colour = data[9]!;
      const interlace = data[12]!;
      if (interlace !== 0 || !((colour === 0 && [1, 2, 4, 8].includes(depth)) || (colour === 3 && depth === 8))) return null;
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
    offset += 12 + length;
  }
  if (width === 0 || height === 0) throw new Error('PNG without a header');
  const raw = inflateSync(Buffer.concat(idat));
  const stride = Math.ceil((width * depth) / 8);
  if (raw.length < (stride + 1) * height) throw new Error('PNG data is truncated');
  const rows = new Uint8Array(stride * height);
  // Unfiltering; one byte per pixel (or less) in every format accepted above, so the left neighbour is 1 byte back.
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const from = y * (stride + 1) + 1;
    const to = y * stride;
    const up = to - stride; // the previous row (y > 0)
    if (filter === 0 || (filter === 2 && y === 0)) {
      rows.set(raw.subarray(from, from + stride), to);
    } else if (filter === 1) {
      let left = 0;
      for (let i = 0; i < stride; i++) left = rows[to + i] = (raw[from + i]! + left) & 0xff;
    } else if (filter === 2) {
      for (let i = 0; i < stride; i++) rows[to + i] = (raw[from + i]! + rows[up + i]!) & 0xff;
    } else if (filter === 3) {
      for (let i = 0; i < stride; i++) {
        const a = i > 0 ? rows[to + i - 1]! : 0;
        const b = y > 0 ? rows[up + i]! : 0;
        rows[to + i] = (raw[from + i]! + ((a + b) >> 1)) & 0xff;
      }
    } else if (filter === 4) {
      for (let i = 0; i < stride; i++) {
        const a = i > 0 ? rows[to + i - 1]! : 0;
        const b = y > 0 ? rows[up + i]! : 0;
        const c = i > 0 && y > 0 ? rows[up + i - 1]! : 0;
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        rows[to + i] = (raw[from + i]! + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 0xff;
      }
    } else {
      throw new Error(`unknown PNG filter ${filter}`);
    }
  }
  if (depth === 8) return { samples: rows, width, height };
  const samples = new Uint8Array(width * height);
  const perByte = 8 / depth;
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const byte = rows[y * stride + Math.floor(x / perByte)]!;
      samples[y * width + x] = (byte >> (8 - depth * ((x % perByte) + 1))) & mask;
    }
  }
  return { samples, width, height };
}

/** Decodes a PNG (or any image sharp reads) to its raw channels. */
export async function decodeImage(bytes: Buffer): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}
