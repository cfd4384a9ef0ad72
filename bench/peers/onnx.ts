// A minimal ONNX (protobuf) writer: just enough of onnx.proto to build the benchmark's
// RNN / LSTM / GRU graphs in JS, with wasm-rnn's weights as initializers. No dependency and
// no binary files in the repository: the graphs are rebuilt, byte for byte, on every run.
// Field numbers: https://github.com/onnx/onnx/blob/main/onnx/onnx.proto
//   ModelProto     ir_version=1 opset_import=8 producer_name=2 graph=7
//   OperatorSetId  domain=1 version=2
//   GraphProto     node=1 name=2 initializer=5 input=11 output=12
//   NodeProto      input=1 output=2 name=3 op_type=4 attribute=5
//   AttributeProto name=1 f=2 i=3 s=4 ints=8 type=20 (FLOAT=1 INT=2 STRING=3 INTS=7)
//   TensorProto    dims=1 data_type=2 (FLOAT=1 INT64=7) name=8 raw_data=9
//   ValueInfoProto name=1 type=2;  TypeProto tensor_type=1;  TypeProto.Tensor elem_type=1 shape=2
//   TensorShapeProto dim=1;  Dimension dim_value=1 dim_param=2

type Bytes = Uint8Array;
const enc = new TextEncoder();

function varint(v: number | bigint): number[] {
  let x = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x) b |= 0x80;
    out.push(b);
  } while (x);
  return out;
}

function concat(parts: (Bytes | number[])[]): Bytes {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

const key = (field: number, wire: number) => varint((field << 3) | wire);
/** Varint field (int32/int64/enum). */
const fInt = (field: number, v: number): Bytes => concat([key(field, 0), varint(v)]);
/** Length-delimited field (string, bytes, sub-message). */
const fLen = (field: number, b: Bytes | string): Bytes => {
  const bytes = typeof b === 'string' ? enc.encode(b) : b;
  return concat([key(field, 2), varint(bytes.length), bytes]);
};
const fFloat = (field: number, v: number): Bytes => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, v, true);
  return concat([key(field, 5), b]);
};

export type Attr = number | string | number[] | { float: number };

export interface OnnxNode { op: string; inputs: string[]; outputs: string[]; attrs?: Record<string, Attr> }
export interface OnnxTensor { name: string; dims: number[]; f32?: Float32Array; i64?: number[] }
export interface OnnxValue { name: string; dims: (number | string)[] }
export interface OnnxGraph {
  nodes: OnnxNode[]; initializers: OnnxTensor[]; inputs: OnnxValue[]; outputs: OnnxValue[]; opset?: number;
}

function attribute(name: string, v: Attr): Bytes {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`attribute ${name}: use { float } for non-integers`);
    return concat([fLen(1, name), fInt(20, 2), fInt(3, v)]);
  }
  if (typeof v === 'string') return concat([fLen(1, name), fInt(20, 3), fLen(4, v)]);
  if (Array.isArray(v)) return concat([fLen(1, name), fInt(20, 7), ...v.map((x) => fInt(8, x))]);
  return concat([fLen(1, name), fInt(20, 1), fFloat(2, v.float)]);
}

function node(n: OnnxNode, i: number): Bytes {
  return concat([
    ...n.inputs.map((s) => fLen(1, s)), ...n.outputs.map((s) => fLen(2, s)),
    fLen(3, `${n.op}_${i}`), fLen(4, n.op),
    ...Object.entries(n.attrs ?? {}).map(([k, v]) => fLen(5, attribute(k, v))),
  ]);
}

function tensorProto(t: OnnxTensor): Bytes {
  let raw: Bytes, type: number;
  if (t.f32) {
    raw = new Uint8Array(t.f32.buffer.slice(t.f32.byteOffset, t.f32.byteOffset + t.f32.byteLength));
    type = 1;
  } else {
    const b = new BigInt64Array(t.i64!.map((x) => BigInt(x)));
    raw = new Uint8Array(b.buffer);
    type = 7;
  }
  const n = t.dims.reduce((a, b) => a * b, 1);
  if (raw.length !== n * (type === 1 ? 4 : 8)) throw new Error(`initializer ${t.name}: ${raw.length} bytes for dims [${t.dims}]`);
  return concat([...t.dims.map((d) => fInt(1, d)), fInt(2, type), fLen(8, t.name), fLen(9, raw)]);
}

function valueInfo(v: OnnxValue): Bytes {
  const dims = v.dims.map((d) => fLen(1, typeof d === 'number' ? fInt(1, d) : fLen(2, d)));
  const tensorType = concat([fInt(1, 1), fLen(2, concat(dims))]);
  return concat([fLen(1, v.name), fLen(2, fLen(1, tensorType))]);
}

/** Serialises a float32 graph to ONNX model bytes (ir_version 8, default-domain opset 17). */
export function onnxModel(g: OnnxGraph): Uint8Array {
  const graph = concat([
    ...g.nodes.map((n, i) => fLen(1, node(n, i))),
    fLen(2, 'wasm_rnn_bench'),
    ...g.initializers.map((t) => fLen(5, tensorProto(t))),
    ...g.inputs.map((v) => fLen(11, valueInfo(v))),
    ...g.outputs.map((v) => fLen(12, valueInfo(v))),
  ]);
  return concat([
    fInt(1, 8), fLen(2, 'wasm-rnn bench/onnx.ts'),
    fLen(7, graph),
    fLen(8, concat([fLen(1, ''), fInt(2, g.opset ?? 17)])),
  ]);
}
