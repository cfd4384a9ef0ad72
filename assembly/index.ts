// The one Wasm module: every number wasm-rnn computes is computed here.
export * from './alloc';
export * from './gemm';
export * from './activations';
