// wasm-rnn/onnx: an ONNX graph as one wasm-rnn Module, and its RNN, LSTM and GRU nodes as modules.
//
//   import * as wasmRnn from 'wasm-rnn';          // or 'wasm-rnn/slim'
//   import { loadOnnx } from 'wasm-rnn/onnx';
//   await wasmRnn.init();
//   const r = loadOnnx(bytes, wasmRnn);           // r.model: the whole graph (src/onnx-graph.ts);
//                                                 // r.modules[k]: an RNN | LSTM | GRU per node
//
// This entry holds no Wasm state of its own: a separate bundle that imported ./rnn.js would carry
// a second, never-initialised copy of the module state. So the parser is pure JavaScript (a small
// protobuf reader, no dependencies) and the module classes come from the library namespace the
// caller passes in; every number is then moved by that library's Tensor ops (select, narrow, cat)
// and loadStateDict, in Wasm.
//
// ONNX conventions (https://onnx.ai/onnx/operators/onnx__LSTM.html, …__GRU.html, …__RNN.html):
//   X [T, B, I] (layout 0) or [B, T, I] (layout 1)
//   W [D, G·H, I], R [D, G·H, H], B [D, 2·G·H] (Wb then Rb), LSTM P [D, 3·H]
//   gate order LSTM i, o, f, c (PyTorch i, f, g, o); GRU z, r, h (PyTorch r, z, n); RNN one gate
//   direction axis 0 = forward, 1 = reverse (bidirectional) → PyTorch's `_reverse` parameters
//   Y [T, D, B, H] (layout 0) or [B, T, D, H] (layout 1); Y_h, Y_c [D, B, H] or [B, D, H]
// A wasm-rnn module returns output (T, B, D·H) / (B, T, D·H) with batchFirst, and hN (D, B, H).
import type * as Api from './api.js';
import { decodeUtf8 } from './utf8.js';
import { RnnError, show } from './errors.js';
import { LIMITS, byteView, checkFileDims, overLimit } from './limits.js';
import type { GRU, LSTM, RNN } from './rnn.js';
import type { Tensor } from './tensor.js';
import { GRAPH_LIB_KEYS, buildGraphModule, planGraph, type GraphLibrary, type GraphPlan, type OnnxGraphModule, type SrcGraph, type SrcInput } from './onnx-graph.js';

export type { OnnxGraphModule, OnnxGraphInput } from './onnx-graph.js';

/**
 * What loadOnnx needs from the library: pass the namespace, `import * as wasmRnn from 'wasm-rnn'`
 * (or 'wasm-rnn/slim'). The whole-model import (`model`) uses Module, Embedding, Linear and a few
 * Tensor functions besides the recurrent modules.
 */
export type WasmRnnLibrary = Pick<typeof Api, 'RNN' | 'LSTM' | 'GRU' | 'tensor' | 'cat' | 'RnnError'> & GraphLibrary;

/** Options of loadOnnx. */
export interface LoadOnnxOptions {
  /**
   * Build `model`, the whole graph as one Module (default true). With false, only the recurrent
   * nodes are converted (`modules`, `stacks`), and operators outside them are not checked.
   */
  model?: boolean;
}
export type RecurrentModule = RNN | LSTM | GRU;
export type OnnxRecurrentOp = 'RNN' | 'LSTM' | 'GRU';

/** A float tensor from the model (an initializer or a Constant node), values as stored: row-major. */
export interface OnnxTensor { name: string; dims: number[]; data: Float32Array }

/** One ONNX RNN / LSTM / GRU node, its attributes with ONNX's defaults filled in, and its weights. */
export interface OnnxRecurrentNode {
  /** Position in the graph's node list. */
  index: number;
  name: string;
  opType: OnnxRecurrentOp;
  inputs: string[];
  outputs: string[];
  direction: 'forward' | 'reverse' | 'bidirectional';
  numDirections: 1 | 2;
  hiddenSize: number;
  inputSize: number;
  /** As written in the model, or ONNX's defaults (RNN Tanh; LSTM Sigmoid, Tanh, Tanh; GRU Sigmoid, Tanh), per direction. */
  activations: string[];
  activationAlpha: number[];
  activationBeta: number[];
  /** The cell clip threshold, or null when the attribute is absent. */
  clip: number | null;
  /** GRU only (0 otherwise). 1 = PyTorch's GRU; 0 needs the GRU option resetAfter: false. */
  linearBeforeReset: 0 | 1;
  /** LSTM only (0 otherwise): couple the input and forget gates. */
  inputForget: 0 | 1;
  /** 0: X is [T, B, I]; 1: X is [B, T, I] (→ batchFirst). */
  layout: 0 | 1;
  W: OnnxTensor;
  R: OnnxTensor;
  /** null when the node has no bias input (ONNX's default: zeros). */
  B: OnnxTensor | null;
  /** LSTM peepholes, when given as a constant. */
  P: OnnxTensor | null;
  /** Initial states when they are constants in the model; null when absent or computed at run time. */
  initialH: OnnxTensor | null;
  initialC: OnnxTensor | null;
  /** The name of the sequence_lens input, or null. Pass the lengths to forward(x, h0, { lengths }). */
  sequenceLens: string | null;
}

/** The parsed model: no Wasm involved. */
export interface OnnxGraph {
  irVersion: number;
  /** Version of the default ("" / ai.onnx) operator set, 0 if not declared. */
  opsetVersion: number;
  producerName: string;
  producerVersion: string;
  graphName: string;
  /** Graph inputs that are not initializers, and graph outputs. */
  inputs: string[];
  outputs: string[];
  /** Every node's op type, in graph order. */
  opTypes: string[];
  /** The RNN, LSTM and GRU nodes, in graph order. */
  nodes: OnnxRecurrentNode[];
}

/** One node as a module. */
export interface OnnxLayer {
  node: OnnxRecurrentNode;
  module: RecurrentModule;
  /**
   * True for a `direction: 'reverse'` node, which no PyTorch module computes directly: `module`
   * then holds the reverse direction's weights as a forward module, and ONNX's Y equals the
   * module's output on the time-reversed input, reversed back in time (Y_h / Y_c as returned).
   * With sequence_lens, reverse each sequence within its own length.
   */
  reverse: boolean;
  /** The node's constant initial states in PyTorch layout (D, B, H), or null (then zeros, or computed at run time). */
  h0: Tensor | null;
  c0: Tensor | null;
}

/** Nodes that feed each other directly (layer k's Y → layer k+1's X), as one module with numLayers = nodes.length. */
export interface OnnxStack {
  nodes: OnnxRecurrentNode[];
  reverse: boolean;
  /** The stacked module, built (weights copied) on first access; for one node, that node's module. */
  readonly module: RecurrentModule;
}

