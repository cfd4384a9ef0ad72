// The public surface shared by the default entry (wasm embedded) and wasm-rnn/slim.
export { RnnError } from './errors.js';
export { Tensor, Parameter, tensor, zeros, ones, full, randn, rand, manualSeed, cat, stack, type NestedArray, type Shape } from './tensor.js';
export { noGrad, isGradEnabled } from './autograd.js';
export { Module, ModuleList, type StateDict } from './module.js';
export { RNN, LSTM, GRU, type RNNOptions, type LSTMOptions, type GRUOptions, type ForwardOptions, type StepState } from './rnn.js';
export { RNNCell, LSTMCell, GRUCell } from './cells.js';
export { Linear } from './linear.js';
export { crossEntropy, mseLoss, bceWithLogits } from './loss.js';
export { Optimizer, SGD, Adam, AdamW, clipGradNorm } from './optim.js';
export { setMemoryBudget, memoryStats } from './storage.js';
export { _internal } from './internal.js';
export { loadSafetensors, saveSafetensors, safetensorsHeader, type SafetensorsHeader, type SafetensorsEntry } from './safetensors.js';
export { layers, sequential, Sequential, Layer, RecurrentLayer, BidirectionalLayer, DenseLayer, clearSession, fromKerasWeights, toKerasWeights, loadLayersModelFromJSON } from './layers/index.js';
export type { Shape as KerasShape, ActivationName, LayerArgs, CallOptions, WeightValue, FromKerasOptions, KerasKind, WeightSpec, SequentialArgs, CompileArgs, FitArgs, History, Callbacks, Logs, LossArg, SimpleRNNLayerArgs, LSTMLayerArgs, GRULayerArgs, BidirectionalLayerArgs, MergeMode, DenseLayerArgs } from './layers/index.js';
export { quantize, QuantizedLinear, type QuantizeOptions } from './quantize.js';
export { QuantizedRNN, QuantizedLSTM, QuantizedGRU, QuantizedRNNCell, QuantizedLSTMCell, QuantizedGRUCell } from './qrnn.js';
export { Int8Tensor } from './int8.js';
