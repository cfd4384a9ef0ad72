// TF.js (layers API) with @tensorflow/tfjs-backend-wasm (1 thread) and the pure-JS cpu
// backend. Both backends live in one process: every model is built while its backend is
// active and only ever run with that backend selected (harness `before` hook), so TF.js never
// migrates its weights between backends.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { setThreadsCount, getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import type { Workload } from '../workloads.js';
import { permuteGates, type StateArrays } from './ort.js';

export type TfBackend = 'wasm' | 'cpu';

let ready = false;
export async function initTf(): Promise<{ version: string; wasmThreads: number; wasmSimd: boolean }> {
  if (!ready) {
    tf.enableProdMode(); // no debug checks, no "install tfjs-node" banner
    setThreadsCount(1);
    if (!(await tf.setBackend('wasm'))) throw new Error('TF.js wasm backend failed to initialise');
    ready = true;
  }
  await tf.setBackend('wasm');
  return { version: tf.version.tfjs, wasmThreads: getThreadsCount(), wasmSimd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT') as boolean };
}

export async function useBackend(b: TfBackend): Promise<void> {
  if (tf.getBackend() !== b) await tf.setBackend(b);
}

/** TF.js gate order from PyTorch's: LSTM i,f,c,o = PyTorch i,f,g,o; GRU z,r,h (PyTorch r,z,n). */
const TF_ORDER = { RNN: [0], LSTM: [0, 1, 2, 3], GRU: [1, 0, 2] };

/** [rows, cols] row-major → [cols, rows]. */
function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return out;
}

/**
 * Keras weights [kernel (in, G·H), recurrentKernel (H, G·H), bias (G·H)] of one PyTorch
 * layer-direction. Keras has one bias: b_ih + b_hh (exact for RNN/LSTM; for the GRU's
 * candidate gate Keras with resetAfter=false has no equivalent, so its output differs).
 */
function kerasWeights(w: Workload, sd: StateArrays, prefix: string, sfx: string, inl: number): tf.Tensor[] {
  const G = { RNN: 1, LSTM: 4, GRU: 3 }[w.mode], H = w.H, order = TF_ORDER[w.mode];
  const wih = permuteGates(sd[`${prefix}weight_ih${sfx}`], order, H, inl);
  const whh = permuteGates(sd[`${prefix}weight_hh${sfx}`], order, H, H);
  const bih = sd[`${prefix}bias_ih${sfx}`], bhh = sd[`${prefix}bias_hh${sfx}`];
  const b = permuteGates(bih.map((v, i) => v + bhh[i]), order, H);
  return [tf.tensor2d(transpose(wih, G * H, inl), [inl, G * H]), tf.tensor2d(transpose(whh, G * H, H), [H, G * H]), tf.tensor1d(b)];
}

function recurrentLayer(w: Workload, returnSequences: boolean, inputShape?: number[]): tf.layers.Layer {
  // initializers are irrelevant (weights are overwritten) but the default orthogonal one is slow
  const common = {
    units: w.H, returnSequences, kernelInitializer: 'zeros', recurrentInitializer: 'zeros',
    ...(inputShape && w.D === 1 ? { inputShape } : {}),
  } as const;
  if (w.mode === 'RNN') return tf.layers.simpleRNN({ ...common, activation: 'tanh' });
  // Keras defaults recurrentActivation to hardSigmoid; PyTorch uses the sigmoid
  if (w.mode === 'LSTM') return tf.layers.lstm({ ...common, recurrentActivation: 'sigmoid' });
  return tf.layers.gru({ ...common, recurrentActivation: 'sigmoid' }); // resetAfter=false only
}

/** The stacked recurrent layers of `w` (batch-first input), weights from wasm-rnn's state dict. */
function addRecurrent(model: tf.Sequential, w: Workload, sd: StateArrays, prefix: string, lastReturnsSequences: boolean): void {
  for (let l = 0; l < w.L; l++) {
    const inl = l === 0 ? w.I : w.D * w.H;
    const rs = l < w.L - 1 || lastReturnsSequences;
    const inputShape = l === 0 ? [w.T, w.I] : undefined;
    if (w.D === 2) {
      const layer = tf.layers.bidirectional({ layer: recurrentLayer(w, rs) as tf.RNN, mergeMode: 'concat', ...(inputShape ? { inputShape } : {}) });
      model.add(layer);
      layer.setWeights([...kerasWeights(w, sd, prefix, `_l${l}`, inl), ...kerasWeights(w, sd, prefix, `_l${l}_reverse`, inl)]);
    } else {
      const layer = recurrentLayer(w, rs, inputShape);
      model.add(layer);
      layer.setWeights(kerasWeights(w, sd, prefix, `_l${l}`, inl));
    }
  }
}

export interface TfForward { run(xBatchFirst: Float32Array): Float32Array; dispose(): void }

/** W1–W3: X (B,T,I) → Y (B,T,D·H). Call with `b` selected. */
export function tfForwardModel(w: Workload, sd: StateArrays): TfForward {
  const model = tf.sequential();
  addRecurrent(model, w, sd, '', true);
  return {
    run: (x) => tf.tidy(() => (model.predict(tf.tensor3d(x, [w.B, w.T, w.I])) as tf.Tensor).dataSync() as Float32Array),
    dispose: () => model.dispose(),
  };
}

export interface TfTrain { step(xBatchFirst: Float32Array, labels: Int32Array): number; dispose(): void }

/**
 * W4/W5: recurrent layers → Dense on the last step, softmax cross-entropy (mean over the batch),
 * Adam(lr, 0.9, 0.999, eps 1e-8 as PyTorch) via optimizer.minimize. One step per call;
 * returns the pre-step loss. `sd` holds wasm-rnn's weights (keys rnn.*, fc.*).
 */
export function tfTrainModel(w: Workload, sd: StateArrays): TfTrain {
  const model = tf.sequential();
  addRecurrent(model, w, sd, 'rnn.', false);
  const dense = tf.layers.dense({ units: w.classes!, kernelInitializer: 'zeros' });
  model.add(dense);
  dense.setWeights([tf.tensor2d(transpose(sd['fc.weight'], w.classes!, w.H * w.D), [w.H * w.D, w.classes!]), tf.tensor1d(sd['fc.bias'])]);
  const opt = tf.train.adam(w.lr!, 0.9, 0.999, 1e-8);
  const vars = model.trainableWeights.map((v) => v.read() as tf.Variable);
  return {
    step: (x, labels) => tf.tidy(() => {
      const xs = tf.tensor3d(x, [w.B, w.T, w.I]);
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), w.classes!);
      const cost = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar, true, vars);
      return cost!.dataSync()[0];
    }),
    dispose: () => { model.dispose(); opt.dispose(); },
  };
}

export const tfNumTensors = () => tf.memory().numTensors;
