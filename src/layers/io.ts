// Loading a TF.js layers model: the `model.json` that `model.save()` (or the tensorflowjs
// converter) writes — { modelTopology, weightsManifest: [{ paths, weights: [{ name, shape,
// dtype, quantization? }] }] } — plus the bytes of its weight shards, or the ModelArtifacts a
// TF.js save handler receives ({ modelTopology, weightSpecs, weightData }). No fetch: the caller
// passes the bytes. Sequential models of SimpleRNN, LSTM, GRU, Bidirectional, Dense, Embedding,
// Dropout, TimeDistributed and Flatten layers.
//
// Weights are read in the manifest's order (TF.js and Keras both write model.weights order:
// layer by layer, each in Keras order), each checked by its name's last part (kernel,
// recurrent_kernel, bias, embeddings) and its shape. float32 is copied; float16-quantized weights are
// widened in Wasm; other dtypes / quantizations throw RnnError.
import { RnnError, fail, show } from '../errors.js';
import { tensorFromBytes } from '../safetensors.js';
import { safePoint } from '../storage.js';
import type { Tensor } from '../tensor.js';
import { Layer, type Shape } from './base.js';
import { DenseLayer, DropoutLayer, FlattenLayer } from './core.js';
import { EmbeddingLayer } from './embedding.js';
import { Sequential } from './model.js';
import { RecurrentLayer } from './recurrent.js';
import { BidirectionalLayer, TimeDistributedLayer } from './wrappers.js';

/** One entry of a TF.js weights manifest. */
export interface WeightSpec { name: string; shape: number[]; dtype?: string; quantization?: { dtype: string; scale?: number; min?: number } }

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

// Keras config keys each layer reads; everything else (initializers, regularizers, constraints,
// implementation, …) changes nothing at inference and is skipped
const COMMON = ['name', 'trainable'];
const RNN_KEYS = ['units', 'activation', 'use_bias', 'return_sequences', 'return_state', 'go_backwards', 'stateful', 'unroll', 'dropout', 'recurrent_dropout', 'time_major'];
const KEYS: Record<string, string[]> = {
  SimpleRNN: RNN_KEYS,
  LSTM: [...RNN_KEYS, 'recurrent_activation', 'unit_forget_bias'],
  GRU: [...RNN_KEYS, 'recurrent_activation', 'reset_after'],
  Dense: ['units', 'activation', 'use_bias'],
  Embedding: ['input_dim', 'output_dim', 'mask_zero', 'input_length'],
  Dropout: ['rate', 'noise_shape', 'seed'],
  Flatten: ['data_format'],
};
const IGNORED = /(_initializer|_regularizer|_constraint)$|^(implementation|dtype|batch_input_shape|batch_shape|input_dtype|sparse|ragged|input_length|seed|zero_output_for_mask|use_cudnn)$/;

function checkDtype(where: string, d: unknown): void {
  const name = isObj(d) && isObj(d.config) ? d.config.name : d;   // Keras 3 writes a DTypePolicy object
  if (d !== undefined && d !== null && name !== 'float32') fail(`${where}.dtype`, "'float32'", name);
}

function batchShapeOf(entry: Json, cfg: Json): Shape | undefined {
  const s = cfg.batch_input_shape ?? cfg.batch_shape ?? (isObj(entry.build_config) ? entry.build_config.input_shape : undefined);
  return s === undefined || s === null ? undefined : (s as Shape);
}