export interface OnnxModel {
  graph: OnnxGraph;
  /**
   * The whole graph as one runnable Module: `model.forward(input)` takes the graph's first input in
   * the graph's own layout (integer indices for an Embedding-first export, as nested arrays, a typed
   * array and its shape, or a Tensor; a Tensor for a float input) and returns its first output (an
   * array when the graph has several). Its children are the Embedding, Linear and recurrent modules
   * the weights became, named after PyTorch's module paths when the export shows them, so
   * `model.stateDict()` has the PyTorch model's keys. null with `{ model: false }`.
   */
  model: OnnxGraphModule | null;
  /** Every float or integer initializer by name, as a Tensor of the values stored (integers as float32). */
  initializers: Map<string, Tensor>;
  /** One per recurrent node, in graph order. */
  layers: OnnxLayer[];
  /** layers.map(l => l.module) */
  modules: RecurrentModule[];
  /** Maximal chains of directly connected, compatible nodes (best effort, see stackable()). */
  stacks: OnnxStack[];
  /** The single stacked module when all recurrent nodes form one forward chain, else null. Built on first access. */
  readonly stacked: RecurrentModule | null;
}

// ---------------------------------------------------------------------------------------------
// protobuf: just enough of the wire format (varint, fixed32/64, length-delimited) to walk ONNX.

const WIRE = ['varint', '64-bit', 'length-delimited', 'group start', 'group end', '32-bit', 'wire type 6', 'wire type 7'];

/**
 * One field: `value` for a varint; for the others, the payload is file[start, end) (a view made
 * only when asked for: a graph of 100,000 nodes makes no 300,000 views). Positions are absolute.
 */
class Field {
  constructor(readonly file: Uint8Array, readonly num: number, readonly wire: number, readonly value: number, readonly start: number, readonly end: number) {}
  get bytes(): Uint8Array { return this.file.subarray(this.start, this.end); }
  get pos(): number { return this.start; }
}

function err(what: string, expected: string, got: string): never {
  throw new RnnError(`${what}: expected ${expected}, got ${got}`);
}

/** Reads the protobuf message at file[start, end). */
class Reader {
  pos: number;
  constructor(readonly file: Uint8Array, readonly what: string, start: number, readonly end: number) { this.pos = start; }

