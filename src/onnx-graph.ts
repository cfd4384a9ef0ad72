// The whole ONNX graph as one wasm-rnn Module (loadOnnx(...).model): the graphs torch.onnx.export
// writes for Embedding → RNN/LSTM/GRU → Linear (→ Softmax/LogSoftmax) models, with their glue.
//
// Two phases, so that everything is checked before any Wasm memory is touched:
//   planGraph (pure JS): topological order, the values every output needs, each live node's
//     operator and attributes checked against what is supported, value kinds (float tensors vs
//     integer shape/index arrays), and the patterns that become modules: Gather of a 2-D float
//     weight → Embedding, MatMul(x, W) [+ Add(b)] and Gemm → Linear.
//   buildGraphModule (after the recurrent modules exist): the Embedding/Linear modules, recurrent
//     chains (layer k's Y → glue → layer k+1's X) run as one stacked module, and the steps.
// Float tensors are computed by the library's Tensor ops and modules (in Wasm, autograd-aware);
// integer values (shapes, indices: Shape → Gather → Unsqueeze → Concat → ConstantOfShape) are small
// JS arrays, evaluated here. Like onnx.ts, this file holds no Wasm state: every class and op comes
// from the library namespace passed in.
import type * as Api from './api.js';
import { RnnError, show } from './errors.js';
import { LIMITS, overLimit } from './limits.js';
import type { Embedding } from './embedding.js';
import type { Linear } from './linear.js';
import type { Module } from './module.js';
import type { Tensor } from './tensor.js';

/** The members of the library namespace the whole-model import uses. */
export type GraphLibrary = Pick<typeof Api, 'Module' | 'Tensor' | 'Embedding' | 'Linear' | 'embeddingLookup' | 'tensor' | 'cat' | 'zeros' | 'full' | 'ones' | 'RnnError'>;
export const GRAPH_LIB_KEYS = ['Module', 'Tensor', 'Embedding', 'Linear', 'embeddingLookup', 'tensor', 'cat', 'zeros', 'full', 'ones'] as const;

// ---------------------------------------------------------------------------------------------
// what onnx.ts hands over (its parsed protobuf messages, read through these methods only)

/** An AttributeProto as parsed: field numbers of onnx.proto (2 f, 3 i, 4 s, 7 floats, 8 ints, 9 strings, 20 type). */
export interface SrcAttr {
  has(n: number): boolean;
  int(n: number, dflt?: number): number;
  str(n: number): string;
  strs(n: number): string[];
  ints(n: number): number[];
  floats(n: number): number[];
  last(n: number): { bytes: Uint8Array } | undefined;
}
/** A TensorProto: float values (FLOAT/DOUBLE) or integer values (INT32/INT64), decoded on demand. */
export interface SrcTensor { name: string; dims: number[]; dtype: number; floats(): Float32Array; ints(): number[] | null }
export interface SrcNode { index: number; name: string; opType: string; domain: string; inputs: string[]; outputs: string[]; attrs: Map<string, SrcAttr> }
/** A graph input: its element type (TensorProto.DataType) and dims (a number, a symbolic name, or null when unknown). */
export interface SrcInput { name: string; elemType: number; dims: (number | string | null)[] | null }
/** The recurrent node as onnx.ts describes it (attributes with defaults). */
export interface SrcRecurrent {
  index: number; name: string; opType: 'RNN' | 'LSTM' | 'GRU'; inputs: string[]; outputs: string[];
  direction: 'forward' | 'reverse' | 'bidirectional'; numDirections: 1 | 2; hiddenSize: number; layout: 0 | 1;
}
export interface SrcGraph {
  opsetVersion: number;
  nodes: SrcNode[];
  inits: Map<string, SrcTensor>;
  inputs: SrcInput[];
  outputs: string[];
  /** An initializer, a Constant node's value, or either through Identity; null otherwise. */
  constant(name: string): SrcTensor | null;
  /** A tensor-valued attribute (Constant's and ConstantOfShape's `value`). */
  attrTensor(node: SrcNode, key: string): SrcTensor | null;
  /** The recurrent nodes, in graph order (described and checked by onnx.ts). */
  recurrent: SrcRecurrent[];
}

/** What buildGraphModule needs from loadOnnx: the recurrent modules it has built. */
export interface RecurrentSource {
  /** Maximal chains of stackable nodes (loadOnnx's grouping), in graph order. */
  chains: SrcRecurrent[][];
  /** The module of one node (weights of that node, numLayers 1). */
  layer(node: SrcRecurrent): Module;
  /** One module for consecutive nodes (numLayers = nodes.length). */
  stack(nodes: SrcRecurrent[]): Module;
}

// ---------------------------------------------------------------------------------------------
// errors

function err(what: string, expected: string, got: string): never {
  throw new RnnError(`${what}: expected ${expected}, got ${got}`);
}
const label = (n: SrcNode): string => `${n.opType} node ${show(n.name || `#${n.index}`)}`;

// TensorProto.DataType
const FLOAT = 1, DOUBLE = 11;
const INT_TYPES = new Set([2, 3, 4, 5, 6, 7, 12, 13]);   // UINT8 INT8 UINT16 INT16 INT32 INT64 UINT32 UINT64
const DTYPES = ['UNDEFINED', 'FLOAT', 'UINT8', 'INT8', 'UINT16', 'INT16', 'INT32', 'INT64', 'STRING', 'BOOL', 'FLOAT16',
  'DOUBLE', 'UINT32', 'UINT64', 'COMPLEX64', 'COMPLEX128', 'BFLOAT16'];
const dtypeName = (t: number): string => DTYPES[t] ?? `data type ${t}`;

type Kind = 'float' | 'int';
const kindOfType = (t: number): Kind | null => (t === FLOAT || t === DOUBLE ? 'float' : INT_TYPES.has(t) ? 'int' : null);

/** At most this many elements in an integer value computed in JS (shapes and indices are small). */
const INT_ELEMENTS = 1 << 24;

// ---------------------------------------------------------------------------------------------
// operators: the attributes each one may carry (anything else is an RnnError naming it)

const RECURRENT_ATTRS = ['activation_alpha', 'activation_beta', 'activations', 'clip', 'direction', 'hidden_size', 'layout'];
// Maps, not object literals: an op type read from a file ("constructor", "__proto__") is only a key.
const ATTRS = new Map<string, string[]>(Object.entries({
  Identity: [], Dropout: ['seed', 'ratio', 'is_test'],
  Shape: ['start', 'end'], Gather: ['axis'], Unsqueeze: ['axes'], Squeeze: ['axes'], Concat: ['axis'],
  Slice: ['starts', 'ends', 'axes'], Transpose: ['perm'], Reshape: ['allowzero'], Flatten: ['axis'], Expand: [],
  Constant: ['value', 'value_float', 'value_floats', 'value_int', 'value_ints'], ConstantOfShape: ['value'], Cast: ['to', 'saturate'],
  Add: [], Sub: [], Mul: [], Div: [], MatMul: [], Gemm: ['alpha', 'beta', 'transA', 'transB'],
  Softmax: ['axis'], LogSoftmax: ['axis'], Tanh: [], Sigmoid: [], Relu: [], Exp: [], Log: [],
  RNN: RECURRENT_ATTRS, LSTM: [...RECURRENT_ATTRS, 'input_forget'], GRU: [...RECURRENT_ATTRS, 'linear_before_reset'],
}));
/** Operators that need float tensors (their integer forms are not part of these graphs). */
const FLOAT_ONLY = new Set(['MatMul', 'Gemm', 'Softmax', 'LogSoftmax', 'Tanh', 'Sigmoid', 'Relu', 'Exp', 'Log', 'RNN', 'LSTM', 'GRU', 'Dropout']);
const UNARY = new Map<string, 'tanh' | 'sigmoid' | 'relu' | 'exp' | 'log'>([['Tanh', 'tanh'], ['Sigmoid', 'sigmoid'], ['Relu', 'relu'], ['Exp', 'exp'], ['Log', 'log']]);
/** Inputs where an operator reads integers (a graph input without a declared type is read as it is used). */
const INT_INPUTS = new Map<string, number[]>(Object.entries({
  Gather: [1], Reshape: [1], Expand: [1], Unsqueeze: [1], Squeeze: [1], Slice: [1, 2, 3, 4], ConstantOfShape: [0], RNN: [4], LSTM: [4], GRU: [4],
}));

// ---------------------------------------------------------------------------------------------
// phase 1: the plan (pure JS)

/** A module the graph becomes: an Embedding (Gather of a weight) or a Linear (MatMul/Gemm of one). */
interface ModuleSpec {
  kind: 'Embedding' | 'Linear';
  name: string;
  /** Embedding: the table (N, D). Linear: the weight as stored, and whether it is (in, out) (needs a transpose). */
  weight: SrcTensor;
  transposed: boolean;
  bias: SrcTensor | null;
  inFeatures: number;
  outFeatures: number;
  module: Module | null;
}

/** One live node, checked, with what its step needs. */
interface PlannedNode {
  node: SrcNode;
  /** Embedding / Linear nodes: their module. */
  spec: ModuleSpec | null;
  /** A MatMul's Add folded into its Linear (the Add node is then not run). */
  absorbs: SrcNode | null;
  /** Gemm: a C that is not a bias vector, added after the Linear. */
  extraAdd: string | null;
  /** Kinds of the node's inputs ('' inputs: null). */
  inKinds: (Kind | null)[];
}