/** A layer from one entry of a Sequential config ({ class_name, config }). */
function layerFrom(entry: unknown, where: string, inputShape: Shape | undefined): Layer {
  if (!isObj(entry) || typeof entry.class_name !== 'string' || !isObj(entry.config)) fail(where, 'a layer entry { class_name, config }', entry);
  const cls = entry.class_name as string, cfg = entry.config as Json;
  checkDtype(`${where}.config`, cfg.dtype);
  const args: Json = {};
  const shape = batchShapeOf(entry, cfg) ?? inputShape;
  if (shape) args.batchInputShape = shape;
  if (cls === 'Bidirectional') {
    if (cfg.backward_layer !== undefined && cfg.backward_layer !== null) fail(`${where}.config.backward_layer`, 'none (a separate backward layer is not supported)', cfg.backward_layer);
    const inner = layerFrom(cfg.layer, `${where}.config.layer`, undefined);
    if (!(inner instanceof RecurrentLayer)) fail(`${where}.config.layer`, 'a SimpleRNN, LSTM or GRU layer', inner.className);
    for (const k of COMMON) if (cfg[k] !== undefined && cfg[k] !== null) args[k] = cfg[k];
    return new BidirectionalLayer({ ...args, layer: inner as RecurrentLayer, mergeMode: (cfg.merge_mode ?? null) as never } as never);
  }
  if (cls === 'TimeDistributed') {
    const inner = layerFrom(cfg.layer, `${where}.config.layer`, undefined);
    if (!(inner instanceof DenseLayer) && !(inner instanceof DropoutLayer)) fail(`${where}.config.layer`, 'a Dense or Dropout layer', inner.className);
    for (const k of COMMON) if (cfg[k] !== undefined && cfg[k] !== null) args[k] = cfg[k];
    return new TimeDistributedLayer({ ...args, layer: inner as DenseLayer } as never);
  }
  const keys = KEYS[cls];
  if (!keys) fail(`${where}.class_name`, "'SimpleRNN', 'LSTM', 'GRU', 'Bidirectional', 'Dense', 'Embedding', 'Dropout', 'TimeDistributed', 'Flatten' or 'InputLayer'", cls);
  for (const [k, v] of Object.entries(cfg)) {
    if (v === null || v === undefined) continue;   // TF.js writes null for unset options
    if (COMMON.includes(k) || keys.includes(k)) args[k] = v;
    else if (cls === 'Embedding' && /^(embeddings_regularizer|activity_regularizer|embeddings_constraint)$/.test(k)) continue;
    else if (!IGNORED.test(k) && k !== 'input_dim') throw new RnnError(`${where}.config: expected only options wasm-rnn knows for ${cls}, got ${show(k)} = ${JSON.stringify(v)}`);
  }
  if (cls === 'Dense') return new DenseLayer(args as never);
  if (cls === 'Embedding') return new EmbeddingLayer(args as never);
  if (cls === 'Dropout') return new DropoutLayer(args as never);
  if (cls === 'Flatten') return new FlattenLayer(args as never);
  return new RecurrentLayer(cls as 'SimpleRNN' | 'LSTM' | 'GRU', args as never);
}