  /** A varint as a Number: exact to 2^53, int64 two's-complement negatives included. */
  varint(): number {
    let lo = 0, hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) err(this.what, 'a complete varint', `the end of the data at byte ${this.pos} (truncated protobuf)`);
      const b = this.file[this.pos++];
      const v = b & 0x7f;
      if (i < 4) lo |= v << (7 * i);
      else if (i === 4) { lo |= v << 28; hi |= v >>> 4; }
      else hi |= v << (7 * i - 32);
      if (!(b & 0x80)) return (hi | 0) * 4294967296 + (lo >>> 0);
    }
    err(this.what, 'a varint of at most 10 bytes', `a longer one ending at byte ${this.pos}`);
  }

  /** Skips n payload bytes; returns where they start. */
  skip(n: number, need: string): number {
    if (n < 0 || this.pos + n > this.end) {
      err(this.what, need, `${n} bytes from byte ${this.pos}, past the end of the data (${this.end}; truncated protobuf)`);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  /**
   * The fields of the message, in order: those whose number `keep` accepts (the others are
   * skipped, so unknown fields cost no memory), at most LIMITS.protobufFields in all; `seen` gets
   * the first distinct field numbers, for messages.
   */
  fields(keep: (num: number) => boolean, seen: number[]): Field[] {
    const out: Field[] = [];
    let count = 0;
    while (this.pos < this.end) {
      const at = this.pos;
      const tag = this.varint();
      const num = Math.floor(tag / 8), wire = tag & 7;
      if (num < 1 || num > 536870911) err(this.what, 'a protobuf field number in [1, 2^29)', `field ${num} (tag ${tag}) at byte ${at}`);
      if (++count > LIMITS.protobufFields) overLimit(this.what, 'protobuf fields in one message', LIMITS.protobufFields, `more, at byte ${at}`);
      let value = 0, start = 0;
      if (wire === 0) value = this.varint();
      else if (wire === 1) start = this.skip(8, `field ${num}: 8 bytes`);
      else if (wire === 2) start = this.skip(this.varint(), `field ${num}: a length-delimited payload`);
      else if (wire === 5) start = this.skip(4, `field ${num}: 4 bytes`);
      else err(this.what, 'protobuf wire types 0, 1, 2 or 5', `${WIRE[wire]} for field ${num} at byte ${at}`);
      if (seen.length < 16 && !seen.includes(num)) seen.push(num);
      if (keep(num)) out.push(new Field(this.file, num, wire, value, wire === 0 ? this.pos : start, this.pos));
    }
    return out;
  }
}

// Schema entries: field number → 'v' varint, 'f32', 'f64', 'len', or a repeated scalar that may also
// come packed: 'v*', 'f32*', 'f64*'.
type Kind = 'v' | 'f32' | 'f64' | 'len' | 'v*' | 'f32*' | 'f64*';
const KIND_WIRE: Record<Kind, number> = { v: 0, f64: 1, len: 2, f32: 5, 'v*': 0, 'f32*': 5, 'f64*': 1 };

/** A decoded message: its fields by number (those the schema names), checked against the wire types of the ONNX schema. */
class Msg {
  readonly byNum = new Map<number, Field[]>();
  /** The first distinct field numbers found, known or not (for messages). */
  readonly seen: number[] = [];
  constructor(readonly what: string, reader: Reader, schema: Record<number, Kind>) {
    for (const f of reader.fields((num) => schema[num] !== undefined, this.seen)) {
      const k = schema[f.num];
      if (f.wire !== KIND_WIRE[k] && !(f.wire === 2 && k.endsWith('*'))) {
        err(`${what} field ${f.num}`, `wire type ${WIRE[KIND_WIRE[k]]}`, `${WIRE[f.wire]} at byte ${f.pos}`);
      }
      let list = this.byNum.get(f.num);
      if (!list) this.byNum.set(f.num, (list = []));
      list.push(f);
    }
  }
  static parse(f: Field | Uint8Array, what: string, schema: Record<number, Kind>): Msg {
    const r = f instanceof Uint8Array ? new Reader(f, what, 0, f.length) : new Reader(f.file, what, f.start, f.end);
    return new Msg(what, r, schema);
  }
  has(n: number): boolean { return this.byNum.has(n); }
  all(n: number): Field[] { return this.byNum.get(n) ?? []; }
  /** Last value wins, as in protobuf. */
  last(n: number): Field | undefined { const l = this.byNum.get(n); return l?.[l.length - 1]; }
  int(n: number, dflt = 0): number { return this.last(n)?.value ?? dflt; }
  str(n: number): string { const f = this.last(n); return f ? text(f) : ''; }
  strs(n: number): string[] { return this.all(n).map(text); }
  /** A repeated integer (packed or not). */
  ints(n: number): number[] {
    const out: number[] = [];
    for (const f of this.all(n)) {
      if (f.wire === 0) { out.push(f.value); continue; }
      const r = new Reader(f.file, this.what, f.start, f.end);
      while (r.pos < f.end) out.push(r.varint());
    }
    return out;
  }
  /** The bytes of a repeated fixed-size scalar (packed or not), concatenated. */
  fixed(n: number, size: number): Uint8Array {
    const parts = this.all(n).map((f) => f.bytes);
    const b = parts.length === 1 ? parts[0] : concat(parts);
    if (b.length % size) err(`${this.what} field ${n}`, `packed ${size}-byte values (a multiple of ${size} bytes)`, `${b.length} bytes`);
    return b;
  }
  floats(n: number): number[] { return Array.from(f32le(this.fixed(n, 4))); }
}

// names and attribute strings; invalid UTF-8 (never written by exporters) falls back to Latin-1
const utf8 = (b: Uint8Array): string => decodeUtf8(b) ?? Array.from(b, (c) => String.fromCharCode(c)).join('');

/** A string field; short ASCII (most ONNX names) read directly, without a view or a decoder call. */
function text(f: Field): string {
  const { file, start, end } = f;
  if (end - start <= 64) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = file[i];
      if (c >= 0x80) return utf8(f.bytes);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return utf8(f.bytes);
}

/** A fresh, 8-byte-aligned copy (not b.slice(): a Node Buffer's slice is a view). */
function copy(b: Uint8Array): ArrayBuffer {
  const c = new Uint8Array(b.length);
  c.set(b);
  return c.buffer;
}

/** Little-endian float32 values from bytes at any alignment (a copy). */
function f32le(b: Uint8Array): Float32Array {
  return new Float32Array(copy(b), 0, b.length >> 2);
}

/** A float32 value as written in a model, without float64 noise: 0.1, not 0.10000000149011612. */
const fmt = (v: number): string => String(Number.isFinite(v) ? +v.toPrecision(7) : v);

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

// The parts of onnx.proto read here (field numbers from onnx/onnx.proto3).
const MODEL: Record<number, Kind> = { 1: 'v', 2: 'len', 3: 'len', 4: 'len', 5: 'v', 6: 'len', 7: 'len', 8: 'len', 14: 'len', 20: 'len', 25: 'len' };
const OPSET: Record<number, Kind> = { 1: 'len', 2: 'v' };
const GRAPH: Record<number, Kind> = { 1: 'len', 2: 'len', 5: 'len', 10: 'len', 11: 'len', 12: 'len', 13: 'len', 14: 'len', 15: 'len' };
const NODE: Record<number, Kind> = { 1: 'len', 2: 'len', 3: 'len', 4: 'len', 5: 'len', 6: 'len', 7: 'len' };
const ATTR: Record<number, Kind> = { 1: 'len', 2: 'f32', 3: 'v', 4: 'len', 5: 'len', 6: 'len', 7: 'f32*', 8: 'v*', 9: 'len', 10: 'len', 11: 'len', 13: 'len', 20: 'v', 21: 'len' };
const TENSOR: Record<number, Kind> = { 1: 'v*', 2: 'v', 3: 'len', 4: 'f32*', 5: 'v*', 6: 'len', 7: 'v*', 8: 'len', 9: 'len', 10: 'f64*', 11: 'v*', 12: 'len', 13: 'len', 14: 'v' };
const VALUE_INFO: Record<number, Kind> = { 1: 'len', 2: 'len', 3: 'len' };
const TYPE_PROTO: Record<number, Kind> = { 1: 'len' };
const TENSOR_TYPE: Record<number, Kind> = { 1: 'v', 2: 'len' };
const SHAPE_PROTO: Record<number, Kind> = { 1: 'len' };
const DIMENSION: Record<number, Kind> = { 1: 'v', 2: 'len' };
const STRING_ENTRY: Record<number, Kind> = { 1: 'len', 2: 'len' };

const DTYPES = ['UNDEFINED', 'FLOAT', 'UINT8', 'INT8', 'UINT16', 'INT16', 'INT32', 'INT64', 'STRING', 'BOOL', 'FLOAT16',
  'DOUBLE', 'UINT32', 'UINT64', 'COMPLEX64', 'COMPLEX128', 'BFLOAT16'];
const FLOAT = 1, DOUBLE = 11, INT64 = 7, INT32 = 6;

/** A TensorProto, decoded lazily (only the tensors the recurrent nodes use are converted). */
class LazyTensor {
  readonly msg: Msg;
  readonly name: string;
  readonly dims: number[];
  readonly dtype: number;
  constructor(f: Field, what: string) {
    this.msg = Msg.parse(f, what, TENSOR);
    this.name = this.msg.str(8);
    this.dims = this.msg.ints(1);
    this.dtype = this.msg.int(2);
  }
  get count(): number { return this.dims.reduce((a, b) => a * b, 1); }
  /** Decoded once: nodes sharing an initializer share its values. */
  private decoded: Float32Array | null = null;

  private raw(): Uint8Array | null {
    if (this.msg.int(14) === 1) {
      const loc = this.msg.all(13).map((f) => Msg.parse(f, this.msg.what + '.external_data', STRING_ENTRY))
        .find((m) => m.str(1) === 'location')?.str(2) ?? '?';
      err(`tensor ${show(this.name)}`, 'its data inside the .onnx file', `external data in ${show(loc)} (save the model with its weights embedded)`);
    }
    return this.msg.last(9)?.bytes ?? null;
  }

  /** The values as float32 (FLOAT, or DOUBLE narrowed to float32), decoded on first use. */
  floats(): Float32Array {
    if (this.decoded) return this.decoded;
    const what = `tensor ${show(this.name)}`;
    checkFileDims(`${what} dims`, this.dims);
    const n = this.count;
    const raw = this.raw();
    let data: Float32Array;
    if (this.dtype === FLOAT) {
      const b = raw ?? this.msg.fixed(4, 4);
      if (b.length !== 4 * n) err(what, `${n} float32 values for dims ${show(this.dims)} (${4 * n} bytes)`, `${b.length} bytes`);
      data = f32le(b);
    } else if (this.dtype === DOUBLE) {
      const b = raw ?? this.msg.fixed(10, 8);
      if (b.length !== 8 * n) err(what, `${n} float64 values for dims ${show(this.dims)} (${8 * n} bytes)`, `${b.length} bytes`);
      data = new Float32Array(new Float64Array(copy(b), 0, n));
    } else {
      err(what, 'data_type FLOAT (or DOUBLE)', `data_type ${DTYPES[this.dtype] ?? this.dtype}`);
    }
    return (this.decoded = data);
  }

  /** Integer values (INT64 / INT32) of a shape constant, or null for other types. */
  ints(): number[] | null {
    const raw = this.raw();
    if (this.dtype !== INT64 && this.dtype !== INT32) return null;
    if (!raw) return this.msg.ints(this.dtype === INT64 ? 7 : 5);
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength), out: number[] = [];
    const size = this.dtype === INT64 ? 8 : 4;
    for (let i = 0; i + size <= raw.length; i += size) {
      out.push(size === 8 ? dv.getInt32(i + 4, true) * 4294967296 + dv.getUint32(i, true) : dv.getInt32(i, true));
    }
    return out;
  }
}