export interface GraphPlan {
  src: SrcGraph;
  /** Live nodes in topological order (absorbed Adds left out). */
  nodes: PlannedNode[];
  kinds: Map<string, Kind>;
  /** Parameters of the Embedding and Linear modules. */
  params: number;
  specs: ModuleSpec[];
}

/** Normalises an axis into [0, rank) or throws naming the node. */
function axisOf(axis: number, rank: number, where: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) err(where, `an axis in [${-rank}, ${rank - 1}] (rank ${rank})`, String(axis));
  return a;
}

/** An integer constant's values: as many as its dims say, and few enough for a JS array. */
function checkInts(t: SrcTensor, where: string): void {
  const n = count(t.dims);
  if (n > INT_ELEMENTS) overLimit(where, 'elements in an integer constant', INT_ELEMENTS, n);
  const v = t.ints();
  if (!v || v.length !== n) err(where, `${n} integer values for dims ${show(t.dims)}`, v ? `${v.length}` : dtypeName(t.dtype));
}

/** Scope of a PyTorch 1.13+ node name: '/encoder/rnn/LSTM_1' → 'encoder.rnn'; '' when there is none. */
function scopeOf(n: SrcNode | SrcRecurrent): string {
  const parts = n.name.split('/');
  if (parts.length < 3 || parts[0] !== '') return '';
  return parts.slice(1, -1).filter((p) => p !== '').join('.');
}
/** Names unique within `used`: base, base_1, base_2 … (a counter per base: linear in the names made). */
function uniqueNamer(used: Set<string>): (base: string) => string {
  const next = new Map<string, number>();
  return (base) => {
    let k = next.get(base) ?? 0, name = k ? `${base}_${k}` : base;
    while (used.has(name)) name = `${base}_${++k}`;
    next.set(base, k + 1);
    used.add(name);
    return name;
  };
}

/** 'emb.weight' → 'emb' (the PyTorch module path of a parameter), or ''. */
function prefixOf(t: SrcTensor | null, leaf: string): string {
  if (!t || !t.name.endsWith('.' + leaf) || t.name.startsWith('onnx::')) return '';
  return t.name.slice(0, -leaf.length - 1);
}

