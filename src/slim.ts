// wasm-rnn/slim: the whole API without embedded bytes. Pass the module yourself, e.g. on
// Cloudflare Workers: `import wasm from 'wasm-rnn/wasm'; await init(wasm);`. The default entry
// (index.ts) is this module plus the bytes, so both share one Wasm instance.
import { RnnError } from './errors.js';
import { initFrom, initSyncFrom, ready, type WasmSource } from './wasm.js';

export * from './api.js';

/**
 * Loads the module from a precompiled WebAssembly.Module, bytes or a Response. The library loads
 * once: after that, init() does nothing (it never resets memory: every tensor and parameter stays).
 */
export async function init(source: WasmSource): Promise<void> {
  if (source === undefined) {
    if (ready()) return;
    throw new RnnError('init: expected a WebAssembly.Module, bytes or a Response (wasm-rnn/slim embeds no bytes), got undefined');
  }
  await initFrom(source);
}

/** Synchronous init from a WebAssembly.Module or bytes; like init(), a no-op once loaded. */
export function initSync(source: WebAssembly.Module | BufferSource): void {
  if (source === undefined) {
    if (ready()) return;
    throw new RnnError('initSync: expected a WebAssembly.Module or bytes (wasm-rnn/slim embeds no bytes), got undefined');
  }
  initSyncFrom(source);
}

/** True once init()/initSync() has completed. */
export function isInitialized(): boolean { return ready(); }