interface RawNode { index: number; name: string; opType: string; domain: string; inputs: string[]; outputs: string[]; attrs: Map<string, Msg>; what: string }

/** What the first bytes look like when they are plainly not a protobuf ModelProto. */
function sniff(b: Uint8Array): string | null {
  const head = (n: number) => String.fromCharCode(...b.subarray(0, Math.min(n, b.length)));
  if (head(4) === '\0asm') return 'a WebAssembly module';
  if (head(2) === 'PK') return 'a ZIP archive (a PyTorch .pt/.pth file? export it with torch.onnx.export)';
  if (b[0] === 0x80 && b[1] >= 2 && b[1] <= 5) return 'a Python pickle (a PyTorch .pt/.pth file from torch.save? export it with torch.onnx.export)';
  if (head(4) === '\x89HDF') return 'an HDF5 file (a Keras .h5 model? convert it with tensorflowjs_converter and use loadLayersModelFromJSON)';
  if (b.length >= 10 && b[4] === 0 && b[5] === 0 && b[6] === 0 && b[7] === 0 && b[8] === 0x7b && b[9] === 0x22) return 'a safetensors file (use loadSafetensors)';
  if (b[0] === 0x7b || b[0] === 0x5b || b[0] === 0x3c) return `text starting with ${JSON.stringify(head(16))}`;
  return null;
}

/** A plain Uint8Array view (a Node Buffer's subarray/slice differ from Uint8Array's: not passed on). */
function toBytes(bytes: unknown): Uint8Array {
  const b = byteView(bytes, true);
  return b ?? err('bytes', 'the contents of an .onnx file (a Uint8Array or an ArrayBuffer)', show(bytes));
}

const RECURRENT = new Set(['RNN', 'LSTM', 'GRU']);
const GATES: Record<OnnxRecurrentOp, number> = { RNN: 1, LSTM: 4, GRU: 3 };
const DEFAULT_ACTS: Record<OnnxRecurrentOp, string[]> = { RNN: ['Tanh'], LSTM: ['Sigmoid', 'Tanh', 'Tanh'], GRU: ['Sigmoid', 'Tanh'] };
const isDefault = (n: RawNode) => n.domain === '' || n.domain === 'ai.onnx';

/** The parsed graph plus what the stacking check and the whole-model import need. */
interface Parsed {
  graph: OnnxGraph; producers: Map<string, RawNode>; constant: (name: string) => LazyTensor | null; fileBytes: number;
  raw: RawNode[]; inits: Map<string, LazyTensor>; inputInfo: SrcInput[];
}

/** A graph input's element type and dims from its ValueInfoProto (dims null when the shape is not given). */
function inputType(f: Field, what: string): SrcInput {
  const vi = Msg.parse(f, what, VALUE_INFO);
  const type = vi.last(2) ? Msg.parse(vi.last(2)!, `${what}.type`, TYPE_PROTO) : null;
  const tt = type?.last(1) ? Msg.parse(type.last(1)!, `${what}.type.tensor_type`, TENSOR_TYPE) : null;
  const shape = tt?.last(2) ? Msg.parse(tt.last(2)!, `${what}.type.tensor_type.shape`, SHAPE_PROTO) : null;
  const dimFields = shape ? shape.all(1) : [];
  if (dimFields.length > LIMITS.rank) overLimit(`${what} shape`, 'dimensions', LIMITS.rank, dimFields.length);
  const dims = shape ? dimFields.map((d, i) => {
    const m = Msg.parse(d, `${what}.type.tensor_type.shape.dim[${i}]`, DIMENSION);
    return m.has(1) ? m.int(1) : m.has(2) ? m.str(2) : null;
  }) : null;
  return { name: vi.str(1), elemType: tt ? tt.int(1) : 0, dims };
}