function concatBuffers(data: unknown): Uint8Array {
  const list = Array.isArray(data) ? data : [data];
  const parts = list.map((b, i) => {
    if (b instanceof ArrayBuffer) return new Uint8Array(b);
    if (ArrayBuffer.isView(b)) return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    return fail(`weightData[${i}]`, 'an ArrayBuffer or a Uint8Array (a weight shard)', b);
  });
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/**
 * Builds a `sequential` model from a TF.js layers model and its weights.
 * modelJson: the parsed (or string) `model.json` — or TF.js ModelArtifacts, whose own
 * weightSpecs / weightData are used. weightData: the weight shards' bytes in the manifest's
 * path order (one ArrayBuffer, or an array of them; concatenated). Throws RnnError for a
 * topology or weights it cannot represent, before any weight is written.
 */
export function loadLayersModelFromJSON(modelJson: string | object, weightData?: ArrayBuffer | ArrayBufferView | (ArrayBuffer | ArrayBufferView)[]): Sequential {
  let j: unknown = modelJson;
  if (typeof j === 'string') {
    try { j = JSON.parse(j); } catch (e) { fail('modelJson', 'JSON text of a model.json', `invalid JSON (${(e as Error).message})`, true); }
  }
  if (!isObj(j)) fail('modelJson', 'a model.json object { modelTopology, weightsManifest }', j);
  const root = j as Json;
  if (!isObj(root.modelTopology)) fail('modelJson.modelTopology', 'an object (the Keras model config)', root.modelTopology);
  const mt = root.modelTopology as Json;
  const topo = (isObj(mt.model_config) ? mt.model_config : mt) as Json;   // the converter nests it under model_config
  if (topo.class_name !== 'Sequential') fail('modelJson.modelTopology.class_name', "'Sequential' (other model classes are not supported)", topo.class_name);
  const cfg = topo.config;
  const entries = Array.isArray(cfg) ? cfg : isObj(cfg) && Array.isArray(cfg.layers) ? cfg.layers : fail('modelTopology.config.layers', 'an array of layers', cfg);
  // weight specs
  let specs: WeightSpec[];
  if (Array.isArray(root.weightsManifest)) {
    specs = (root.weightsManifest as unknown[]).flatMap((g, i) => {
      if (!isObj(g) || !Array.isArray(g.weights)) return fail(`weightsManifest[${i}]`, 'a group { paths, weights }', g);
      return g.weights as WeightSpec[];
    });
  } else if (Array.isArray(root.weightSpecs)) {
    specs = root.weightSpecs as WeightSpec[];
  } else {
    return fail('modelJson', 'a weightsManifest (model.json) or weightSpecs (ModelArtifacts)', 'neither', true);
  }
  const data = weightData ?? (root.weightData as ArrayBuffer | ArrayBuffer[] | undefined);
  if (data === undefined && specs.length) fail('weightData', 'the weight shards (ArrayBuffer or array of them)', undefined);
  const bytes = data === undefined ? new Uint8Array(0) : concatBuffers(data);
  // layers
  const name = isObj(cfg) && typeof cfg.name === 'string' && cfg.name ? cfg.name : undefined;
  let pendingShape: Shape | undefined;
  let intInput: string | null = null;
  const layers: Layer[] = [];
  (entries as unknown[]).forEach((e, i) => {
    const where = `modelTopology.config.layers[${i}]`;
    if (isObj(e) && e.class_name === 'InputLayer') {
      const c = isObj(e.config) ? e.config : {};
      // integer inputs are an Embedding's indices
      const d = isObj(c.dtype) && isObj(c.dtype.config) ? c.dtype.config.name : c.dtype;
      if (d === 'int32' || d === 'int64') intInput = `${where}.config.dtype`;
      else checkDtype(`${where}.config`, c.dtype);
      pendingShape = batchShapeOf(e, c);
      return;
    }
    layers.push(layerFrom(e, where, layers.length === 0 ? pendingShape : undefined));
  });
  if (intInput && !(layers[0] instanceof EmbeddingLayer)) fail(intInput, "'float32' (integer inputs go to an Embedding layer)", layers[0]?.className ?? 'no layer');
  if (!layers.length) fail('modelTopology.config.layers', 'at least one layer', entries);
  if (!layers[0].batchInputShape) return fail(`${layers[0].name}`, 'a batch_input_shape on the first layer (the model must be built)', undefined);
  // match the specs to the layers' weights — order, names, shapes, dtypes, byte ranges — before
  // building anything
  const plan: { items: { spec: WeightSpec; begin: number; end: number; f16: boolean }[] }[] = [];
  let k = 0, pos = 0, shape: Shape = layers[0].batchInputShape;
  for (const l of layers) {
    const p = l._plan(shape);
    const shapes = p.shapes;
    shape = p.out as Shape;
    const names = l instanceof DenseLayer || l instanceof TimeDistributedLayer ? ['kernel', 'bias'] : l instanceof EmbeddingLayer ? ['embeddings'] : ['kernel', 'recurrent_kernel', 'bias'];
    const per = l instanceof BidirectionalLayer ? shapes.length / 2 : shapes.length;
    const items = [];
    for (let i = 0; i < shapes.length; i++, k++) {
      const s = specs[k];
      const at = `weights[${k}]`;
      if (!isObj(s)) fail(at, `a weight spec for ${l.name} (${shapes.length} weights)`, s ?? `only ${specs.length} weights`);
      const want = names[i % per];
      const last = String(s.name).split('/').pop()!.replace(/:\d+$/, '');
      if (last !== want) fail(`${at}.name`, `a name ending in ${show(want)} (weight ${i} of ${l.name})`, s.name);
      if (!Array.isArray(s.shape) || s.shape.length !== shapes[i].length || s.shape.some((v, d) => v !== shapes[i][d])) {
        fail(`${at}.shape`, `${show(shapes[i])} for ${show(s.name)}`, s.shape);
      }
      const dtype = s.dtype ?? 'float32';
      if (dtype !== 'float32') fail(`${at}.dtype`, "'float32'", dtype);
      const q = s.quantization;
      if (q !== undefined && (!isObj(q) || q.dtype !== 'float16')) fail(`${at}.quantization`, "none or { dtype: 'float16' } (uint8/uint16 quantization is not supported)", q);
      const n = shapes[i].reduce((a, b) => a * b, 1) * (q ? 2 : 4);
      items.push({ spec: s, begin: pos, end: pos + n, f16: !!q });
      pos += n;
    }
    plan.push({ items });
  }
  if (k !== specs.length) fail('weights', `${k} weight specs (what the layers have)`, `${specs.length}`, true);
  if (pos !== bytes.length) fail('weightData', `${pos} bytes (what the weight specs add up to)`, `${bytes.length}`, true);
  const model = new Sequential({ layers, name });
  safePoint();
  plan.forEach(({ items }, i) => {
    const ws: Tensor[] = items.map((it) => tensorFromBytes(bytes.subarray(it.begin, it.end), it.f16 ? 'F16' : 'F32', it.spec.shape));
    model.layers[i].setWeights(ws);
  });
  return model;
}