export function planGraph(src: SrcGraph): GraphPlan {
  const { nodes } = src;
  const kinds = new Map<string, Kind>();
  const defined = new Set<string>();
  const intUse = new Set<string>();
  for (const n of nodes) for (const k of INT_INPUTS.get(n.opType) ?? []) if (n.inputs[k]) intUse.add(n.inputs[k]);
  for (const inp of src.inputs) {
    const k = inp.elemType === 0 ? (intUse.has(inp.name) ? 'int' : 'float') : kindOfType(inp.elemType);
    if (!k || inp.elemType === DOUBLE) {
      err(`graph input ${show(inp.name)}`, 'float32 values or integer indices (elem_type FLOAT, INT64 or INT32)', dtypeName(inp.elemType));
    }
    kinds.set(inp.name, k);
    defined.add(inp.name);
  }
  for (const [name, t] of src.inits) {
    defined.add(name);
    const k = kindOfType(t.dtype);
    if (k && !kinds.has(name)) kinds.set(name, k);
  }
  // producers, and a topological order (Kahn; linear in nodes + edges)
  const producer = new Map<string, SrcNode>();
  for (const n of nodes) {
    for (const o of n.outputs) {
      if (!o) continue;
      if (producer.has(o) || defined.has(o)) err(`${label(n)}: output ${show(o)}`, 'a name no other node, input or initializer has (single assignment)', 'a name defined twice');
      producer.set(o, n);
    }
  }
  const consumers = new Map<SrcNode, SrcNode[]>();
  const indegree = new Map<SrcNode, number>();
  for (const n of nodes) {
    let d = 0;
    for (const i of n.inputs) {
      if (!i) continue;
      const p = producer.get(i);
      if (p) {
        d++;
        let list = consumers.get(p);
        if (!list) consumers.set(p, (list = []));
        list.push(n);
      } else if (!defined.has(i)) {
        err(`${label(n)}: input ${show(i)}`, 'a graph input, an initializer or another node\'s output', 'a name defined nowhere in the graph');
      }
    }
    indegree.set(n, d);
  }
  const order: SrcNode[] = nodes.filter((n) => indegree.get(n) === 0);
  for (let h = 0; h < order.length; h++) {
    for (const c of consumers.get(order[h]) ?? []) {
      const d = indegree.get(c)! - 1;
      indegree.set(c, d);
      if (d === 0) order.push(c);
    }
  }
  if (order.length < nodes.length) {
    const stuck = nodes.find((n) => indegree.get(n)! > 0)!;
    err('ONNX graph', 'an acyclic graph', `a cycle through ${label(stuck)}`);
  }
  for (const o of src.outputs) {
    if (!producer.has(o) && !defined.has(o)) err(`graph output ${show(o)}`, 'a value some node, input or initializer defines', 'a name defined nowhere');
  }
  // liveness: the nodes the outputs need
  const graphOutputs = new Set(src.outputs);
  const needed = new Set(src.outputs);
  const live = new Set<SrcNode>();
  for (let k = order.length - 1; k >= 0; k--) {
    const n = order[k];
    if (!n.outputs.some((o) => o && needed.has(o))) continue;
    live.add(n);
    for (const i of n.inputs) if (i) needed.add(i);
  }
  const liveConsumers = (name: string): SrcNode[] => {
    const p = producer.get(name);
    return p ? (consumers.get(p) ?? []).filter((c) => live.has(c) && c.inputs.includes(name)) : [];
  };

  const planned: PlannedNode[] = [];
  const absorbed = new Set<SrcNode>();
  const specs: ModuleSpec[] = [];
  const specByKey = new Map<string, ModuleSpec>();
  const usedNames = new Set<string>();
  const uniqueName = uniqueNamer(usedNames);
  // names the recurrent modules will take (reserved first so that they keep their scope names)
  const recurrentNames = new Map<number, string>();
  for (const r of src.recurrent) recurrentNames.set(r.index, scopeOf(r) || r.opType.toLowerCase());
  let params = 0;
  const moduleFor = (key: string, make: () => Omit<ModuleSpec, 'name' | 'module'>, name: string): ModuleSpec => {
    let s = specByKey.get(key);
    if (!s) {
      const m = make();
      s = { ...m, name, module: null };
      specByKey.set(key, s);
      specs.push(s);
      params += m.inFeatures * m.outFeatures + (m.bias ? m.outFeatures : 0);
    }
    return s;
  };
  const pendingNames: [ModuleSpec, string][] = [];

  for (const n of order) {
    if (!live.has(n) || absorbed.has(n)) continue;
    const where = label(n);
    if (n.domain !== '' && n.domain !== 'ai.onnx') {
      err(`${where}: domain`, 'the default ONNX operator set ("" or "ai.onnx")', `${show(n.domain)} (an operator wasm-rnn's ONNX import does not run)`);
    }
    const allowed = ATTRS.get(n.opType);
    if (!allowed) {
      err(`${where}: operator`, `one of ${[...ATTRS.keys()].join(', ')} (the operators wasm-rnn's ONNX import runs)`, show(n.opType));
    }
    for (const a of n.attrs.keys()) {
      if (!allowed.includes(a)) err(`${where}: attribute ${show(a)}`, allowed.length ? `only ${allowed.join(', ')} (what wasm-rnn's ONNX import reads for ${n.opType})` : `no attributes for ${n.opType}`, `${show(a)}, which is not supported`);
    }
    const inKinds = n.inputs.map((i) => (i ? kinds.get(i) ?? null : null));
    const need = (k: number, kind: Kind, what: string) => {
      const name = n.inputs[k];
      if (!name) err(`${where}: input ${what}`, 'a value', 'none');
      const got = inKinds[k];
      if (got === null) {
        const t = src.inits.get(name);
        err(`${where}: input ${what} (${show(name)})`, kind === 'float' ? 'float32 values' : 'integer values', t ? `an initializer of type ${dtypeName(t.dtype)}` : 'a value of unsupported type');
      }
      if (got !== kind) err(`${where}: input ${what} (${show(name)})`, kind === 'float' ? 'a float tensor' : 'integer values (indices or a shape)', got === 'int' ? 'integer values' : 'a float tensor');
    };
    const constInts = (k: number, what: string): number[] | null => {
      const name = n.inputs[k];
      const t = name ? src.constant(name) : null;
      if (!t) return null;
      const v = t.ints();
      if (!v) err(`${where}: input ${what} (${show(name)})`, 'integer values', dtypeName(t.dtype));
      return v;
    };
    const setOut = (k: Kind, i = 0) => { if (n.outputs[i]) kinds.set(n.outputs[i], k); };
    const attrInt = (key: string): number | null => { const a = n.attrs.get(key); return a && a.has(3) ? a.int(3) : null; };
    const p: PlannedNode = { node: n, spec: null, absorbs: null, extraAdd: null, inKinds };
    if (FLOAT_ONLY.has(n.opType) && n.opType !== 'Dropout') {
      const ins = n.opType === 'RNN' || n.opType === 'LSTM' || n.opType === 'GRU' ? [0] : n.opType === 'Gemm' || n.opType === 'MatMul' ? [0, 1] : [0];
      for (const k of ins) need(k, 'float', k === 0 ? (n.opType === 'MatMul' || n.opType === 'Gemm' ? 'A' : 'X') : 'B');
    }
    switch (n.opType) {
      case 'Identity': case 'Flatten': case 'Transpose': {
        if (!inKinds[0]) need(0, 'float', 'input');
        setOut(inKinds[0]!);
        break;
      }
      case 'Dropout': {
        need(0, 'float', 'data');
        if (n.inputs[2]) err(`${where}: input training_mode (${show(n.inputs[2])})`, 'none (inference: Dropout passes its input through; export in eval mode)', 'a training_mode input');
        if (n.outputs[1] && (liveConsumers(n.outputs[1]).length > 0 || graphOutputs.has(n.outputs[1]))) {
          err(`${where}: output mask`, 'unused (inference has no dropout mask)', `used by the graph`);
        }
        setOut('float');
        break;
      }
      case 'Shape': {
        if (!inKinds[0]) need(0, 'float', 'data');
        setOut('int');
        break;
      }
      case 'Gather': {
        const axis = attrInt('axis') ?? 0;
        const data = src.constant(n.inputs[0]);
        need(1, 'int', 'indices');
        if (data && kindOfType(data.dtype) === 'float') {
          // a weight: an Embedding (rows of a 2-D table picked by integer indices)
          if (data.dims.length !== 2) err(`${where}: input data ${show(data.name)}`, 'a 2-D weight (num_embeddings, embedding_dim) for an Embedding', `shape ${show(data.dims)}`);
          if (axis !== 0 && axis !== -2) err(`${where}: attribute axis`, '0 (an Embedding picks rows of its weight)', `axis = ${axis} on the weight ${show(data.name)}`);
          const [N, D] = data.dims;
          p.spec = moduleFor(`E:${data.name}`, () => ({ kind: 'Embedding', weight: data, transposed: false, bias: null, inFeatures: N, outFeatures: D }), '');
          if (!p.spec.name) pendingNames.push([p.spec, prefixOf(data, 'weight') || scopeOf(n) || 'embedding']);
          setOut('float');
        } else {
          if (!inKinds[0]) need(0, 'float', 'data');
          setOut(inKinds[0]!);
        }
        break;
      }
      case 'Unsqueeze': case 'Squeeze': {
        if (!inKinds[0]) need(0, 'float', 'data');
        if (n.inputs[1]) need(1, 'int', 'axes');
        if (n.opType === 'Unsqueeze' && !n.attrs.has('axes') && !n.inputs[1]) err(`${where}: axes`, 'an axes attribute or input', 'neither');
        setOut(inKinds[0]!);
        break;
      }
      case 'Concat': {
        if (!n.attrs.has('axis')) err(`${where}: attribute axis`, 'an axis', 'none');
        const k0 = inKinds.find((k) => k !== null);
        if (!k0) need(0, 'float', 'inputs[0]');
        n.inputs.forEach((name, k) => { if (name) need(k, k0!, `inputs[${k}]`); });
        setOut(k0!);
        break;
      }
      case 'Slice': {
        if (!inKinds[0]) need(0, 'float', 'data');
        for (let k = 1; k < n.inputs.length; k++) if (n.inputs[k]) need(k, 'int', ['', 'starts', 'ends', 'axes', 'steps'][k] ?? `input ${k}`);
        if (!n.inputs[1] && !n.attrs.has('starts')) err(`${where}: starts`, 'starts and ends (attributes before opset 10, inputs since)', 'none');
        const steps = constInts(4, 'steps');
        if (inKinds[0] === 'float' && steps && steps.some((s) => s < 1)) {
          err(`${where}: input steps`, 'steps >= 1 (wasm-rnn slices float tensors forward only)', show(steps));
        }
        setOut(inKinds[0]!);
        break;
      }
      case 'Reshape': case 'Expand': {
        if (!inKinds[0]) need(0, 'float', 'data');
        need(1, 'int', 'shape');
        setOut(inKinds[0]!);
        break;
      }
      case 'Constant': {
        const keys = [...n.attrs.keys()];
        if (keys.length !== 1) err(`${where}: attributes`, 'exactly one value attribute', show(keys));
        const key = keys[0];
        if (key === 'value') {
          const t = src.attrTensor(n, 'value');
          const k = t ? kindOfType(t.dtype) : null;
          if (!t || !k) err(`${where}: attribute value`, 'a float or integer tensor', t ? dtypeName(t.dtype) : 'no tensor');
          if (k === 'int') checkInts(t, `${where}: attribute value`);
          setOut(k);
        } else setOut(key.startsWith('value_float') ? 'float' : 'int');
        break;
      }
      case 'ConstantOfShape': {
        need(0, 'int', 'input');
        const t = src.attrTensor(n, 'value');
        const k = t ? kindOfType(t.dtype) : 'float';
        if (!k) err(`${where}: attribute value`, 'a float or integer value', dtypeName(t!.dtype));
        setOut(k);
        break;
      }
      case 'Cast': {
        const to = attrInt('to') ?? 0;
        const k = kindOfType(to);
        if (!k || to === DOUBLE) err(`${where}: attribute to`, 'FLOAT or an integer type', dtypeName(to));
        if (!inKinds[0]) need(0, 'float', 'input');
        if (inKinds[0] === 'float' && k === 'int') err(`${where}: attribute to`, 'FLOAT for a float input (float → integer casts are not supported)', dtypeName(to));
        setOut(k);
        break;
      }
      case 'Add': case 'Sub': case 'Mul': case 'Div': {
        if (!inKinds[0]) need(0, 'float', 'A');
        need(1, inKinds[0]!, 'B');
        if (n.opType === 'Div' && inKinds[0] === 'float') err(`${where}: operator`, 'Div on integer values only (shape arithmetic)', 'Div on float tensors');
        setOut(inKinds[0]!);
        break;
      }
      case 'MatMul': {
        const w = src.constant(n.inputs[1]);
        if (w && w.dims.length === 2 && kindOfType(w.dtype) === 'float') {
          // MatMul(x, W[in, out]) [+ Add(b[out])] is a Linear: weight = Wᵀ
          const [K, N] = w.dims;
          let bias: SrcTensor | null = null;
          const cs = liveConsumers(n.outputs[0]);
          const add = cs.length === 1 && cs[0].opType === 'Add' && (cs[0].domain === '' || cs[0].domain === 'ai.onnx') && cs[0].attrs.size === 0 && !graphOutputs.has(n.outputs[0]) ? cs[0] : null;
          if (add) {
            const other = add.inputs[0] === n.outputs[0] ? add.inputs[1] : add.inputs[0];
            const b = other ? src.constant(other) : null;
            if (b && kindOfType(b.dtype) === 'float' && add.inputs.filter((i) => i === n.outputs[0]).length === 1 &&
                ((b.dims.length === 1 && b.dims[0] === N) || (b.dims.length === 2 && b.dims[0] === 1 && b.dims[1] === N))) {
              bias = b;
              p.absorbs = add;
              absorbed.add(add);
              if (add.outputs[0]) kinds.set(add.outputs[0], 'float');
            }
          }
          p.spec = moduleFor(`L:${w.name}:0:${bias?.name ?? ''}`, () => ({ kind: 'Linear', weight: w, transposed: true, bias, inFeatures: K, outFeatures: N }), '');
          if (!p.spec.name) pendingNames.push([p.spec, prefixOf(bias, 'bias') || scopeOf(n) || 'linear']);
        }
        setOut('float');
        break;
      }
      case 'Gemm': {
        const alpha = n.attrs.get('alpha'), beta = n.attrs.get('beta');
        for (const [key, a] of [['alpha', alpha], ['beta', beta]] as const) {
          if (a && a.has(2)) {
            const b = a.last(2)!.bytes;
            const v = new DataView(b.buffer, b.byteOffset, 4).getFloat32(0, true);
            if (v !== 1) err(`${where}: attribute ${key}`, '1 (a Linear layer)', String(v));
          }
        }
        const transA = attrInt('transA') ?? 0, transB = attrInt('transB') ?? 0;
        if (transA !== 0) err(`${where}: attribute transA`, '0 (a Linear layer reads its input as it is)', `transA = ${transA}`);
        const w = src.constant(n.inputs[1]);
        const cName = n.inputs[2] ?? '';
        if (cName) need(2, 'float', 'C');
        if (w && w.dims.length === 2 && kindOfType(w.dtype) === 'float') {
          const [N, K] = transB ? w.dims : [w.dims[1], w.dims[0]];
          const c = cName ? src.constant(cName) : null;
          const isBias = c !== null && ((c.dims.length === 1 && c.dims[0] === N) || (c.dims.length === 2 && c.dims[0] === 1 && c.dims[1] === N));
          const bias = isBias ? c : null;
          if (cName && !isBias) p.extraAdd = cName;
          p.spec = moduleFor(`L:${w.name}:${transB}:${bias?.name ?? ''}`, () => ({ kind: 'Linear', weight: w, transposed: !transB, bias, inFeatures: K, outFeatures: N }), '');
          if (!p.spec.name) pendingNames.push([p.spec, prefixOf(bias, 'bias') || prefixOf(w, 'weight') || scopeOf(n) || 'linear']);
        }
        setOut('float');
        break;
      }
      case 'Softmax': case 'LogSoftmax': case 'Tanh': case 'Sigmoid': case 'Relu': case 'Exp': case 'Log':
        setOut('float');
        break;
      case 'RNN': case 'LSTM': case 'GRU': {
        if (n.inputs[4]) {
          need(4, 'int', 'sequence_lens');
          const dir = n.attrs.get('direction')?.str(4);
          if (dir === 'reverse') err(`${where}: input sequence_lens (${show(n.inputs[4])})`, 'none for direction "reverse" (each sequence would be reversed within its own length)', 'a sequence_lens input');
        }
        if (n.inputs[5]) need(5, 'float', 'initial_h');
        if (n.opType === 'LSTM' && n.inputs[6]) need(6, 'float', 'initial_c');
        setOut('float', 0); setOut('float', 1); setOut('float', 2);
        break;
      }
    }
    planned.push(p);
  }
  // the constants the nodes read, decoded now (so that a malformed one is an error before any Wasm
  // memory is used): integers as many as their dims say, floats as FLOAT/DOUBLE data of their dims
  const checked = new Set<string>();
  for (const p of planned) {
    for (const i of [...p.node.inputs, ...(p.absorbs?.inputs ?? [])]) {
      const t = i && !checked.has(i) ? src.constant(i) : null;
      if (!t) continue;
      checked.add(i);
      if (kinds.get(i) === 'int') checkInts(t, `${label(p.node)}: input ${show(i)}`);
      else if (kinds.get(i) === 'float') t.floats();
    }
  }
  // the names of the Embedding/Linear modules: their PyTorch module path when the graph shows it
  for (const name of recurrentNames.values()) usedNames.add(name);
  for (const [s, base] of pendingNames) if (!s.name) s.name = uniqueName(base);
  for (const name of recurrentNames.values()) usedNames.delete(name);
  if (params > LIMITS.onnxParameters) overLimit('ONNX model', 'parameters in the Embedding and Linear modules built', LIMITS.onnxParameters, params);
  return { src, nodes: planned, kinds, params, specs };
}

