// What an ONNX file says about itself, read from its protobuf in the main
// process without onnxruntime (which only the inference worker loads, and
// which does not expose the custom metadata anyway): the graph's inputs and
// outputs (name, element type, shape), the custom metadata map
// (`metadata_props`, where Ultralytics writes the class names), the opsets,
// the producer, and the external-data files its initializers point to. The
// weights are skipped by offset, never read. Sizes are bounded and every
// field is checked, so an empty, truncated or non-ONNX file is refused with
// a message saying so.
//
// Field numbers from onnx/onnx.proto (ModelProto, GraphProto, ValueInfoProto,
// TypeProto, TensorShapeProto, TensorProto, StringStringEntryProto).
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';

import {
  bufferSource,
  type ByteSource,
  expectWireType,
  fields,
  fileSource,
  readString,
  WIRE_LENGTH,
  WIRE_VARINT,
  type WireField,
  WireFormatError,
} from './protobufWire.js';

/** A dimension: a number, a symbolic name (`"batch"`), or null when the graph gives neither. */
export type OnnxDim = number | string | null;

export interface OnnxTensor {
  name: string;
  /** onnxruntime's names for the element type ("float32", "int64", …); "sequence", "map" or "unknown" for non-tensors. */
  type: string;
  /** null when the graph declares no shape (any rank). */
  shape: OnnxDim[] | null;
}

export interface OnnxGraphInfo {
  irVersion: number;
  producer: string;
  /** Opset version by domain ("" is the default ONNX domain). */
  opsets: Record<string, number>;
  /** Graph inputs that are real inputs (initializers listed as inputs by old exporters are left out). */
  inputs: OnnxTensor[];
  outputs: OnnxTensor[];
  /** The custom metadata map (`metadata_props`), e.g. Ultralytics' `names`, `imgsz`, `task`. */
  metadata: Record<string, string>;
  /** Files the initializers' external data live in, relative to the model file. */
  externalData: string[];
}

/** Why a file cannot be read as an ONNX model. */
export class OnnxFormatError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'OnnxFormatError';
  }
}

const LIMITS = {
  /** Names of tensors, dims, producers. */
  name: 4096,
  /** One metadata value (1000 class names in a Python dict is ~30 kB). */
  metadataValue: 1024 * 1024,
  metadataEntries: 1024,
  tensors: 4096,
  dims: 64,
  externalFiles: 256,
};

/** ONNX TensorProto.DataType → onnxruntime-node's type names. */
const ELEMENT_TYPES: Record<number, string> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
};

/** Field numbers of the messages read here. */
const MODEL = { irVersion: 1, producerName: 2, graph: 7, opsetImport: 8, metadataProps: 14 } as const;
const GRAPH = { initializer: 5, input: 11, output: 12, sparseInitializer: 15 } as const;

async function stringEntry(source: ByteSource, f: WireField, what: string, maxValue: number): Promise<[string, string]> {
  expectWireType(f, WIRE_LENGTH, what);
  let key = '';
  let value = '';
  for await (const e of fields(source, f.start, f.start + f.length)) {
    if (e.field === 1) key = await readString(source, e, `${what} key`, LIMITS.name);
    else if (e.field === 2) value = await readString(source, e, `${what} "${key}"`, maxValue);
  }
  return [key, value];
}

async function readShape(source: ByteSource, f: WireField): Promise<OnnxDim[]> {
  const dims: OnnxDim[] = [];
  for await (const d of fields(source, f.start, f.start + f.length)) {
    if (d.field !== 1) continue;
    expectWireType(d, WIRE_LENGTH, 'a shape dimension');
    if (dims.length >= LIMITS.dims) throw new WireFormatError(`a shape has more than ${LIMITS.dims} dimensions`, d.start);
    let dim: OnnxDim = null;
    for await (const v of fields(source, d.start, d.start + d.length)) {
      if (v.field === 1 && v.wireType === WIRE_VARINT) dim = v.signed >= 0 ? v.signed : null;
      else if (v.field === 2) dim = (await readString(source, v, 'a dimension name', LIMITS.name)) || null;
    }
    dims.push(dim);
  }
  return dims;
}

async function readValueInfo(source: ByteSource, f: WireField): Promise<OnnxTensor> {
  expectWireType(f, WIRE_LENGTH, 'a graph input or output');
  const tensor: OnnxTensor = { name: '', type: 'unknown', shape: null };
  for await (const v of fields(source, f.start, f.start + f.length)) {
    if (v.field === 1) tensor.name = await readString(source, v, 'a tensor name', LIMITS.name);
    else if (v.field === 2) {
      expectWireType(v, WIRE_LENGTH, 'a tensor type');
      for await (const t of fields(source, v.start, v.start + v.length)) {
        if (t.field === 4) tensor.type = 'sequence';
        else if (t.field === 5) tensor.type = 'map';
        else if (t.field === 1) {
          expectWireType(t, WIRE_LENGTH, 'a tensor type');
          for await (const tt of fields(source, t.start, t.start + t.length)) {
            if (tt.field === 1 && tt.wireType === WIRE_VARINT) tensor.type = ELEMENT_TYPES[tt.varint] ?? `element type ${tt.varint}`;
            else if (tt.field === 2) {
              expectWireType(tt, WIRE_LENGTH, 'a tensor shape');
              tensor.shape = await readShape(source, tt);
            }
          }
        }
      }
    }
  }
  return tensor;
}

/** An initializer's name, and the external file its data lives in (if any). */
async function readInitializer(source: ByteSource, f: WireField): Promise<{ name: string; location: string | null }> {
  expectWireType(f, WIRE_LENGTH, 'an initializer');
  let name = '';
  let location: string | null = null;
  for await (const t of fields(source, f.start, f.start + f.length)) {
    if (t.field === 8) name = await readString(source, t, 'an initializer name', LIMITS.name);
    else if (t.field === 13) {
      const [key, value] = await stringEntry(source, t, 'external data', LIMITS.name);
      if (key === 'location') location = value;
    }
  }
  return { name, location };
}