function parse(input: unknown): Parsed {
  const buf = toBytes(input);
  const NOT = 'an ONNX model (a protobuf ModelProto)';
  if (buf.length === 0) err('bytes', NOT, '0 bytes');
  const sniffed = sniff(buf);
  if (sniffed) err('bytes', NOT, sniffed);
  let model: Msg;
  try {
    model = Msg.parse(buf, 'ModelProto', MODEL);
  } catch (e) {
    if (e instanceof RnnError) err('bytes', NOT, `${buf.length} bytes that do not parse as one (${e.message})`);
    throw e;
  }
  if (!model.has(1) || !model.has(7)) {
    const nums = model.seen;
    err('bytes', 'an ONNX ModelProto with ir_version (field 1) and a graph (field 7)',
      nums.length ? `a protobuf message with fields ${show(nums)}` : 'no protobuf fields');
  }
  const irVersion = model.int(1);
  let opsetVersion = 0;
  for (const f of model.all(8)) {
    const m = Msg.parse(f, 'ModelProto.opset_import', OPSET);
    if (m.str(1) === '' || m.str(1) === 'ai.onnx') opsetVersion = m.int(2);
  }
  const g = Msg.parse(model.last(7)!, 'ModelProto.graph', GRAPH);

  const inits = new Map<string, LazyTensor>();
  g.all(5).forEach((f, i) => { const t = new LazyTensor(f, `ModelProto.graph.initializer[${i}]`); inits.set(t.name, t); });
  const valueNames = (n: number, what: string) => g.all(n).map((f, i) => Msg.parse(f, `ModelProto.graph.${what}[${i}]`, VALUE_INFO).str(1));
  const inputs = valueNames(11, 'input').filter((n) => !inits.has(n));
  const inputInfo = g.all(11).map((f, i) => inputType(f, `ModelProto.graph.input[${i}]`)).filter((i) => !inits.has(i.name));
  const outputs = valueNames(12, 'output');

  const nodeFields = g.all(1);
  if (nodeFields.length > LIMITS.onnxNodes) overLimit('ONNX graph', 'nodes', LIMITS.onnxNodes, nodeFields.length);
  const raw: RawNode[] = nodeFields.map((f, index) => {
    const what = `ModelProto.graph.node[${index}]`;
    const m = Msg.parse(f, what, NODE);
    const attrs = new Map<string, Msg>();
    m.all(5).forEach((a, i) => { const am = Msg.parse(a, `${what}.attribute[${i}]`, ATTR); attrs.set(am.str(1), am); });
    return { index, name: m.str(3), opType: m.str(4), domain: m.str(7), inputs: m.strs(1), outputs: m.strs(2), attrs, what };
  });
  const producers = new Map<string, RawNode>();
  for (const n of raw) for (const o of n.outputs) if (o) producers.set(o, n);
  const constant = (name: string, depth = 0): LazyTensor | null => {
    const init = inits.get(name);
    if (init) return init;
    const p = producers.get(name);
    if (!p || !isDefault(p) || depth > 16) return null;
    if (p.opType === 'Constant') {
      const t = p.attrs.get('value')?.last(5);
      return t ? new LazyTensor(t, `${p.what}.attribute value`) : null;
    }
    if (p.opType === 'Identity') return constant(p.inputs[0], depth + 1);
    return null;
  };

  const recurrent = raw.filter((n) => RECURRENT.has(n.opType) && isDefault(n));
  if (recurrent.length > LIMITS.onnxRecurrentNodes) overLimit('ONNX graph', 'RNN, LSTM and GRU nodes', LIMITS.onnxRecurrentNodes, recurrent.length);
  const nodes = recurrent.map((n) => describe(n, constant, producers));
  return {
    graph: {
      irVersion, opsetVersion, producerName: model.str(2), producerVersion: model.str(3), graphName: g.str(2),
      inputs, outputs, opTypes: raw.map((n) => n.opType), nodes,
    },
    producers, constant, fileBytes: buf.length, raw, inits, inputInfo,
  };
}

function attrInt(n: RawNode, key: string): number | null {
  const a = n.attrs.get(key);
  return a && a.has(3) ? a.int(3) : null;
}

function describe(n: RawNode, constant: (name: string) => LazyTensor | null, producers: Map<string, RawNode>): OnnxRecurrentNode {
  const op = n.opType as OnnxRecurrentOp;
  const where = `${op} node ${show(n.name || `#${n.index}`)}`;
  const G = GATES[op];
  const dirA = n.attrs.get('direction');
  const direction = dirA ? dirA.str(4) : 'forward';
  if (direction !== 'forward' && direction !== 'reverse' && direction !== 'bidirectional') {
    err(`${where}: direction`, `"forward", "reverse" or "bidirectional"`, show(direction));
  }
  const D = direction === 'bidirectional' ? 2 : 1;
  /** Input i as a constant float tensor; null when absent; RnnError when computed at run time. */
  const input = (i: number, label: string): OnnxTensor | null => {
    const name = n.inputs[i] ?? '';
    if (!name) return null;
    const t = constant(name);
    if (!t) {
      const p = producers.get(name);
      err(`${where}: input ${label} (${show(name)})`, 'a constant (an initializer or a Constant node)',
        p ? `the output of a ${p.opType} node, computed at run time (export with constant folding)` : 'a graph input, fed at run time');
    }
    return { name, dims: t.dims.slice(), data: t.floats() };
  };
  /** Like input(), but a run-time tensor gives null (initial states). */
  const constOrNull = (i: number): OnnxTensor | null => {
    const name = n.inputs[i] ?? '';
    const t = name ? constant(name) : null;
    return t ? { name, dims: t.dims.slice(), data: t.floats() } : null;
  };
  const W = input(1, 'W'), R = input(2, 'R');
  if (!W || !R) err(`${where}: inputs`, 'X, W and R', show(n.inputs));
  const layout = attrInt(n, 'layout') ?? 0;
  if (layout !== 0 && layout !== 1) err(`${where}: layout`, '0 or 1', show(layout));
  if (W.dims.length !== 3 || W.dims[0] !== D) err(`${where}: W ${show(W.name)}`, `shape [${D}, ${G}·hidden_size, input_size] (num_directions ${D})`, `shape ${show(W.dims)}`);
  const hsAttr = attrInt(n, 'hidden_size');
  const H = hsAttr ?? R.dims[2];
  if (!Number.isInteger(H) || H < 1) err(`${where}: hidden_size`, 'a positive integer', show(hsAttr ?? R.dims));
  const I = W.dims[2];
  if (I < 1) err(`${where}: W ${show(W.name)}`, 'input_size (its last dimension) >= 1', `shape ${show(W.dims)}`);
  const want = (t: OnnxTensor, label: string, dims: number[]) => {
    if (t.dims.length !== dims.length || t.dims.some((d, k) => d !== dims[k])) {
      err(`${where}: ${label} ${show(t.name)}`, `shape ${show(dims)} (num_directions ${D}, hidden_size ${H}, ${G} gate${G > 1 ? 's' : ''})`, `shape ${show(t.dims)}`);
    }
  };
  want(W, 'W', [D, G * H, I]);
  want(R, 'R', [D, G * H, H]);
  const B = input(3, 'B');
  if (B) want(B, 'B', [D, 2 * G * H]);
  const state = (i: number, label: string): OnnxTensor | null => {
    const t = constOrNull(i);
    if (t) want(t, label, t.dims.length === 3 ? (layout === 0 ? [D, t.dims[1], H] : [t.dims[0], D, H]) : [D, -1, H]);
    return t;
  };
  const initialH = state(5, 'initial_h');
  const initialC = op === 'LSTM' ? state(6, 'initial_c') : null;
  const P = op === 'LSTM' ? input(7, 'P') : null;
  if (P) want(P, 'P', [D, 3 * H]);
  const actsA = n.attrs.get('activations');
  const activations = actsA ? actsA.strs(9) : Array.from({ length: D }, () => DEFAULT_ACTS[op]).flat();
  const clipA = n.attrs.get('clip');
  const lbr = op === 'GRU' ? attrInt(n, 'linear_before_reset') ?? 0 : 0;
  if (lbr !== 0 && lbr !== 1) err(`${where}: linear_before_reset`, '0 or 1', show(lbr));
  const inputForget = op === 'LSTM' ? attrInt(n, 'input_forget') ?? 0 : 0;
  if (inputForget !== 0 && inputForget !== 1) err(`${where}: input_forget`, '0 or 1', show(inputForget));
  return {
    index: n.index, name: n.name, opType: op, inputs: n.inputs.slice(), outputs: n.outputs.slice(),
    direction, numDirections: D as 1 | 2, hiddenSize: H, inputSize: I, activations,
    activationAlpha: n.attrs.get('activation_alpha')?.floats(7) ?? [],
    activationBeta: n.attrs.get('activation_beta')?.floats(7) ?? [],
    clip: clipA ? (clipA.has(2) ? f32le(clipA.last(2)!.bytes)[0] : NaN) : null,
    linearBeforeReset: lbr as 0 | 1, inputForget: inputForget as 0 | 1, layout: layout as 0 | 1,
    W, R, B, P, initialH, initialC, sequenceLens: n.inputs[4] || null,
  };
}