// ---------------------------------------------------------------------------------------------
// integer values (shapes, indices): small JS arrays

interface IntVal { readonly dims: number[]; readonly data: number[] }
type Value = Tensor | IntVal;

const count = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);
const stridesOf = (dims: readonly number[]): number[] => {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) { s[i] = acc; acc *= dims[i]; }
  return s;
};
function intVal(dims: number[], data: number[], where: string): IntVal {
  if (data.length > INT_ELEMENTS) overLimit(where, 'elements in an integer value computed in JS', INT_ELEMENTS, data.length);
  return { dims, data };
}
/** Calls fn(flat source offset) for every element of `dims` in row-major order, offsets from per-dim strides. */
function each(dims: readonly number[], strides: readonly number[], base: number, fn: (off: number) => void): void {
  const r = dims.length;
  if (dims.some((d) => d === 0)) return;
  const idx = new Array<number>(r).fill(0);
  let off = base;
  for (;;) {
    fn(off);
    let d = r - 1;
    for (; d >= 0; d--) {
      off += strides[d];
      if (++idx[d] < dims[d]) break;
      off -= strides[d] * dims[d];
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}
/** numpy broadcasting of two shapes (ONNX's multidirectional broadcasting). */
function broadcast(a: readonly number[], b: readonly number[], where: string): number[] {
  const r = Math.max(a.length, b.length), out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1, y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) err(where, 'shapes that broadcast', `${show(a)} and ${show(b)}`);
    out.push(x === 1 ? y : x);
  }
  return out;
}
function bstrides(dims: readonly number[], out: readonly number[]): number[] {
  const s = stridesOf(dims), r = out.length;
  return out.map((_, i) => { const k = i - (r - dims.length); return k < 0 || dims[k] === 1 ? 0 : s[k]; });
}

// ---------------------------------------------------------------------------------------------
// phase 2: modules and steps

/** The graph's inputs as forward() reads them. */
export interface OnnxGraphInput {
  name: string;
  /** 'float32' (a Tensor) or 'int64' / 'int32' (integer indices). */
  dtype: string;
  /** As declared: a fixed size, a symbolic (dynamic) name, or null. */
  shape: (number | string | null)[] | null;
}

/**
 * The whole ONNX graph as one Module (loadOnnx(...).model). Its children are the Embedding,
 * Linear and recurrent modules the graph's weights became, named after their PyTorch module path
 * when the export shows it (`emb`, `rnn`, `fc`: `stateDict()` then has PyTorch's keys).
 */
export interface OnnxGraphModule extends Module {
  /** The graph inputs forward() takes, in order. */
  readonly inputs: OnnxGraphInput[];
  /** The graph output names, in the order forward() returns them. */
  readonly outputs: string[];
  /**
   * Runs the graph. `inputs` are the graph's inputs in order, each in the graph's own layout:
   * integer indices (nested arrays, a typed array followed by its shape, or a Tensor of integral
   * values) for a Gather-first (Embedding) graph, a Tensor (or nested arrays) for a float input.
   * Returns the first output as a Tensor, or an array of Tensors when the graph has several.
   */
  forward(...inputs: unknown[]): any;
}

interface Step { where: string; run(v: (Value | undefined)[]): void }

/** Nodes run as one step: one node, a MatMul and its Add, or a recurrent chain with its glue. */
interface Unit {
  /** Values the unit reads (produced elsewhere). */
  reads: string[];
  writes: string[];
  make(slot: (name: string) => number, needed: (name: string) => boolean): Step;
}

const classes = new WeakMap<object, new (exec: Executor) => OnnxGraphModule>();

interface Executor {
  children: [string, Module][];
  inputs: OnnxGraphInput[];
  outputs: string[];
  forward(args: unknown[]): unknown;
  free(): void;
}

function graphClass(lib: GraphLibrary): new (exec: Executor) => OnnxGraphModule {
  let C = classes.get(lib.Module);
  if (!C) {
    const Base = lib.Module as unknown as abstract new () => Module;
    class OnnxGraphModuleImpl extends Base {
      static readonly reprName = 'OnnxGraphModule';
      readonly inputs: OnnxGraphInput[];
      readonly outputs: string[];
      /** @internal */
      _exec: Executor;
      constructor(exec: Executor) {
        super();
        this._exec = exec;
        this.inputs = exec.inputs;
        this.outputs = exec.outputs;
      }
      override namedChildren(): [string, Module][] { return this._exec.children.slice(); }
      override forward(...inputs: unknown[]): any { return this._exec.forward(inputs); }
      override _freeBuffers(): void { this._exec.free(); }
      override extraRepr(): string { return `inputs=${this.inputs.map((i) => i.name).join(', ')}, outputs=${this.outputs.join(', ')}`; }
    }
    C = OnnxGraphModuleImpl as unknown as new (exec: Executor) => OnnxGraphModule;
    classes.set(lib.Module, C);
  }
  return C;
}

/** The glue PyTorch writes between layer a's Y and layer b's X, checked strictly: the nodes on the path, or null. */
function gluePath(a: SrcRecurrent, b: SrcRecurrent, producer: Map<string, SrcNode>, src: SrcGraph): SrcNode[] | null {
  const path: SrcNode[] = [];
  let name = b.inputs[0];
  const D = a.numDirections, H = a.hiddenSize;
  for (let hops = 0; hops < 8; hops++) {
    if (name === a.outputs[0]) break;
    const n = producer.get(name);
    if (!n || (n.domain !== '' && n.domain !== 'ai.onnx')) return null;
    path.unshift(n);
    name = n.inputs[0];
    if (hops === 7) return null;
  }
  const ops = path.filter((n) => n.opType !== 'Identity' && !(n.opType === 'Dropout' && !n.inputs[2]));
  const ints = (n: SrcNode, key: string, input: number): number[] | null => {
    const a = n.attrs.get(key);
    if (a) return a.ints(8);
    const t = n.inputs[input] ? src.constant(n.inputs[input]) : null;
    return t ? t.ints() : null;
  };
  const reshapeOk = (n: SrcNode) => {
    if (n.opType !== 'Reshape' || n.attrs.size > 0 && n.attrs.get('allowzero')?.int(3) !== 0) return false;
    const s = ints(n, '', 1);
    return !!s && s.length === 3 && s[0] === 0 && s[1] === 0 && (s[2] === -1 || s[2] === D * H);
  };
  if (D === 1) {
    if (ops.length !== 1 || ops[0].opType !== 'Squeeze') return null;
    const axes = ints(ops[0], 'axes', 1);
    const want = a.layout === 0 ? 1 : 2;
    return axes && axes.length === 1 && (axes[0] === want || axes[0] === want - 4) ? path : null;
  }
  if (a.layout === 0) {
    if (ops.length !== 2 || ops[0].opType !== 'Transpose' || (ops[0].attrs.get('perm')?.ints(8) ?? []).join() !== '0,2,1,3') return null;
    return reshapeOk(ops[1]) ? path : null;
  }
  return ops.length === 1 && reshapeOk(ops[0]) ? path : null;
}

/**
 * Builds the model: Embedding and Linear modules (Wasm memory from here on), the recurrent chains,
 * and the steps in a topological order of units.
 */
