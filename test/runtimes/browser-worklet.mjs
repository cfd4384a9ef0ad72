// The AudioWorklet part of browser.html: the default entry, initSync() in AudioWorkletGlobalScope
// (which has neither crypto.subtle nor TextDecoder), the suite run in the processor's constructor;
// the tensors go back through the port and the page hashes them.
import * as lib from '/dist/index.js';
import { runCaseParts } from '/test/runtimes/cases.mjs';

registerProcessor('wasm-rnn-determinism', class extends AudioWorkletProcessor {
  constructor(options) {
    super(options);
    (async () => {
      try {
        lib.initSync();
        const t0 = Date.now();
        const all = await runCaseParts(lib);
        this.port.postMessage({ all, ms: Date.now() - t0 });
      } catch (e) {
        this.port.postMessage({ error: String(e && e.stack ? `${e}\n${e.stack}` : e) });
      }
    })();
  }
  process() { return false; }
});