async function readGraph(source: ByteSource, graph: WireField, info: OnnxGraphInfo): Promise<void> {
  const inputs: OnnxTensor[] = [];
  const initializers = new Set<string>();
  const external = new Set<string>();
  const count = (list: unknown[], at: number): void => {
    if (list.length >= LIMITS.tensors) throw new WireFormatError(`the graph lists more than ${LIMITS.tensors} inputs or outputs`, at);
  };
  for await (const f of fields(source, graph.start, graph.start + graph.length)) {
    if (f.field === GRAPH.input) {
      count(inputs, f.start);
      inputs.push(await readValueInfo(source, f));
    } else if (f.field === GRAPH.output) {
      count(info.outputs, f.start);
      info.outputs.push(await readValueInfo(source, f));
    } else if (f.field === GRAPH.initializer) {
      const init = await readInitializer(source, f);
      initializers.add(init.name);
      if (init.location !== null) external.add(init.location);
    } else if (f.field === GRAPH.sparseInitializer) {
      expectWireType(f, WIRE_LENGTH, 'a sparse initializer');
      for await (const s of fields(source, f.start, f.start + f.length)) {
        if (s.field === 1) initializers.add((await readInitializer(source, s)).name);
      }
    }
    if (external.size > LIMITS.externalFiles)
      throw new WireFormatError(`the initializers name more than ${LIMITS.externalFiles} external data files`, f.start);
  }
  // IR < 4 exporters list every initializer as a graph input too; those are weights, not inputs.
  info.inputs = inputs.filter((t) => !initializers.has(t.name));
  info.externalData = [...external].sort();
}

/** Reads an ONNX model's signature and metadata from bytes (tests, small files). */
export async function readOnnxBytes(bytes: Uint8Array, label = 'the model'): Promise<OnnxGraphInfo> {
  return readFrom(bufferSource(bytes), label);
}

/** Reads an ONNX file's signature and metadata, skipping its weights. */
export async function readOnnxFile(path: string): Promise<OnnxGraphInfo> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new OnnxFormatError(`${path} is not a file`, path);
    size = info.size;
  } catch (error) {
    if (error instanceof OnnxFormatError) throw error;
    throw new OnnxFormatError(
      `Cannot read ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
      path,
    );
  }
  if (size === 0)
    throw new OnnxFormatError(`${basename(path)} is empty (0 bytes): not an ONNX model (an interrupted download or copy?)`, path);
  const source = await fileSource(path);
  try {
    return await readFrom(source, path);
  } finally {
    await source.close();
  }
}

async function readFrom(source: ByteSource, path: string): Promise<OnnxGraphInfo> {
  const name = basename(path);
  if (source.size === 0) throw new OnnxFormatError(`${name} is empty (0 bytes): not an ONNX model`, path);
  const info: OnnxGraphInfo = { irVersion: 0, producer: '', opsets: {}, inputs: [], outputs: [], metadata: {}, externalData: [] };
  let graph: WireField | null = null;
  try {
    for await (const f of fields(source, 0, source.size)) {
      if (f.field === MODEL.irVersion) {
        expectWireType(f, WIRE_VARINT, 'ir_version');
        info.irVersion = f.varint;
      } else if (f.field === MODEL.producerName) info.producer = await readString(source, f, 'producer_name', LIMITS.name);
      else if (f.field === MODEL.graph) {
        expectWireType(f, WIRE_LENGTH, 'graph');
        graph = f;
      } else if (f.field === MODEL.opsetImport) {
        expectWireType(f, WIRE_LENGTH, 'opset_import');
        let domain = '';
        let version = 0;
        for await (const o of fields(source, f.start, f.start + f.length)) {
          if (o.field === 1) domain = await readString(source, o, 'an opset domain', LIMITS.name);
          else if (o.field === 2 && o.wireType === WIRE_VARINT) version = o.signed;
        }
        info.opsets[domain] = version;
      } else if (f.field === MODEL.metadataProps) {
        if (Object.keys(info.metadata).length >= LIMITS.metadataEntries)
          throw new WireFormatError(`more than ${LIMITS.metadataEntries} metadata entries`, f.start);
        const [key, value] = await stringEntry(source, f, 'a metadata entry', LIMITS.metadataValue);
        info.metadata[key] = value;
      }
    }
    // ONNX has had IR versions 1..11 so far; a first field that is not a small ir_version is not ONNX.
    if (info.irVersion < 1 || info.irVersion > 100) throw new WireFormatError(`no ONNX ir_version (found ${info.irVersion || 'none'})`, 0);
    if (!graph) throw new WireFormatError('no graph', 0);
    await readGraph(source, graph, info);
  } catch (error) {
    if (error instanceof WireFormatError) {
      throw new OnnxFormatError(`${name} is not a readable ONNX model: ${error.message}; is it truncated, or another kind of file?`, path);
    }
    throw error;
  }
  if (info.outputs.length === 0) throw new OnnxFormatError(`${name} is not a usable ONNX model: its graph declares no outputs`, path);
  for (const t of [...info.inputs, ...info.outputs]) {
    if (!t.name) throw new OnnxFormatError(`${name} is not a usable ONNX model: a graph input or output has no name`, path);
  }
  return info;
}

/** "name float32 [1, 3, 1024, 1024]" for messages. */
export function describeTensor(t: OnnxTensor): string {
  return `${t.name} ${t.type} ${t.shape ? `[${t.shape.map((d) => (d === null ? '?' : d)).join(', ')}]` : '[any shape]'}`;
}