export function buildGraphModule(plan: GraphPlan, lib: GraphLibrary, rec: RecurrentSource): OnnxGraphModule {
  const { src, kinds } = plan;
  const built: Module[] = [];
  try {
    for (const s of plan.specs) {
      if (s.kind === 'Embedding') {
        const m = new lib.Embedding(s.inFeatures, s.outFeatures);
        built.push(m);
        m.loadStateDict({ weight: s.weight.floats() });
        s.module = m;
      } else {
        const m = new lib.Linear(s.inFeatures, s.outFeatures, { bias: s.bias !== null });
        built.push(m);
        const sd: Record<string, Tensor | Float32Array> = {};
        let tmp: Tensor[] = [];
        if (s.transposed) {
          const w = lib.tensor(s.weight.floats(), [s.inFeatures, s.outFeatures]);
          const wt = w.transpose(0, 1);
          tmp = [w, wt];
          sd.weight = wt;
        } else sd.weight = s.weight.floats();
        if (s.bias) sd.bias = s.bias.floats();
        try { m.loadStateDict(sd); } finally { for (const t of tmp) t.dispose(); }
        s.module = m;
      }
      s.module.eval();
    }
  } catch (e) {
    for (const m of built) m.dispose();
    throw e;
  }

  const producer = new Map<string, SrcNode>();
  for (const n of src.nodes) for (const o of n.outputs) if (o) producer.set(o, n);
  const byIndex = new Map<number, SrcNode>(src.nodes.map((n) => [n.index, n]));
  const liveSet = new Set(plan.nodes.map((p) => p.node));
  const recOf = new Map(src.recurrent.map((r) => [r.index, r]));
  const outputsSet = new Set(src.outputs);
  const inChildren = new Set<Module>();

  // consumers among live nodes (an absorbed Add reads the MatMul's output inside its unit)
  const uses = new Map<string, number>();
  for (const p of plan.nodes) {
    for (const i of p.node.inputs) if (i) uses.set(i, (uses.get(i) ?? 0) + 1);
    if (p.absorbs) for (const i of p.absorbs.inputs) if (i) uses.set(i, (uses.get(i) ?? 0) + 1);
  }
  // Shape nodes reading a layer's input X (a fixed-shape export sizes the next initial state so):
  // inside a chain X is not computed, but its shape is the chain input's [d0, d1, D·H]
  const shapeReaders = new Map<string, SrcNode[]>();
  for (const p of plan.nodes) {
    const n = p.node;
    if (n.opType === 'Shape' && n.inputs[0]) {
      let l = shapeReaders.get(n.inputs[0]);
      if (!l) shapeReaders.set(n.inputs[0], (l = []));
      l.push(n);
    }
  }
  const shapeOfChain = new Map<SrcNode, { x: string; width: number }>();
  // chains split where the glue is not exactly PyTorch's or an intermediate value is used elsewhere
  const chains: { nodes: SrcRecurrent[]; glue: SrcNode[] }[] = [];
  for (const chain of rec.chains) {
    const liveNodes = chain.filter((r) => liveSet.has(byIndex.get(r.index)!));
    let cur: { nodes: SrcRecurrent[]; glue: SrcNode[] } | null = null;
    for (const r of liveNodes) {
      if (cur) {
        const a = cur.nodes[cur.nodes.length - 1];
        const path = gluePath(a, r, producer, src);
        const x = r.inputs[0], readers = shapeReaders.get(x) ?? [];
        const exclusive = path !== null && !outputsSet.has(x) && uses.get(x) === 1 + readers.length &&
          [a.outputs[0], ...path.slice(0, -1).map((g) => g.outputs[0])].every((v) => uses.get(v) === 1 && !outputsSet.has(v)) &&
          path.every((g) => g.outputs.slice(1).every((o) => !o || (!uses.get(o) && !outputsSet.has(o))));
        if (exclusive) {
          for (const s of readers) shapeOfChain.set(s, { x: cur.nodes[0].inputs[0], width: a.numDirections * a.hiddenSize });
          cur.nodes.push(r);
          cur.glue.push(...path!);
          continue;
        }
      }
      cur = { nodes: [r], glue: [] };
      chains.push(cur);
    }
  }

  const consts = new Map<string, Tensor>();
  const constFloat = (name: string): Tensor => {
    let t = consts.get(name);
    if (!t) {
      const s = src.constant(name)!;
      t = lib.tensor(s.floats(), s.dims);
      consts.set(name, t);
    }
    return t;
  };

  // children in the order the graph runs them (emb, rnn, fc), as PyTorch lists its modules
  const children: [string, Module][] = [];
  const recurrentName = (r: SrcRecurrent): string => uniqueRecurrent(scopeOf(r) || r.opType.toLowerCase());
  const uniqueRecurrent = uniqueNamer(new Set<string>(plan.specs.map((s) => s.name)));

  const units = (withChains: boolean): Unit[] => {
    const out: Unit[] = [];
    const inChain = new Set<SrcNode>();
    if (withChains) {
      for (const c of chains) {
        const nodes = [...c.nodes.map((r) => byIndex.get(r.index)!), ...c.glue];
        for (const n of nodes) inChain.add(n);
        out.push(recurrentUnit(c.nodes, c.glue));
      }
    }
    for (const p of plan.nodes) {
      if (inChain.has(p.node)) continue;
      if (RECURRENT_OPS.has(p.node.opType)) out.push(recurrentUnit([recOf.get(p.node.index)!], []));
      else out.push(opUnit(p, withChains ? shapeOfChain.get(p.node) : undefined));
    }
    return out;
  };

  // ---- the units' steps

  const modulesOfChain = new Map<string, [string, Module]>();
  const recurrentUnit = (nodes: SrcRecurrent[], glue: SrcNode[]): Unit => {
    const first = nodes[0], L = nodes.length, last = nodes[L - 1];
    const D = first.numDirections, H = first.hiddenSize, layout = first.layout, op = first.opType;
    const reverse = first.direction === 'reverse';
    const reads = new Set<string>([first.inputs[0]]);
    if (first.inputs[4]) reads.add(first.inputs[4]);
    for (const r of nodes) { if (r.inputs[5]) reads.add(r.inputs[5]); if (r.inputs[6] && op === 'LSTM') reads.add(r.inputs[6]); }
    const writes = [last.outputs[0], ...nodes.flatMap((r) => r.outputs.slice(1))].filter((o) => !!o);
    const where = L === 1 ? label(byIndex.get(first.index)!) : `${op} nodes ${nodes.map((r) => show(r.name || `#${r.index}`)).join(', ')}`;
    return {
      reads: [...reads], writes,
      make: (slot, needed) => {
        const key = nodes.map((r) => r.index).join(',');
        let entry = modulesOfChain.get(key);
        if (!entry) {
          entry = [recurrentName(first), L === 1 ? rec.layer(first) : rec.stack(nodes)];
          modulesOfChain.set(key, entry);
          children.push(entry);
        }
        const module = entry[1] as any;
        const xs = slot(first.inputs[0]);
        const ls = first.inputs[4] ? slot(first.inputs[4]) : -1;
        const hs = nodes.map((r) => (r.inputs[5] ? slot(r.inputs[5]) : -1));
        const cs = nodes.map((r) => (op === 'LSTM' && r.inputs[6] ? slot(r.inputs[6]) : -1));
        const yOut = last.outputs[0] && needed(last.outputs[0]) ? slot(last.outputs[0]) : -1;
        const hOut = nodes.map((r) => (r.outputs[1] && needed(r.outputs[1]) ? slot(r.outputs[1]) : -1));
        const cOut = nodes.map((r) => (r.outputs[2] && needed(r.outputs[2]) ? slot(r.outputs[2]) : -1));
        /** Initial states of every layer as one (L·D, B, H) tensor, or null for zeros. */
        const state = (slots: number[], v: (Value | undefined)[], B: number): Tensor | null => {
          if (slots.every((s) => s < 0)) return null;
          const parts = slots.map((s) => {
            if (s < 0) return lib.zeros([D, B, H]);
            const t = v[s] as Tensor;
            const want = layout === 0 ? [D, B, H] : [B, D, H];
            if (t.dim !== 3 || t.shape.some((d, i) => d !== want[i])) err('initial state', `shape ${show(want)} (num_directions, batch, hidden_size${layout ? ', layout 1' : ''})`, `shape ${show(t.shape)}`);
            return layout === 0 ? t : t.transpose(0, 1);
          });
          return parts.length === 1 ? parts[0] : lib.cat(parts, 0);
        };
        return {
          where,
          run(v) {
            const x = v[xs] as Tensor;
            if (x.dim !== 3) err('X', `a 3-D tensor (${layout === 0 ? 'seq_length, batch_size' : 'batch_size, seq_length'}, input_size)`, `shape ${show(x.shape)}`);
            const T = x.shape[layout === 0 ? 0 : 1], B = x.shape[layout === 0 ? 1 : 0];
            const h0 = state(hs, v, B), c0 = op === 'LSTM' ? state(cs, v, B) : null;
            const xin = reverse ? flipTime(lib, x, layout) : x;
            // sequence_lens: PyTorch's packed-sequence semantics (outputs past a length are 0, the
            // final state is the one at its last step), as ONNX defines them
            const opts = ls >= 0 ? { lengths: (v[ls] as IntVal).data } : undefined;
            const res = op === 'LSTM' ? module.forward(xin, h0 || c0 ? [h0, c0] : null, opts) : module.forward(xin, h0, opts);
            let out: Tensor = res[0];
            const hN: Tensor = op === 'LSTM' ? res[1][0] : res[1], cN: Tensor | null = op === 'LSTM' ? res[1][1] : null;
            if (yOut >= 0) {
              if (reverse) out = flipTime(lib, out, layout);
              // output (T, B, D·H) → Y [T, D, B, H]; (B, T, D·H) → Y [B, T, D, H]
              v[yOut] = layout === 1 ? out.reshape(B, T, D, H) : D === 1 ? out.reshape(T, 1, B, H) : out.reshape(T, B, D, H).permute(0, 2, 1, 3);
            }
            const part = (s: Tensor, k: number): Tensor => {
              const p = L === 1 ? s : s.narrow(0, k * D, D);
              return layout === 0 ? p : p.transpose(0, 1);
            };
            for (let k = 0; k < L; k++) {
              if (hOut[k] >= 0) v[hOut[k]] = part(hN, k);
              if (cOut[k] >= 0) v[cOut[k]] = part(cN!, k);
            }
          },
        };
      },
    };
  };

  const opUnit = (p: PlannedNode, shapeOf?: { x: string; width: number }): Unit => {
    const n = p.node;
    const dataInput = n.opType === 'Gather' ? 1 : 0;
    const reads = shapeOf ? [shapeOf.x] : n.inputs.filter((i, k) => !!i && (!p.spec || k === dataInput));
    if (p.extraAdd) reads.push(p.extraAdd);
    const writes = (p.absorbs ? p.absorbs.outputs : n.outputs).filter((o) => !!o);
    return {
      reads, writes,
      make: (slot) => {
        if (p.spec && !inChildren.has(p.spec.module!)) { inChildren.add(p.spec.module!); children.push([p.spec.name, p.spec.module!]); }
        return { where: label(n), run: opRun(p, slot, shapeOf) };
      },
    };
  };

  const opRun = (p: PlannedNode, slot: (name: string) => number, shapeOf?: { x: string; width: number }): Step['run'] => {
    const n = p.node, op = n.opType;
    // a module's weight and bias are its parameters: only its data input gets a slot
    const dataInput = op === 'Gather' ? 1 : 0;
    const ins = n.inputs.map((i, k) => (i && (!p.spec || k === dataInput) ? slot(i) : -1));
    const out = slot((p.absorbs ? p.absorbs.outputs[0] : n.outputs[0]) || '');
    const isFloat = p.inKinds[0] === 'float';
    const attr = (key: string) => n.attrs.get(key);
    const attrInt = (key: string, dflt: number): number => { const a = attr(key); return a && a.has(3) ? a.int(3) : dflt; };
    const attrInts = (key: string): number[] | null => { const a = attr(key); return a ? a.ints(8) : null; };
    /** Integer input k (as JS numbers), or null when absent. */
    const intsIn = (v: (Value | undefined)[], k: number): number[] | null => (ins[k] >= 0 ? (v[ins[k]] as IntVal).data : null);
    const dimsOf = (x: Value): number[] => (isTensor(x) ? x.shape.slice() : x.dims.slice());
    const isTensor = (x: Value): x is Tensor => x instanceof lib.Tensor;
    const where = label(n);
    switch (op) {
      case 'Identity': case 'Dropout':
        return (v) => { v[out] = v[ins[0]]; };
      case 'Shape': {
        const start = attrInt('start', 0), hasEnd = attr('end') !== undefined, end = attrInt('end', 0);
        const xs = shapeOf ? slot(shapeOf.x) : -1;
        return (v) => {
          const d = shapeOf ? [...dimsOf(v[xs]!).slice(0, 2), shapeOf.width] : dimsOf(v[ins[0]]!), r = d.length;
          const clamp = (i: number) => Math.min(Math.max(i < 0 ? i + r : i, 0), r);
          const s = d.slice(clamp(start), hasEnd ? clamp(end) : r);
          v[out] = { dims: [s.length], data: s };
        };
      }
      case 'Gather': {
        const axis = attrInt('axis', 0);
        if (p.spec) {
          const emb = p.spec.module as Embedding;
          return (v) => {
            const idx = v[ins[1]] as IntVal;
            v[out] = emb.forward(idx.data, idx.dims);
          };
        }
        return (v) => { v[out] = gather(lib, v[ins[0]]!, v[ins[1]] as IntVal, axis, where); };
      }
      case 'Unsqueeze': case 'Squeeze': {
        const attrAxes = attrInts('axes');
        return (v) => {
          const x = v[ins[0]]!, d = dimsOf(x);
          const axes = attrAxes ?? intsIn(v, 1);
          let s: number[];
          if (op === 'Unsqueeze') {
            const r = d.length + axes!.length;
            const at = new Set(axes!.map((a) => axisOf(a, r, `${where}: axes`)));
            if (at.size !== axes!.length) err(`${where}: axes`, 'distinct axes', show(axes));
            s = [];
            for (let i = 0, k = 0; i < r; i++) s.push(at.has(i) ? 1 : d[k++]);
          } else if (!axes) {
            s = d.filter((x) => x !== 1);
          } else {
            const at = new Set(axes.map((a) => axisOf(a, d.length, `${where}: axes`)));
            for (const a of at) if (d[a] !== 1) err(`${where}: axes`, 'axes of size 1', `axis ${a} of size ${d[a]} (shape ${show(d)})`);
            s = d.filter((_, i) => !at.has(i));
          }
          v[out] = reshape(x, s);
        };
      }
      case 'Flatten': {
        const axis = attrInt('axis', 1);
        return (v) => {
          const x = v[ins[0]]!, d = dimsOf(x);
          const a = axis < 0 ? axis + d.length : axis;
          if (a < 0 || a > d.length) err(`${where}: attribute axis`, `an axis in [${-d.length}, ${d.length}]`, String(axis));
          v[out] = reshape(x, [count(d.slice(0, a)), count(d.slice(a))]);
        };
      }
      case 'Reshape': {
        const allowzero = attrInt('allowzero', 0);
        return (v) => {
          const x = v[ins[0]]!, d = dimsOf(x), shape = intsIn(v, 1)!;
          const s = shape.map((k, i) => (k === 0 && !allowzero ? d[i] : k));
          const known = s.filter((k) => k !== -1);
          if (s.length - known.length > 1 || known.some((k) => !Number.isInteger(k) || k < 0)) err(`${where}: shape`, 'sizes >= 0 and at most one -1', show(shape));
          const total = count(d), prod = count(known);
          if (known.length < s.length) {
            if (prod === 0 || total % prod) err(`${where}: shape`, `a shape for ${total} elements (input ${show(d)})`, show(shape));
            s[s.indexOf(-1)] = total / prod;
          } else if (prod !== total) err(`${where}: shape`, `a shape for ${total} elements (input ${show(d)})`, show(shape));
          v[out] = reshape(x, s);
        };
      }
      case 'Transpose': {
        const perm = attrInts('perm');
        return (v) => {
          const x = v[ins[0]]!, d = dimsOf(x), r = d.length;
          const q = perm ?? d.map((_, i) => r - 1 - i);
          if (q.length !== r || new Set(q).size !== r || q.some((k) => !Number.isInteger(k) || k < 0 || k >= r)) err(`${where}: attribute perm`, `a permutation of ${r} axes`, show(q));
          if (isTensor(x)) { v[out] = q.every((k, i) => k === i) ? x : x.permute(q); return; }
          const st = stridesOf(d), data: number[] = [];
          each(q.map((k) => d[k]), q.map((k) => st[k]), 0, (o) => data.push(x.data[o]));
          v[out] = { dims: q.map((k) => d[k]), data };
        };
      }
      case 'Concat': {
        const axis = attrInt('axis', 0);
        return (v) => {
          const xs = ins.filter((s) => s >= 0).map((s) => v[s]!);
          const d0 = dimsOf(xs[0]);
          const a = axisOf(axis, d0.length, `${where}: attribute axis`);
          if (isFloat) { v[out] = xs.length === 1 ? xs[0] : lib.cat(xs as Tensor[], a); return; }
          const iv = xs as IntVal[];
          iv.forEach((x, k) => {
            if (x.dims.length !== d0.length || x.dims.some((s, i) => i !== a && s !== d0[i])) err(`${where}: inputs[${k}]`, `shape ${show(d0)} except along axis ${a}`, show(x.dims));
          });
          const outer = count(d0.slice(0, a)), inner = count(d0.slice(a + 1)), data: number[] = [];
          for (let o = 0; o < outer; o++) for (const x of iv) { const len = x.dims[a] * inner; for (let j = 0; j < len; j++) data.push(x.data[o * len + j]); }
          const dims = d0.slice();
          dims[a] = iv.reduce((s, x) => s + x.dims[a], 0);
          v[out] = intVal(dims, data, where);
        };
      }
      case 'Slice': {
        const aStarts = attrInts('starts'), aEnds = attrInts('ends'), aAxes = attrInts('axes');
        return (v) => {
          const x = v[ins[0]]!, d = dimsOf(x);
          const starts = aStarts ?? intsIn(v, 1)!, ends = aEnds ?? intsIn(v, 2)!;
          const axes = (aAxes ?? intsIn(v, 3) ?? starts.map((_, i) => i)).map((a) => axisOf(a, d.length, `${where}: axes`));
          const steps = intsIn(v, 4) ?? starts.map(() => 1);
          if (starts.length !== ends.length || axes.length !== starts.length || steps.length !== starts.length) {
            err(`${where}: starts, ends, axes, steps`, 'lists of the same length', `${starts.length}, ${ends.length}, ${axes.length}, ${steps.length}`);
          }
          if (isTensor(x)) {
            let y = x;
            axes.forEach((a, i) => {
              if (steps[i] < 1) err(`${where}: steps`, 'steps >= 1 (float tensors slice forward only)', show(steps));
              y = y.slice(a, starts[i], ends[i], steps[i]);
            });
            v[out] = y;
            return;
          }
          // integers: ONNX's clamping, negative steps included
          const st = stridesOf(d), dims = d.slice(), ss = st.slice();
          let base = 0;
          axes.forEach((a, i) => {
            const n = d[a], step = steps[i];
            if (!step) err(`${where}: steps`, 'non-zero steps', show(steps));
            let s = starts[i] < 0 ? starts[i] + n : starts[i], e = ends[i] < 0 ? ends[i] + n : ends[i];
            if (step > 0) { s = Math.min(Math.max(s, 0), n); e = Math.min(Math.max(e, 0), n); } else { s = Math.min(Math.max(s, 0), n - 1); e = Math.min(Math.max(e, -1), n - 1); }
            const len = step > 0 ? Math.max(0, Math.ceil((e - s) / step)) : Math.max(0, Math.ceil((s - e) / -step));
            dims[a] = len;
            ss[a] = st[a] * step;
            base += s * st[a];
          });
          const data: number[] = [];
          each(dims, ss, base, (o) => data.push(x.data[o]));
          v[out] = { dims, data };
        };
      }
      case 'Expand': {
        return (v) => {
          const x = v[ins[0]]!, d = dimsOf(x), shape = intsIn(v, 1)!;
          const s = broadcast(d, shape, `${where}: shape`);
          if (isTensor(x)) { v[out] = s.length === d.length && s.every((k, i) => k === d[i]) ? x : x.mul(lib.ones(s)); return; }
          if (count(s) > INT_ELEMENTS) overLimit(where, 'elements in an integer value computed in JS', INT_ELEMENTS, count(s));
          const data: number[] = [];
          each(s, bstrides(d, s), 0, (o) => data.push(x.data[o]));
          v[out] = { dims: s, data };
        };
      }
      case 'Constant': {
        const [key] = [...n.attrs.keys()];
        const a = attr(key)!;
        const o = n.outputs[0];
        if (key === 'value') {
          const t = src.attrTensor(n, 'value')!;
          if (kinds.get(o) === 'float') return (v) => { v[out] = constFloat(o); };
          const iv: IntVal = { dims: t.dims.slice(), data: t.ints()! };
          return (v) => { v[out] = iv; };
        }
        if (key === 'value_int' || key === 'value_ints') {
          const iv: IntVal = key === 'value_int' ? { dims: [], data: [a.int(3)] } : { dims: [a.ints(8).length], data: a.ints(8) };
          return (v) => { v[out] = iv; };
        }
        const fs = key === 'value_float' ? [new DataView(a.last(2)!.bytes.buffer, a.last(2)!.bytes.byteOffset, 4).getFloat32(0, true)] : a.floats(7);
        const dims = key === 'value_float' ? [] : [fs.length];
        let t: Tensor | null = null;
        return (v) => { v[out] = t ??= keep(lib.tensor(fs, dims)); };
      }
      case 'ConstantOfShape': {
        const t = src.attrTensor(n, 'value');
        const isInt = kinds.get(n.outputs[0]) === 'int';
        const value = (t ? (isInt ? t.ints()![0] : t.floats()[0]) : 0) ?? 0;
        return (v) => {
          const shape = intsIn(v, 0)!;
          if (shape.some((k) => !Number.isInteger(k) || k < 0)) err(`${where}: input`, 'a shape of sizes >= 0', show(shape));
          if (!isInt) { v[out] = value === 0 ? lib.zeros(shape) : lib.full(shape, value); return; }
          const size = count(shape);
          if (size > INT_ELEMENTS) overLimit(where, 'elements in an integer value computed in JS', INT_ELEMENTS, size);
          v[out] = { dims: shape.slice(), data: new Array<number>(size).fill(value) };
        };
      }
      case 'Cast': {
        const toFloat = kinds.get(n.outputs[0]) === 'float';
        return (v) => {
          const x = v[ins[0]]!;
          v[out] = toFloat && !isTensor(x) ? lib.tensor(x.data, x.dims) : x;
        };
      }
      case 'Add': case 'Sub': case 'Mul': case 'Div': {
        if (isFloat) {
          const m = op === 'Add' ? 'add' : op === 'Sub' ? 'sub' : 'mul';
          return (v) => { v[out] = (v[ins[0]] as Tensor)[m](v[ins[1]] as Tensor); };
        }
        const f = op === 'Add' ? (a: number, b: number) => a + b : op === 'Sub' ? (a: number, b: number) => a - b
          : op === 'Mul' ? (a: number, b: number) => a * b
          : (a: number, b: number) => { if (b === 0) err(`${where}: B`, 'no integer division by zero', '0'); return Math.trunc(a / b); };
        return (v) => {
          const a = v[ins[0]] as IntVal, b = v[ins[1]] as IntVal;
          const s = broadcast(a.dims, b.dims, where);
          const sa = bstrides(a.dims, s), sb = bstrides(b.dims, s);
          const ia: number[] = [], ib: number[] = [];
          each(s, sa, 0, (o) => ia.push(o));
          each(s, sb, 0, (o) => ib.push(o));
          v[out] = intVal(s, ia.map((o, k) => f(a.data[o], b.data[ib[k]])), where);
        };
      }
      case 'MatMul': {
        if (p.spec) {
          const lin = p.spec.module as Linear;
          return (v) => { v[out] = lin.forward(v[ins[0]] as Tensor); };
        }
        return (v) => { v[out] = (v[ins[0]] as Tensor).matmul(v[ins[1]] as Tensor); };
      }
      case 'Gemm': {
        const extra = p.extraAdd ? slot(p.extraAdd) : -1;
        const transB = attrInt('transB', 0);
        const lin = p.spec ? (p.spec.module as Linear) : null;
        return (v) => {
          const a = v[ins[0]] as Tensor;
          if (a.dim !== 2) err(`${where}: input A`, 'a 2-D tensor (Gemm)', `shape ${show(a.shape)}`);
          let y: Tensor;
          if (lin) y = lin.forward(a);
          else {
            const b = v[ins[1]] as Tensor;
            y = a.matmul(transB ? b.transpose(0, 1) : b);
            if (ins[2] >= 0) y = y.add(v[ins[2]] as Tensor);
          }
          if (lin && extra >= 0) y = y.add(v[extra] as Tensor);
          v[out] = y;
        };
      }
      case 'Softmax': case 'LogSoftmax': {
        const legacy = src.opsetVersion > 0 && src.opsetVersion < 13;
        const axis = attrInt('axis', legacy ? 1 : -1);
        const log = op === 'LogSoftmax';
        return (v) => {
          const x = v[ins[0]] as Tensor;
          const r = x.dim, a = axisOf(axis, Math.max(r, 1), `${where}: attribute axis`);
          const f = (t: Tensor, d: number) => (log ? t.logSoftmax(d) : t.softmax(d));
          // before opset 13: over the flattened dimensions [axis, rank) (a 2-D view)
          if (!legacy || a === r - 1 || r === 0) { v[out] = f(x, r === 0 ? 0 : a); return; }
          v[out] = f(x.reshape(count(x.shape.slice(0, a)), count(x.shape.slice(a))), 1).reshape(x.shape);
        };
      }
      default: {
        const m = UNARY.get(op);
        if (m) return (v) => { v[out] = (v[ins[0]] as Tensor)[m](); };
        throw new RnnError(`${where}: expected a supported operator, got ${show(op)} (internal: no step)`);
      }
    }
    function reshape(x: Value, s: number[]): Value {
      return x instanceof lib.Tensor ? x.reshape(s) : { dims: s, data: (x as IntVal).data };
    }
  };

  /** Float constants created by Constant value_float(s) steps, freed with the model. */
  const kept: Tensor[] = [];
  const keep = (t: Tensor): Tensor => { kept.push(t); return t; };

  // ---- order the units (Kahn), chains first; with chains a cycle can appear (a later layer's
  // initial state computed from an earlier layer's output): then every node runs on its own.
  const sortUnits = (list: Unit[]): Unit[] | null => {
    const producerUnit = new Map<string, Unit>();
    for (const u of list) for (const w of u.writes) producerUnit.set(w, u);
    const deg = new Map<Unit, number>(), next = new Map<Unit, Unit[]>();
    for (const u of list) {
      let d = 0;
      for (const r of u.reads) {
        const p = producerUnit.get(r);
        if (p && p !== u) { d++; let l = next.get(p); if (!l) next.set(p, (l = [])); l.push(u); }
      }
      deg.set(u, d);
    }
    const order = list.filter((u) => deg.get(u) === 0);
    for (let h = 0; h < order.length; h++) {
      for (const c of next.get(order[h]) ?? []) {
        const d = deg.get(c)! - 1;
        deg.set(c, d);
        if (d === 0) order.push(c);
      }
    }
    return order.length === list.length ? order : null;
  };
  const sorted = sortUnits(units(true)) ?? sortUnits(units(false))!;
  // drop units whose outputs nothing needs (the glue's shape constants, unused Y_h …)
  const needed = new Set(src.outputs);
  const liveUnits: Unit[] = [];
  for (let k = sorted.length - 1; k >= 0; k--) {
    const u = sorted[k];
    if (!u.writes.some((w) => needed.has(w))) continue;
    liveUnits.unshift(u);
    for (const r of u.reads) needed.add(r);
  }
  // slots: graph inputs and constants first, then what the steps write
  const slots = new Map<string, number>();
  const slot = (name: string): number => {
    let s = slots.get(name);
    if (s === undefined) slots.set(name, (s = slots.size));
    return s;
  };
  const inputs = src.inputs;
  const inputSlots = inputs.map((i) => slot(i.name));
  const steps = liveUnits.map((u) => u.make(slot, (name) => needed.has(name)));
  // initializers read by steps directly (not through a module): floats as Tensors, integers as arrays
  const initSlots: [number, string][] = [];
  const inputNames = new Set(inputs.map((i) => i.name));
  for (const [name] of src.inits) if (slots.has(name) && !inputNames.has(name)) initSlots.push([slots.get(name)!, name]);
  const initInts = new Map<string, IntVal>();
  for (const [, name] of initSlots) {
    if (kinds.get(name) === 'int') { const t = src.inits.get(name)!; initInts.set(name, { dims: t.dims.slice(), data: t.ints()! }); }
  }
  const outSlots = src.outputs.map((o) => slot(o));
  const nSlots = slots.size;

  const info: OnnxGraphInput[] = inputs.map((i) => ({
    name: i.name, shape: i.dims ? i.dims.slice() : null,
    dtype: i.elemType === FLOAT || (i.elemType === 0 && kinds.get(i.name) === 'float') ? 'float32' : i.elemType === 0 ? 'int64' : dtypeName(i.elemType).toLowerCase(),
  }));

  // modules of nodes no output needs
  for (const s of plan.specs) if (!inChildren.has(s.module!)) s.module!.dispose();

  const exec: Executor = {
    children, inputs: info, outputs: src.outputs.slice(),
    forward(args: unknown[]) {
      const v = new Array<Value | undefined>(nSlots);
      const expected = `${inputs.length} input${inputs.length === 1 ? '' : 's'} (${inputs.map((i) => show(i.name)).join(', ')})`;
      const isShape = (x: unknown) => Array.isArray(x) && x.every((e) => typeof e === 'number');
      let a = 0, step: Step | null = null;
      try {
        inputs.forEach((inp, k) => {
          if (a >= args.length) err('forward', expected, `${args.length} argument${args.length === 1 ? '' : 's'}`);
          const arg = args[a++], kind = kinds.get(inp.name)!;
          // a flat typed array (or, for indices, a flat array) may be followed by its shape
          const flat = (ArrayBuffer.isView(arg) && !(arg instanceof DataView)) || (kind === 'int' && isShape(arg));
          const shape = flat && isShape(args[a]) ? args[a++] : undefined;
          v[inputSlots[k]] = readInput(lib, inp, kind, arg, shape, k);
        });
        if (a < args.length) err('forward', expected, `${args.length} arguments`);
        for (const [s, name] of initSlots) v[s] = kinds.get(name) === 'int' ? initInts.get(name)! : constFloat(name);
        for (step of steps) step.run(v);
      } catch (e) {
        if (!(e instanceof RnnError)) throw e;
        // RnnError from any bundle (instanceof holds across them) → the library's, naming the node
        const msg = (e as Error).message;
        throw new lib.RnnError(step && !msg.startsWith(step.where) ? `${step.where}: ${msg}` : msg);
      }
      const outs = outSlots.map((s) => {
        const x = v[s]!;
        return x instanceof lib.Tensor ? x : lib.tensor((x as IntVal).data, (x as IntVal).dims);
      });
      return outs.length === 1 ? outs[0] : outs;
    },
    free() {
      for (const t of consts.values()) t.dispose();
      consts.clear();
      for (const t of kept.splice(0)) t.dispose();
    },
  };
  const M = graphClass(lib);
  return new M(exec).eval();
}