// ---------------------------------------------------------------------------------------------
// nodes → modules

/** Rejects what wasm-rnn's modules do not compute (thrown before any Wasm memory is touched). */
function checkSupported(node: OnnxRecurrentNode): void {
  const where = `${node.opType} node ${show(node.name || `#${node.index}`)}`;
  if (node.clip !== null) err(`${where}: clip`, 'no cell clipping (wasm-rnn has no clip)', `clip = ${fmt(node.clip)}`);
  if (node.inputForget) err(`${where}: input_forget`, '0 (coupled input-forget gates are not supported)', '1');
  if (node.activationAlpha.length || node.activationBeta.length) {
    const ab = [...node.activationAlpha, ...node.activationBeta];
    err(`${where}: activation_alpha / activation_beta`, 'none (only parameter-free activations are supported)',
      `[${ab.slice(0, 8).map(fmt).join(', ')}${ab.length > 8 ? `, … (${ab.length} values)` : ''}] for activations ${show(node.activations)}`);
  }
  const acts = node.activations.map((a) => a.toLowerCase());
  const per = DEFAULT_ACTS[node.opType].length, D = node.numDirections;
  if (acts.length !== per * D && acts.length !== per) {
    err(`${where}: activations`, `${per * D} names (${per} per direction)`, show(node.activations));
  }
  const full = acts.length === per ? Array.from({ length: D }, () => acts).flat() : acts;
  if (node.opType === 'RNN') {
    if (!full.every((a) => a === full[0]) || (full[0] !== 'tanh' && full[0] !== 'relu')) {
      err(`${where}: activations`, `Tanh or Relu, the same for every direction`, show(node.activations));
    }
  } else {
    const want = DEFAULT_ACTS[node.opType].map((a) => a.toLowerCase());
    if (!full.every((a, i) => a === want[i % per])) {
      err(`${where}: activations`, `${show(Array.from({ length: D }, () => DEFAULT_ACTS[node.opType]).flat())} (the only ${node.opType} cell wasm-rnn computes)`, show(node.activations));
    }
  }
  if (node.P) {
    const p = node.P.data;
    for (let i = 0; i < p.length; i++) {       // validation only: peepholes must be all zero
      if (p[i] !== 0) err(`${where}: P (peepholes) ${show(node.P.name)}`, 'absent or all zeros (wasm-rnn has no peephole LSTM)', `P[${i}] = ${fmt(p[i])}`);
    }
  }
}

function checkLib(lib: unknown): WasmRnnLibrary {
  const l = lib as WasmRnnLibrary | null;
  if (!l || typeof l !== 'object' && typeof l !== 'function' || typeof l.LSTM !== 'function' || typeof l.tensor !== 'function' || typeof l.cat !== 'function') {
    err('lib', "the wasm-rnn namespace (import * as wasmRnn from 'wasm-rnn' or 'wasm-rnn/slim')", show(lib));
  }
  return l;
}

/** Runs fn; an RnnError from this bundle becomes the library's RnnError (same message), so `instanceof` works. */
function asLibError<T>(lib: WasmRnnLibrary | undefined, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (lib && e instanceof RnnError && lib.RnnError !== RnnError && typeof lib.RnnError === 'function') throw new lib.RnnError(e.message);
    throw e;
  }
}

// PyTorch gate order as indices into ONNX's gate blocks
const ORDER: Record<OnnxRecurrentOp, number[]> = { RNN: [0], LSTM: [0, 2, 3, 1], GRU: [1, 0, 2] };

/**
 * The node's weights as a PyTorch state_dict for layer `layer` (names weight_ih_l{layer}[_reverse],
 * …), gates reordered by Tensor ops in Wasm. ONNX's direction 0 of a 'reverse' node becomes `_l{layer}`.
 */
export function onnxStateDict(node: OnnxRecurrentNode, lib: WasmRnnLibrary, layer = 0): Record<string, Tensor> {
  lib = checkLib(lib);
  return asLibError(lib, () => {
    const H = node.hiddenSize, G = GATES[node.opType], order = ORDER[node.opType];
    const sd: Record<string, Tensor> = {};
    const temps: Tensor[] = [];
    const reorder = (t: Tensor): Tensor => {
      if (G === 1) return t;
      const r = lib.cat(order.map((g) => { const s = t.narrow(0, g * H, H); temps.push(s); return s; }), 0);
      temps.push(t);
      return r;
    };
    const w = lib.tensor(node.W.data, node.W.dims), r = lib.tensor(node.R.data, node.R.dims);
    const b = node.B ? lib.tensor(node.B.data, node.B.dims) : null;
    temps.push(w, r);
    if (b) temps.push(b);
    for (let d = 0; d < node.numDirections; d++) {
      const sfx = `_l${layer}${d ? '_reverse' : ''}`;
      sd['weight_ih' + sfx] = reorder(w.select(0, d));
      sd['weight_hh' + sfx] = reorder(r.select(0, d));
      if (b) {
        const bd = b.select(0, d);
        temps.push(bd);
        sd['bias_ih' + sfx] = reorder(bd.narrow(0, 0, G * H));
        sd['bias_hh' + sfx] = reorder(bd.narrow(0, G * H, G * H));
      }
    }
    const keep = new Set(Object.values(sd));
    for (const t of temps) if (!keep.has(t)) t.dispose();
    return sd;
  });
}

function construct(lib: WasmRnnLibrary, node: OnnxRecurrentNode, numLayers: number): RecurrentModule {
  const o = { numLayers, bias: node.B !== null, batchFirst: node.layout === 1, bidirectional: node.numDirections === 2 };
  const H = node.hiddenSize, I = node.inputSize;
  if (node.opType === 'RNN') {
    const relu = node.activations[0].toLowerCase() === 'relu';
    return new lib.RNN(I, H, { ...o, nonlinearity: relu ? 'relu' : 'tanh' });
  }
  if (node.opType === 'LSTM') return new lib.LSTM(I, H, o);
  // linear_before_reset = 1 is PyTorch's GRU; 0 applies the reset gate before the recurrent product
  return new lib.GRU(I, H, { ...o, resetAfter: node.linearBeforeReset === 1 });
}

