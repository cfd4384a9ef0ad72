// The one Wasm module: every number wasm-rnn computes is computed here.
// Exports take pointers (byte offsets into this module's memory) and sizes, nothing else.
// JS allocates with heap_alloc (0 when memory is full); kernels' scratch uses alloc (traps instead, see alloc.ts)
export { heap_alloc as alloc, free, scratch_rollback, heapLiveBytes, heapTopBytes } from './alloc';
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
export * from './q8gemm';
export * from './q8rnn';
export { q8_sigmoid, q8_tanh, q8_lstm_row } from './q8act';
export * from './kpeak';