const RECURRENT_OPS = new Set(['RNN', 'LSTM', 'GRU']);

/** Reverses the time axis (0 for layout 0, 1 for layout 1) by a row gather in Wasm. */
function flipTime(lib: GraphLibrary, x: Tensor, layout: 0 | 1): Tensor {
  const [A, Bb] = x.shape;
  if (layout === 0) {
    const idx = new Int32Array(A);
    for (let t = 0; t < A; t++) idx[t] = A - 1 - t;
    return lib.embeddingLookup(x.reshape(A, -1), idx, [A]).reshape(x.shape);
  }
  const idx = new Int32Array(A * Bb);
  for (let b = 0; b < A; b++) for (let t = 0; t < Bb; t++) idx[b * Bb + t] = b * Bb + Bb - 1 - t;
  return lib.embeddingLookup(x.reshape(A * Bb, -1), idx, [A * Bb]).reshape(x.shape);
}

/** Gather on a float tensor (a row gather in Wasm after moving `axis` first) or on integers (JS). */
function gather(lib: GraphLibrary, x: Value, idx: IntVal, axis: number, where: string): Value {
  const d = x instanceof lib.Tensor ? x.shape : (x as IntVal).dims;
  const a = axisOf(axis, d.length, `${where}: attribute axis`);
  const n = d[a];
  const pos = idx.data.map((k, i) => {
    const j = k < 0 ? k + n : k;
    if (!Number.isInteger(j) || j < 0 || j >= n) err(`${where}: indices[${i}]`, `an index in [${-n}, ${n - 1}] (axis ${a} of size ${n})`, String(k));
    return j;
  });
  const rest = d.filter((_, i) => i !== a);
  if (x instanceof lib.Tensor) {
    if (idx.dims.length === 0) return x.select(a, pos[0]);
    const moved = a === 0 ? x : x.permute([a, ...d.map((_, i) => i).filter((i) => i !== a)]);
    const g = lib.embeddingLookup(moved.reshape(n, -1), Int32Array.from(pos), [pos.length]).reshape([...idx.dims, ...rest]);
    if (a === 0) return g;
    // [idx…, rest…] → [rest[:a], idx…, rest[a:]]
    const q = idx.dims.length, perm: number[] = [];
    for (let i = 0; i < a; i++) perm.push(q + i);
    for (let i = 0; i < q; i++) perm.push(i);
    for (let i = a; i < rest.length; i++) perm.push(q + i);
    return g.permute(perm);
  }
  const iv = x as IntVal;
  const outer = count(d.slice(0, a)), inner = count(d.slice(a + 1)), data: number[] = [];
  for (let o = 0; o < outer; o++) for (const j of pos) for (let i = 0; i < inner; i++) data.push(iv.data[(o * n + j) * inner + i]);
  return intVal([...d.slice(0, a), ...idx.dims, ...d.slice(a + 1)], data, where);
}

