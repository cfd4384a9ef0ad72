// The one Wasm module: every number wasm-rnn computes is computed here.
// Exports take pointers (byte offsets into this module's memory) and sizes, nothing else.
export * from './alloc';
export * from './gemm';
export * from './activations';
export * from './elementwise';
export * from './rnn';
export * from './lstm';
export * from './gru';
export * from './linear';
export * from './loss';
export * from './optim';
export * from './random';
export * from './convert';
export * from './gather';
export * from './mask';
export * from './softmax';
export { proj_steps, weights_t } from './seq';
