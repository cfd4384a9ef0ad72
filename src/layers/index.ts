// The Keras-style layers API, named as in TF.js: `sequential({ layers })` and the `layers`
// namespace. Everything computes through the PyTorch-style modules (and so the one Wasm module).
//
//   const model = sequential({ layers: [
//     layers.simpleRNN({ units: 3, inputShape: [2, 10] }),           // (None, 2, 10) → (None, 3)
//     layers.dense({ units: 2, activation: 'softmax' }),
//   ] });
//   model.summary();  model.predict(x);  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
import { DenseLayer, DropoutLayer, FlattenLayer, type DenseLayerArgs, type DropoutLayerArgs } from './core.js';
import { EmbeddingLayer, type EmbeddingLayerArgs } from './embedding.js';
import { Sequential, type SequentialArgs } from './model.js';
import { RecurrentLayer, type GRULayerArgs, type LSTMLayerArgs, type SimpleRNNLayerArgs } from './recurrent.js';
import type { LayerArgs } from './base.js';
import { BidirectionalLayer, TimeDistributedLayer, type BidirectionalLayerArgs, type TimeDistributedLayerArgs } from './wrappers.js';

/** Keras-style layer factories (TF.js's tf.layers): embedding, simpleRNN, lstm, gru, bidirectional, dense, dropout, timeDistributed, flatten. */
export const layers = {
  /** Keras SimpleRNN: h_t = act(x_t·kernel + h_{t−1}·recurrent_kernel + bias). Input (B, T, F). */
  simpleRNN: (args: SimpleRNNLayerArgs): RecurrentLayer => new RecurrentLayer('SimpleRNN', args),
  /** Keras LSTM (gates i, f, c, o; sigmoid recurrent activation). Input (B, T, F). */
  lstm: (args: LSTMLayerArgs): RecurrentLayer => new RecurrentLayer('LSTM', args),
  /** Keras GRU (gates z, r, h); resetAfter true (default) or false. Input (B, T, F). */
  gru: (args: GRULayerArgs): RecurrentLayer => new RecurrentLayer('GRU', args),
  /** Keras Bidirectional wrapper around a recurrent layer, mergeMode 'concat' | 'sum' | 'mul' | 'ave' | null. */
  bidirectional: (args: BidirectionalLayerArgs): BidirectionalLayer => new BidirectionalLayer(args),
  /** Keras Dense: act(x·kernel + bias) over the last dimension. */
  dense: (args: DenseLayerArgs): DenseLayer => new DenseLayer(args),
  /** Keras Embedding: integer indices (B, T) → (B, T, outputDim); maskZero makes index 0 padding (a mask for the layers after it). */
  embedding: (args: EmbeddingLayerArgs): EmbeddingLayer => new EmbeddingLayer(args),
  /** Keras Dropout: identity at inference, inverted dropout of `rate` in training (fit). */
  dropout: (args: DropoutLayerArgs): DropoutLayer => new DropoutLayer(args),
  /** Keras TimeDistributed: a Dense layer applied to every timestep, (B, T, F) → (B, T, units). */
  timeDistributed: (args: TimeDistributedLayerArgs): TimeDistributedLayer => new TimeDistributedLayer(args),
  /** Keras Flatten: (B, d1, d2, …) → (B, d1·d2·…). */
  flatten: (args?: LayerArgs): FlattenLayer => new FlattenLayer(args),
};

/** A Sequential model (TF.js's tf.sequential). */
export function sequential(args?: SequentialArgs): Sequential { return new Sequential(args); }

/** The Keras-style model class (what `sequential()` returns); `Sequential` is the PyTorch-style module (src/sequential.ts). */
export { Sequential as KerasSequential, RecurrentLayer, BidirectionalLayer, DenseLayer, EmbeddingLayer, DropoutLayer, TimeDistributedLayer, FlattenLayer };
export { Layer, clearSession, type Shape, type ActivationName, type LayerArgs, type CallOptions, type WeightValue } from './base.js';
export { fromKerasWeights, toKerasWeights, type FromKerasOptions, type KerasKind } from './convert.js';
export { loadLayersModelFromJSON, type WeightSpec } from './io.js';
export type { SequentialArgs, CompileArgs, FitArgs, History, Callbacks, Logs, LossArg } from './model.js';
export type { SimpleRNNLayerArgs, LSTMLayerArgs, GRULayerArgs } from './recurrent.js';
export type { BidirectionalLayerArgs, MergeMode } from './wrappers.js';
export type { DenseLayerArgs, DropoutLayerArgs } from './core.js';
export type { EmbeddingLayerArgs, EmbeddingsInitializer } from './embedding.js';
export type { TimeDistributedLayerArgs } from './wrappers.js';
export type { MaskValue } from './mask.js';
