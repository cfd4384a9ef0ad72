// Builders for the file formats the loaders read, for tests that need files no tool writes (huge
// counts, hostile names, deep nesting) and for the loader scaling bench: a tiny protobuf writer for
// ONNX ModelProto, safetensors from a header object, and TF.js model.json + weight bytes.
// Test-side only: plain JS, no library calls.

// ------------------------------------------------------------------------------- protobuf / ONNX

/** Wire bytes of a varint (non-negative, < 2^53, or a negative int64 as 10 bytes). */
export function varint(n: number): number[] {
  const out: number[] = [];
  if (n < 0) {
    // two's complement 64-bit: 10 bytes
    let lo = n >>> 0, hi = Math.floor(n / 4294967296) >>> 0;
    for (let i = 0; i < 10; i++) {
      const b = lo & 0x7f;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
      out.push(i < 9 ? b | 0x80 : b & 1);
    }
    return out;
  }
  while (n >= 0x80) { out.push((n % 128) | 0x80); n = Math.floor(n / 128); }
  out.push(n);
  return out;
}

/** A protobuf message under construction: fields appended in order into a growing buffer. */
export class Pb {
  private buf = new Uint8Array(64);
  private n = 0;
  private put(b: ArrayLike<number>): void {
    if (this.n + b.length > this.buf.length) {
      const g = new Uint8Array(Math.max(2 * this.buf.length, this.n + b.length));
      g.set(this.buf.subarray(0, this.n));
      this.buf = g;
    }
    this.buf.set(b, this.n);
    this.n += b.length;
  }
  int(num: number, v: number): this { this.put(varint(num * 8)); this.put(varint(v)); return this; }
  bytes(num: number, b: Uint8Array | number[]): this { this.put(varint(num * 8 + 2)); this.put(varint(b.length)); this.put(b); return this; }
  str(num: number, s: string): this { return this.bytes(num, new TextEncoder().encode(s)); }
  msg(num: number, m: Pb): this { return this.bytes(num, m.build()); }
  f32(num: number, v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.put(varint(num * 8 + 5));
    this.put(b);
    return this;
  }
  build(): Uint8Array { return this.buf.subarray(0, this.n); }
}

/** A float32 TensorProto (raw_data). */
export function onnxTensor(name: string, dims: number[], data: ArrayLike<number>): Pb {
  const t = new Pb();
  for (const d of dims) t.int(1, d);
  t.int(2, 1).str(8, name);
  const f = Float32Array.from(data);
  return t.bytes(9, new Uint8Array(f.buffer));
}

export const attrInt = (name: string, v: number) => new Pb().str(1, name).int(3, v).int(20, 2);
export const attrStr = (name: string, v: string) => new Pb().str(1, name).str(4, v).int(20, 3);

export interface NodeSpec { op: string; inputs: string[]; outputs: string[]; name?: string; attrs?: Pb[]; domain?: string }

export function onnxNode(n: NodeSpec): Pb {
  const p = new Pb();
  for (const i of n.inputs) p.str(1, i);
  for (const o of n.outputs) p.str(2, o);
  if (n.name) p.str(3, n.name);
  p.str(4, n.op);
  for (const a of n.attrs ?? []) p.msg(5, a);
  if (n.domain) p.str(7, n.domain);
  return p;
}

/** A ModelProto (ir_version 8, opset 14) around a graph of nodes and initializers. */
export function onnxModel(nodes: Pb[], inits: Pb[], inputs: string[], outputs: string[]): Uint8Array {
  const g = new Pb();
  for (const n of nodes) g.msg(1, n);
  g.str(2, 'g');
  for (const t of inits) g.msg(5, t);
  for (const i of inputs) g.msg(11, new Pb().str(1, i));
  for (const o of outputs) g.msg(12, new Pb().str(1, o));
  return new Pb().int(1, 8).str(2, 'filebuild').msg(7, g).msg(8, new Pb().str(1, '').int(2, 14)).build();
}

const GATES: Record<string, number> = { RNN: 1, LSTM: 4, GRU: 3 };

/**
 * `count` independent recurrent nodes (op, hidden size H, input size I, D directions), each reading
 * graph input x and its own W/R/B initializers (values from a small deterministic pattern), or one
 * shared set when `shared`.
 */
