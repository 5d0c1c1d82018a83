// ONNX ModelProto bytes written by hand for the reader's tests: a minimal
// protobuf writer and the few messages the reader looks at, so a test can
// state exactly which fields, in which order, with which lengths.

export function varint(value: number | bigint): Buffer {
  let v = BigInt(value);
  if (v < 0n) v += 1n << 64n;
  const bytes: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    bytes.push(byte);
  } while (v > 0n);
  return Buffer.from(bytes);
}

export const tag = (field: number, wire: number): Buffer => varint(field * 8 + wire);
export const intField = (field: number, value: number | bigint): Buffer => Buffer.concat([tag(field, 0), varint(value)]);
export const bytesField = (field: number, value: Buffer | string): Buffer => {
  const data = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([tag(field, 2), varint(data.length), data]);
};
export const message = (field: number, ...parts: Buffer[]): Buffer => bytesField(field, Buffer.concat(parts));

export type Dim = number | string | null;

/** TensorShapeProto.Dimension: a value, a name, or neither. */
function dimension(d: Dim): Buffer {
  if (d === null) return message(1);
  return typeof d === 'number' ? message(1, intField(1, d)) : message(1, bytesField(2, d));
}

/** ValueInfoProto as field `field` of GraphProto (11 input, 12 output); elem 1 float, 6 int32, 7 int64. */
export function valueInfo(field: number, name: string, elem: number, shape: readonly Dim[] | null): Buffer {
  const tensorType = Buffer.concat([intField(1, elem), ...(shape ? [message(2, ...shape.map(dimension))] : [])]);
  return message(field, bytesField(1, name), message(2, message(1, tensorType)));
}

/** TensorProto as a graph initializer (field 5), optionally with its data in an external file. */
export function initializer(name: string, external?: string): Buffer {
  const parts = [intField(1, 4), intField(2, 1), bytesField(8, name)];
  if (external) parts.push(message(13, bytesField(1, 'location'), bytesField(2, external)), intField(14, 1));
  else parts.push(bytesField(9, Buffer.alloc(16)));
  return message(5, ...parts);
}

export const metadataEntry = (key: string, value: string): Buffer => message(14, bytesField(1, key), bytesField(2, value));

export interface ModelParts {
  irVersion?: number | null;
  producer?: string;
  opset?: number;
  /** GraphProto fields, in order (valueInfo, initializer, nodes…). */
  graph?: Buffer[] | null;
  metadata?: [string, string][];
  /** Fields before everything else (e.g. unknown ones the reader must skip). */
  prefix?: Buffer[];
}

export function modelBytes(parts: ModelParts): Buffer {
  const out: Buffer[] = [...(parts.prefix ?? [])];
  if (parts.irVersion !== null) out.push(intField(1, parts.irVersion ?? 8));
  out.push(bytesField(2, parts.producer ?? 'hand-built'));
  if (parts.graph !== null) out.push(message(7, bytesField(2, 'g'), ...(parts.graph ?? [])));
  out.push(message(8, bytesField(1, ''), intField(2, parts.opset ?? 17)));
  for (const [key, value] of parts.metadata ?? []) out.push(metadataEntry(key, value));
  return Buffer.concat(out);
}