/** Loads the state dicts into a fresh module and frees the temporaries. */
function fill(m: RecurrentModule, sds: Record<string, Tensor>[]): RecurrentModule {
  const sd = Object.assign({}, ...sds) as Record<string, Tensor>;
  try {
    m.loadStateDict(sd);
  } catch (e) {
    m.dispose();
    throw e;
  } finally {
    for (const t of Object.values(sd)) t.dispose();
  }
  return m.eval();
}

/** One node as a ready module (eval mode). For direction 'reverse' see OnnxLayer.reverse. */
export function onnxToModule(node: OnnxRecurrentNode, lib: WasmRnnLibrary): RecurrentModule {
  lib = checkLib(lib);
  return asLibError(lib, () => {
    checkSupported(node);
    return fill(construct(lib, node, 1), [onnxStateDict(node, lib, 0)]);
  });
}

/** Constant initial states as PyTorch (D, B, H) tensors. */
function initialState(t: OnnxTensor | null, layout: 0 | 1, lib: WasmRnnLibrary): Tensor | null {
  if (!t) return null;
  const x = lib.tensor(t.data, t.dims);
  if (layout === 0) return x;
  const y = x.transpose(0, 1);
  x.dispose();
  return y;
}

// Ops that only move data between layer k's Y and layer k+1's X in a stacked export.
const PASS = new Set(['Identity', 'Dropout', 'Squeeze', 'Unsqueeze', 'Reshape', 'Transpose']);

/**
 * Whether b's X is a's Y, reshaped the way a stacked PyTorch export does it (Squeeze, or
 * Transpose [0, 2, 1, 3] + Reshape to (T, B, D·H)), and the two nodes are layers of one module.
 */
function stackable(a: OnnxRecurrentNode, b: OnnxRecurrentNode, p: Parsed): boolean {
  if (a.opType !== b.opType || a.direction !== b.direction || a.direction === 'reverse') return false;
  if (a.hiddenSize !== b.hiddenSize || a.layout !== b.layout || (a.B === null) !== (b.B === null)) return false;
  if (a.linearBeforeReset !== b.linearBeforeReset || a.activations.join().toLowerCase() !== b.activations.join().toLowerCase()) return false;
  if (b.inputSize !== a.numDirections * a.hiddenSize || b.sequenceLens !== a.sequenceLens) return false;
  if (b.initialH || b.initialC || a.initialH || a.initialC) return false;
  let name = b.inputs[0];
  for (let hops = 0; hops < 8; hops++) {
    if (name === a.outputs[0]) return hops > 0;
    const n = p.producers.get(name);
    if (!n || !PASS.has(n.opType) || !isDefault(n)) return false;
    if (n.opType === 'Transpose') {
      const perm = n.attrs.get('perm')?.ints(8) ?? [];
      if (a.layout !== 0 || perm.join() !== '0,2,1,3') return false;
    }
    if (n.opType === 'Reshape') {
      const shape = p.constant(n.inputs[1] ?? '')?.ints();
      if (shape && (shape.length !== 3 || (shape[2] !== -1 && shape[2] !== a.numDirections * a.hiddenSize))) return false;
    }
    if (n.opType === 'Squeeze' && a.numDirections !== 1) return false;
    name = n.inputs[0];
  }
  return false;
}

/**
 * The recurrent node whose output reaches n's input X through at most 8 pass-through ops (the
 * path stackable() follows), or null.
 */
function feedingNode(n: OnnxRecurrentNode, p: Parsed, byIndex: Map<number, OnnxRecurrentNode>): OnnxRecurrentNode | null {
  let name = n.inputs[0];
  for (let hops = 0; hops <= 8 && name; hops++) {
    const q = p.producers.get(name);
    if (!q) return null;
    if (RECURRENT.has(q.opType)) return byIndex.get(q.index) ?? null;
    if (!PASS.has(q.opType)) return null;
    name = q.inputs[0];
  }
  return null;
}

/** Parses an .onnx file without touching Wasm: the graph and its recurrent nodes with their weights. */
export function parseOnnx(bytes: Uint8Array | ArrayBuffer, lib?: WasmRnnLibrary): OnnxGraph {
  return asLibError(lib, () => parse(bytes).graph);
}

/**
 * Parses an .onnx file and returns every RNN / LSTM / GRU node as a wasm-rnn module of the given
 * library (`import * as wasmRnn from 'wasm-rnn'`, after `await wasmRnn.init()`), weights loaded,
 * in eval mode. Everything is checked before any module is built.
 */