export function onnxManyNodes(count: number, op = 'LSTM', D = 2, H = 1, I = 1, shared = false): Uint8Array {
  const G = GATES[op];
  const pat = (n: number, s: number) => Array.from({ length: n }, (_, i) => (((i * 7 + s * 3) % 11) - 5) / 16);
  const nodes: Pb[] = [], inits: Pb[] = [];
  for (let k = 0; k < count; k++) {
    const p = shared ? 's' : `n${k}`;
    if (!shared || k === 0) {
      inits.push(onnxTensor(`${p}.W`, [D, G * H, I], pat(D * G * H * I, k)));
      inits.push(onnxTensor(`${p}.R`, [D, G * H, H], pat(D * G * H * H, k + 1)));
      inits.push(onnxTensor(`${p}.B`, [D, 2 * G * H], pat(D * 2 * G * H, k + 2)));
    }
    const attrs = [attrInt('hidden_size', H)];
    if (D === 2) attrs.push(attrStr('direction', 'bidirectional'));
    nodes.push(onnxNode({ op, inputs: ['x', `${p}.W`, `${p}.R`, `${p}.B`], outputs: [`y${k}`], name: `${op}_${k}`, attrs }));
  }
  return onnxModel(nodes, inits, ['x'], nodes.map((_, k) => `y${k}`));
}

/** A chain of `count` LSTM layers, each node's Y squeezed into the next one's X (a stacked export). */
export function onnxChain(count: number, op = 'LSTM', H = 2, I = 3): Uint8Array {
  const G = GATES[op];
  const pat = (n: number, s: number) => Array.from({ length: n }, (_, i) => (((i * 5 + s) % 13) - 6) / 20);
  const nodes: Pb[] = [], inits: Pb[] = [];
  let x = 'x';
  for (let k = 0; k < count; k++) {
    const inSize = k === 0 ? I : H;
    inits.push(onnxTensor(`W${k}`, [1, G * H, inSize], pat(G * H * inSize, k)));
    inits.push(onnxTensor(`R${k}`, [1, G * H, H], pat(G * H * H, k + 1)));
    nodes.push(onnxNode({ op, inputs: [x, `W${k}`, `R${k}`], outputs: [`Y${k}`], name: `L${k}`, attrs: [attrInt('hidden_size', H)] }));
    nodes.push(onnxNode({ op: 'Squeeze', inputs: [`Y${k}`], outputs: [`S${k}`] }));
    x = `S${k}`;
  }
  return onnxModel(nodes, inits, ['x'], [x]);
}

// ------------------------------------------------------------------------------- safetensors

/** A safetensors file from a header (object, or raw text) and data bytes; the header padded to 8 with spaces. */
export function safetensorsFile(header: unknown, data: Uint8Array = new Uint8Array(0), raw?: string): Uint8Array {
  const text = raw ?? JSON.stringify(header);
  let h = new TextEncoder().encode(text);
  const pad = (8 - (h.length % 8)) % 8;
  if (pad) { const hp = new Uint8Array(h.length + pad).fill(0x20); hp.set(h); h = hp; }
  const out = new Uint8Array(8 + h.length + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, h.length, true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

/** `count` entries: empty F32 tensors (shape [0]) when `empty`, else one float each. */
export function safetensorsMany(count: number, empty = true): Uint8Array {
  const header: Record<string, unknown> = {};
  for (let k = 0; k < count; k++) header[`t${k}`] = { dtype: 'F32', shape: empty ? [0] : [1], data_offsets: empty ? [0, 0] : [4 * k, 4 * k + 4] };
  const data = new Uint8Array(empty ? 0 : 4 * count);
  if (!empty) new Float32Array(data.buffer).forEach((_, i, a) => { a[i] = i / 8; });
  return safetensorsFile(header, data);
}

// ------------------------------------------------------------------------------- TF.js model.json

/** A Sequential model.json of `count` Dense layers (units u, input features u), plus its weight bytes. */
export function tfjsDenseStack(count: number, u = 2): { json: Record<string, unknown>; data: Uint8Array } {
  const layers: unknown[] = [];
  const weights: unknown[] = [];
  for (let k = 0; k < count; k++) {
    const config: Record<string, unknown> = { name: `dense_${k}`, units: u, activation: 'linear', use_bias: true };
    if (k === 0) config.batch_input_shape = [null, u];
    layers.push({ class_name: 'Dense', config });
    weights.push({ name: `dense_${k}/kernel`, shape: [u, u], dtype: 'float32' }, { name: `dense_${k}/bias`, shape: [u], dtype: 'float32' });
  }
  const n = count * (u * u + u);
  const f = new Float32Array(n);
  for (let i = 0; i < n; i++) f[i] = ((i % 7) - 3) / 8;
  return {
    json: { modelTopology: { class_name: 'Sequential', config: { name: 'seq', layers } }, weightsManifest: [{ paths: ['w.bin'], weights }] },
    data: new Uint8Array(f.buffer),
  };
}

/** JSON text of `depth` nested arrays (or objects), e.g. [[[...]]]: what makes a recursive walk overflow. */
export function deepJson(depth: number, kind: 'array' | 'object' = 'array'): string {
  return kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}