/** One forward() argument for graph input k, checked against the declared type and fixed sizes. */
function readInput(lib: GraphLibrary, inp: SrcInput, kind: Kind, arg: unknown, shape: unknown, k: number): Value {
  const what = `inputs[${k}] (graph input ${show(inp.name)})`;
  let dims: number[];
  let value: Value;
  if (kind === 'float') {
    if (arg instanceof lib.Tensor) value = arg;
    else if (Array.isArray(arg) || typeof arg === 'number') value = lib.tensor(arg as number[]);
    else if (ArrayBuffer.isView(arg) && !(arg instanceof DataView)) value = lib.tensor(arg as unknown as ArrayLike<number>, (shape as number[] | undefined) ?? [(arg as unknown as ArrayLike<number>).length]);
    else err(what, 'a float Tensor (or nested arrays of numbers)', show(arg));
    dims = (value as Tensor).shape;
  } else {
    let flat: ArrayLike<unknown>;
    if (arg instanceof lib.Tensor) {
      if (shape !== undefined) err('shape', 'no shape with a Tensor (it has its own)', show(shape));
      flat = arg.toFloat32Array();
      dims = arg.shape.slice();
    } else if (typeof arg === 'number') {
      flat = [arg];
      dims = [];
    } else if (ArrayBuffer.isView(arg) && !(arg instanceof DataView) || Array.isArray(arg) && shape !== undefined) {
      flat = arg as unknown as ArrayLike<unknown>;
      dims = shape === undefined ? [flat.length] : (shape as number[]).slice();
      if (dims.some((s) => !Number.isInteger(s) || s < 0) || count(dims) !== flat.length) err('shape', `a shape with ${flat.length} elements (the indices' length)`, show(shape));
    } else if (Array.isArray(arg)) {
      // nested arrays: the shape from the first elements, then every level checked
      dims = [];
      for (let e: unknown = arg; Array.isArray(e); e = e[0]) {
        if (dims.length >= 64) err(what, 'nested arrays of at most 64 levels', 'deeper nesting');
        dims.push(e.length);
      }
      let level: unknown[] = [arg];
      for (let depth = 0; depth < dims.length; depth++) {
        const next: unknown[] = [];
        for (const e of level) {
          if (!Array.isArray(e) || e.length !== dims[depth]) err(what, `a rectangular nested array (length ${dims[depth]} at depth ${depth})`, Array.isArray(e) ? `length ${e.length}` : show(e));
          for (let i = 0; i < e.length; i++) next.push(e[i]);
        }
        level = next;
      }
      flat = level;
    } else {
      err(what, 'integer indices: nested arrays, a typed array followed by its shape, or a Tensor', show(arg));
    }
    const data = new Array<number>(flat.length);
    for (let i = 0; i < flat.length; i++) {
      const x = flat[i];
      // BigInt64Array (what onnxruntime feeds take) and bigint elements are read as numbers
      const y = typeof x === 'bigint' && x >= -(2n ** 53n) && x <= 2n ** 53n ? Number(x) : x;
      if (typeof y !== 'number' || !Number.isInteger(y)) err(`${what}, element ${i}`, 'an integer', typeof x === 'bigint' ? `${x}n` : show(x));
      data[i] = y;
    }
    value = intVal(dims, data, what);
  }
  if (inp.dims) {
    const want = inp.dims;
    if (want.length !== dims.length || want.some((w, i) => typeof w === 'number' && w !== dims[i])) {
      err(what, `shape ${show(want.map((w) => (typeof w === 'number' ? w : w ?? '?')))} (as exported: sizes given as numbers are fixed; export with dynamic_axes to vary them)`, `shape ${show(dims)}`);
    }
  }
  return value;
}
