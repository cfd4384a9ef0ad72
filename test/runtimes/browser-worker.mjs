// The Web Worker half of browser.html: the default entry, initialised synchronously (workers and
// worklets may compile Wasm synchronously; a browser main thread limits it).
import * as lib from '/dist/index.js';
import { hashSuite } from '/test/runtimes/cases.mjs';

try {
  lib.initSync();
  postMessage({ engine: navigator.userAgent, entry: 'index, module Web Worker, initSync()', ...(await hashSuite(lib)) });
} catch (e) {
  postMessage({ error: String(e && e.stack ? `${e}\n${e.stack}` : e) });
}
