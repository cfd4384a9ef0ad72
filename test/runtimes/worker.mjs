// The Cloudflare Worker of the workerd run: the SLIM entry plus the .wasm imported as a
// precompiled module (workerd refuses to compile Wasm from bytes).
import * as lib from '../../dist/slim.js';
import wasm from '../../dist/wasm-rnn.wasm';
import { hashSuite } from './cases.mjs';

export default {
  async fetch() {
    try {
      await lib.init(wasm);
      return Response.json({ engine: 'workerd', entry: 'slim + CompiledWasm',
        globals: { WeakRef: typeof WeakRef, FinalizationRegistry: typeof FinalizationRegistry }, ...(await hashSuite(lib)) });
    } catch (e) {
      return Response.json({ error: String(e && e.stack || e) }, { status: 500 });
    }
  },
};
