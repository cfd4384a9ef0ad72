// The build (scripts/build.mjs) maps this name to build/wasm-rnn.wasm, loaded as bytes.
declare module 'wasm-rnn-embedded-bytes' {
  const bytes: Uint8Array;
  export default bytes;
}