export function loadOnnx(bytes: Uint8Array | ArrayBuffer, lib: WasmRnnLibrary, opts?: LoadOnnxOptions & { model?: true }): OnnxModel & { model: OnnxGraphModule };
export function loadOnnx(bytes: Uint8Array | ArrayBuffer, lib: WasmRnnLibrary, opts: LoadOnnxOptions & { model: false }): OnnxModel & { model: null };
export function loadOnnx(bytes: Uint8Array | ArrayBuffer, lib: WasmRnnLibrary, opts?: LoadOnnxOptions): OnnxModel;
export function loadOnnx(bytes: Uint8Array | ArrayBuffer, lib: WasmRnnLibrary, opts?: LoadOnnxOptions): OnnxModel {
  lib = checkLib(lib);
  return asLibError(lib, () => {
    const withModel = modelOption(opts);
    if (withModel) checkGraphLib(lib);
    const p = parse(bytes);
    const { graph } = p;
    if (!graph.nodes.length) {
      const ops = [...new Set(graph.opTypes)];
      const list = ops.length > 20 ? `${ops.slice(0, 20).join(', ')}, … (${ops.length} op types)` : ops.join(', ');
      err('ONNX model', 'at least one RNN, LSTM or GRU node', ops.length ? `only ${list}` : 'an empty graph');
    }
    graph.nodes.forEach(checkSupported);
    // every node becomes a module with its own copy of the weights (nodes may share initializers)
    let params = 0;
    for (const n of graph.nodes) params += n.W.data.length + n.R.data.length + (n.B ? n.B.data.length : 0);
    // …at most 2^28, and at most max(2^24, the file's size in bytes): nodes sharing one initializer
    // cannot make a small file ask for gigabytes
    const cap = Math.min(LIMITS.onnxParameters, Math.max(LIMITS.onnxParametersPerFileByte * p.fileBytes, 2 ** 24));
    if (params > cap) overLimit('ONNX model', `parameters in the modules built (summed over its recurrent nodes; the limit is 2^28, and max(2^24, the file's ${p.fileBytes} bytes))`, cap, params);
    // the whole graph, checked before any Wasm memory is used; the initializers' values decoded
    const plan = withModel ? planGraph(graphSource(p)) : null;
    const inits = decodeInitializers(p);
    const layers: OnnxLayer[] = [];
    try {
      for (const node of graph.nodes) {
        layers.push({
          node, module: fill(construct(lib, node, 1), [onnxStateDict(node, lib, 0)]), reverse: node.direction === 'reverse',
          h0: initialState(node.initialH, node.layout, lib), c0: initialState(node.initialC, node.layout, lib),
        });
      }
    } catch (e) {
      for (const l of layers) { l.module.dispose(); l.h0?.dispose(); l.c0?.dispose(); }
      throw e;
    }
    // group into chains: each node joins the chain whose last node feeds it (found by following
    // its input back through at most 8 pass-through ops, so the grouping is linear in the nodes)
    const chains: OnnxRecurrentNode[][] = [];
    const chainOfTail = new Map<OnnxRecurrentNode, OnnxRecurrentNode[]>();
    const byIndex = new Map(graph.nodes.map((n) => [n.index, n]));
    for (const n of graph.nodes) {
      const feeder = feedingNode(n, p, byIndex);
      const c = feeder ? chainOfTail.get(feeder) : undefined;
      if (c && stackable(feeder!, n, p)) {
        chainOfTail.delete(feeder!);
        c.push(n);
        chainOfTail.set(n, c);
      } else {
        const fresh = [n];
        chains.push(fresh);
        chainOfTail.set(n, fresh);
      }
    }
    const layerOf = new Map(graph.nodes.map((n, k) => [n, layers[k]]));
    const stacks: OnnxStack[] = chains.map((nodes) => {
      let built: RecurrentModule | null = nodes.length === 1 ? layerOf.get(nodes[0])!.module : null;
      return {
        nodes, reverse: nodes[0].direction === 'reverse',
        get module(): RecurrentModule {
          if (!built) {
            built = asLibError(lib, () => {
              const top = nodes[0];
              return fill(construct(lib, top, nodes.length), nodes.map((n, k) => onnxStateDict(n, lib, k)));
            });
          }
          return built;
        },
      };
    });
    const initializers = new Map<string, Tensor>();
    let model: OnnxGraphModule | null = null;
    try {
      for (const [name, data, dims] of inits) initializers.set(name, lib.tensor(data, dims));
      if (plan) model = buildModel(plan, lib, chains, stacks, layerOf);
    } catch (e) {
      for (const t of initializers.values()) t.dispose();
      for (const l of layers) { l.module.dispose(); l.h0?.dispose(); l.c0?.dispose(); }
      throw e;
    }
    return {
      graph, model, initializers, layers, modules: layers.map((l) => l.module), stacks,
      get stacked(): RecurrentModule | null { return stacks.length === 1 && !stacks[0].reverse ? stacks[0].module : null; },
    };
  });
}

// ---------------------------------------------------------------------------------------------
// the whole graph (src/onnx-graph.ts)

function modelOption(opts: unknown): boolean {
  if (opts === undefined) return true;
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) err('options', 'an object like { model: false }', show(opts));
  for (const k of Object.keys(opts)) if (k !== 'model') err('options', 'only the option model', `unknown option ${show(k)}`);
  const m = (opts as LoadOnnxOptions).model;
  if (m !== undefined && typeof m !== 'boolean') err('options.model', 'a boolean', show(m));
  return m ?? true;
}

function checkGraphLib(lib: WasmRnnLibrary): void {
  const missing = GRAPH_LIB_KEYS.filter((k) => typeof (lib as unknown as Record<string, unknown>)[k] !== 'function');
  if (missing.length) {
    err('lib', `the wasm-rnn namespace with ${GRAPH_LIB_KEYS.join(', ')} (the whole-model import builds them; pass { model: false } for the recurrent nodes alone)`, `one without ${missing.join(', ')}`);
  }
}

/** What planGraph reads: the parsed messages behind the SrcGraph interface. */
function graphSource(p: Parsed): SrcGraph {
  return {
    opsetVersion: p.graph.opsetVersion, nodes: p.raw, inits: p.inits, inputs: p.inputInfo, outputs: p.graph.outputs,
    constant: p.constant, recurrent: p.graph.nodes,
    attrTensor: (node, key) => {
      const f = node.attrs.get(key)?.last(5);
      return f ? new LazyTensor(f as Field, `${(node as RawNode).what}.attribute ${key}`) : null;
    },
  };
}

/** Every FLOAT/DOUBLE/INT32/INT64 initializer's values (checked and decoded in JS, no Wasm). */
function decodeInitializers(p: Parsed): [string, ArrayLike<number>, number[]][] {
  const out: [string, ArrayLike<number>, number[]][] = [];
  let total = 0;
  for (const [name, t] of p.inits) {
    if (t.dtype !== FLOAT && t.dtype !== DOUBLE && t.dtype !== INT64 && t.dtype !== INT32) continue;
    checkFileDims(`initializer ${show(name)} dims`, t.dims);
    total += t.count;
    if (total > LIMITS.onnxParameters) overLimit('ONNX model', 'values in its initializers', LIMITS.onnxParameters, `more, at ${show(name)}`);
    const data = t.dtype === FLOAT || t.dtype === DOUBLE ? t.floats() : t.ints()!;
    if (data.length !== t.count) err(`initializer ${show(name)}`, `${t.count} values for dims ${show(t.dims)}`, `${data.length}`);
    out.push([name, data, t.dims.slice()]);
  }
  return out;
}

function buildModel(plan: GraphPlan, lib: WasmRnnLibrary, chains: OnnxRecurrentNode[][], stacks: OnnxStack[],
  layerOf: Map<OnnxRecurrentNode, OnnxLayer>): OnnxGraphModule {
  return buildGraphModule(plan, lib, {
    chains,
    layer: (n) => layerOf.get(n as OnnxRecurrentNode)!.module,
    stack: (nodes) => {
      const same = stacks.find((s) => s.nodes.length === nodes.length && s.nodes.every((n, k) => n === nodes[k]));
      if (same) return same.module;
      return fill(construct(lib, nodes[0] as OnnxRecurrentNode, nodes.length), nodes.map((n, k) => onnxStateDict(n as OnnxRecurrentNode, lib, k)));
    },
  });
}

export { RnnError };
